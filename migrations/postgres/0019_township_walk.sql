-- A township's console lists walk cases_township newest first. With state, category and community
-- in the index's keys PostgreSQL tests those filters on the index entries (Index Cond) instead of
-- combining bitmaps and sorting, or walking cases_created. On a generated 100k district
-- (EXPLAIN ANALYZE): a category in a township 4.5 → 1.5 ms, one community 17.4 → 2.3 ms; the open
-- queue keeps cases_open. Same index as SQLite's migration 0017.
DROP INDEX cases_township;
CREATE INDEX cases_township ON cases (township_code, id, state, category_code, region_code);
