-- The dashboard's counts (by state, township, community, category, grid or day) and hotspots of
-- the cases reported in a period read only this index instead of every row of the period: a month
-- of a city is ~100k rows. New cases append at its end, so intake still writes one leaf per batch.
DROP INDEX cases_created;
CREATE INDEX cases_created ON cases (created_at, state, township_code, region_code, category_code, grid_code);
