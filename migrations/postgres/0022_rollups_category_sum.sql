-- Per day × county × category (region_code is the county's code; unit_id and worker_id 0), every
-- unit and worker together: what rankings of categories in a county or more read. 邯郸市 with 1M
-- cases a year: 182k rows a year where the fine roll-ups have 2.5M. Kept in the same transaction
-- as the others. The same columns, defaults and primary key as the township sums.
CREATE TABLE rollups_category_sum (LIKE rollups_township_sum INCLUDING ALL);
INSERT INTO rollups_category_sum
SELECT day, 0, 0, substr(region_code, 1, 6), category_code, SUM(dispatched), SUM(responded_on_time), SUM(returned), SUM(due),
       SUM(deferred), SUM(on_time), SUM(overdue), SUM(resolved), SUM(reworked), SUM(handling_minutes), SUM(rated),
       SUM(solved), SUM(satisfied)
FROM rollups GROUP BY day, substr(region_code, 1, 6), category_code;
