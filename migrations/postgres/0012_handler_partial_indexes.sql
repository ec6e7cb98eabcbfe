-- A case gets a unit or a grid worker when it is dispatched: at intake both are NULL, and
-- indexing the NULLs cost two index writes per report. Every query on them names values (= or
-- IN), which implies NOT NULL, so the partial indexes serve the same queries.
DROP INDEX cases_unit;
CREATE INDEX cases_unit ON cases (unit_id, id) WHERE unit_id IS NOT NULL;
DROP INDEX cases_worker;
CREATE INDEX cases_worker ON cases (worker_id, id) WHERE worker_id IS NOT NULL;
