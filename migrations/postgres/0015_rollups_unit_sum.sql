-- Per day × unit × county (region_code is the county's code; worker_id 0, category_code ''), units
-- only: what rankings of units and the figures of one unit in a county or more read. A unit
-- serves one county, so it has a row a day (邯郸市: ~9k rows a month) where rollups_township has a
-- row per township it worked in and a row per grid worker (~124k). Kept in the same transaction.
-- The same columns, defaults and primary key as the township sums.
CREATE TABLE rollups_unit_sum (LIKE rollups_township_sum INCLUDING ALL);
INSERT INTO rollups_unit_sum
SELECT day, unit_id, 0, substr(region_code, 1, 6), '', SUM(dispatched), SUM(responded_on_time), SUM(returned), SUM(due), SUM(deferred),
       SUM(on_time), SUM(overdue), SUM(resolved), SUM(reworked), SUM(handling_minutes), SUM(rated), SUM(solved),
       SUM(satisfied)
FROM rollups_township WHERE unit_id <> 0 GROUP BY day, unit_id, substr(region_code, 1, 6);
