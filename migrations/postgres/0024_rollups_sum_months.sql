-- Per month (day is the month's first day) of the township, unit and category sums, keys as
-- there: what figures and rankings over a period read for its whole months, with the day sums for
-- the days around them. 邯郸市 with 1M cases: a year's ranking of the categories read 182k rows
-- of days, of the units ~70k, the city's figures ~70k. Kept in the same transaction as the others.
CREATE TABLE rollups_township_sum_month (LIKE rollups_township_sum INCLUDING ALL);
CREATE TABLE rollups_unit_sum_month (LIKE rollups_township_sum INCLUDING ALL);
CREATE TABLE rollups_category_sum_month (LIKE rollups_township_sum INCLUDING ALL);
INSERT INTO rollups_township_sum_month
SELECT day - EXTRACT(DAY FROM DATE '1970-01-01' + day)::int + 1 AS month, unit_id, worker_id, region_code,
       category_code, SUM(dispatched), SUM(responded_on_time), SUM(returned), SUM(due), SUM(deferred), SUM(on_time),
       SUM(overdue), SUM(resolved), SUM(reworked), SUM(handling_minutes), SUM(rated), SUM(solved), SUM(satisfied)
FROM rollups_township_sum GROUP BY month, unit_id, worker_id, region_code, category_code;
INSERT INTO rollups_unit_sum_month
SELECT day - EXTRACT(DAY FROM DATE '1970-01-01' + day)::int + 1 AS month, unit_id, worker_id, region_code,
       category_code, SUM(dispatched), SUM(responded_on_time), SUM(returned), SUM(due), SUM(deferred), SUM(on_time),
       SUM(overdue), SUM(resolved), SUM(reworked), SUM(handling_minutes), SUM(rated), SUM(solved), SUM(satisfied)
FROM rollups_unit_sum GROUP BY month, unit_id, worker_id, region_code, category_code;
INSERT INTO rollups_category_sum_month
SELECT day - EXTRACT(DAY FROM DATE '1970-01-01' + day)::int + 1 AS month, unit_id, worker_id, region_code,
       category_code, SUM(dispatched), SUM(responded_on_time), SUM(returned), SUM(due), SUM(deferred), SUM(on_time),
       SUM(overdue), SUM(resolved), SUM(reworked), SUM(handling_minutes), SUM(rated), SUM(solved), SUM(satisfied)
FROM rollups_category_sum GROUP BY month, unit_id, worker_id, region_code, category_code;
