-- A unit's or grid worker's desk walks cases_unit / cases_worker newest first; as for townships
-- (0017), its state (open queue) and category filters are tested on the index entries instead of
-- each case's row. Generated 100k district, a unit with 28,716 cases and none open: its open queue
-- 33–35 → 4–6 ms, a category with none of its cases 31 → 4 ms; a worker's open queue 4 → 0.3–1 ms.
DROP INDEX cases_unit;
CREATE INDEX cases_unit ON cases (unit_id, id, state, category_code) WHERE unit_id IS NOT NULL;
DROP INDEX cases_worker;
CREATE INDEX cases_worker ON cases (worker_id, id, state, category_code) WHERE worker_id IS NOT NULL;
