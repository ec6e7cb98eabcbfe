-- Per month × community and per month × grid worker × township (day is the month's first day;
-- unit_id 0, every category together): what rankings of communities and of workers read for the
-- whole months of a period, with the day roll-ups for the days around them. 邯郸市 with 1M cases
-- a year: a year's ranking of the communities summed 2.7M fine rows (5 s), of the workers 0.9M
-- township rows (1 s); their months have ~76k rows each. Kept in the same transaction as the others.
CREATE TABLE rollups_community_month (LIKE rollups_township_sum INCLUDING ALL);
CREATE TABLE rollups_worker_month (LIKE rollups_township_sum INCLUDING ALL);
-- The month's first day: the day less its day of the month, plus one.
INSERT INTO rollups_community_month
SELECT day - EXTRACT(DAY FROM DATE '1970-01-01' + day)::int + 1 AS month, 0, 0, region_code, '',
       SUM(dispatched), SUM(responded_on_time), SUM(returned), SUM(due), SUM(deferred), SUM(on_time),
       SUM(overdue), SUM(resolved), SUM(reworked), SUM(handling_minutes), SUM(rated), SUM(solved), SUM(satisfied)
FROM rollups GROUP BY month, region_code;
INSERT INTO rollups_worker_month
SELECT day - EXTRACT(DAY FROM DATE '1970-01-01' + day)::int + 1 AS month, 0, worker_id, region_code, '',
       SUM(dispatched), SUM(responded_on_time), SUM(returned), SUM(due), SUM(deferred), SUM(on_time),
       SUM(overdue), SUM(resolved), SUM(reworked), SUM(handling_minutes), SUM(rated), SUM(solved), SUM(satisfied)
FROM rollups_township WHERE worker_id <> 0 GROUP BY month, worker_id, region_code;
