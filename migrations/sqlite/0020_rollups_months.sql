-- Per month × community and per month × grid worker × township (day is the month's first day;
-- unit_id 0, every category together): what rankings of communities and of workers read for the
-- whole months of a period, with the day roll-ups for the days around them. 邯郸市 with 1M cases
-- a year: a year's ranking of the communities summed 2.7M fine rows (5 s), of the workers 0.9M
-- township rows (1 s); their months have ~76k rows each. Kept in the same transaction as the others.
CREATE TABLE rollups_community_month (
  day INTEGER NOT NULL,
  unit_id BIGINT NOT NULL,
  worker_id BIGINT NOT NULL,
  region_code TEXT NOT NULL,
  category_code TEXT NOT NULL,
  dispatched BIGINT NOT NULL DEFAULT 0,
  responded_on_time BIGINT NOT NULL DEFAULT 0,
  returned BIGINT NOT NULL DEFAULT 0,
  due BIGINT NOT NULL DEFAULT 0,
  deferred BIGINT NOT NULL DEFAULT 0,
  on_time BIGINT NOT NULL DEFAULT 0,
  overdue BIGINT NOT NULL DEFAULT 0,
  resolved BIGINT NOT NULL DEFAULT 0,
  reworked BIGINT NOT NULL DEFAULT 0,
  handling_minutes BIGINT NOT NULL DEFAULT 0,
  rated BIGINT NOT NULL DEFAULT 0,
  solved BIGINT NOT NULL DEFAULT 0,
  satisfied BIGINT NOT NULL DEFAULT 0,
  PRIMARY KEY (day, unit_id, worker_id, region_code, category_code)
) WITHOUT ROWID;
CREATE TABLE rollups_worker_month (
  day INTEGER NOT NULL,
  unit_id BIGINT NOT NULL,
  worker_id BIGINT NOT NULL,
  region_code TEXT NOT NULL,
  category_code TEXT NOT NULL,
  dispatched BIGINT NOT NULL DEFAULT 0,
  responded_on_time BIGINT NOT NULL DEFAULT 0,
  returned BIGINT NOT NULL DEFAULT 0,
  due BIGINT NOT NULL DEFAULT 0,
  deferred BIGINT NOT NULL DEFAULT 0,
  on_time BIGINT NOT NULL DEFAULT 0,
  overdue BIGINT NOT NULL DEFAULT 0,
  resolved BIGINT NOT NULL DEFAULT 0,
  reworked BIGINT NOT NULL DEFAULT 0,
  handling_minutes BIGINT NOT NULL DEFAULT 0,
  rated BIGINT NOT NULL DEFAULT 0,
  solved BIGINT NOT NULL DEFAULT 0,
  satisfied BIGINT NOT NULL DEFAULT 0,
  PRIMARY KEY (day, unit_id, worker_id, region_code, category_code)
) WITHOUT ROWID;
-- The month's first day: the day less its day of the month, plus one.
INSERT INTO rollups_community_month
SELECT day - CAST(strftime('%d', day * 86400, 'unixepoch') AS INTEGER) + 1 AS month, 0, 0, region_code, '',
       SUM(dispatched), SUM(responded_on_time), SUM(returned), SUM(due), SUM(deferred), SUM(on_time),
       SUM(overdue), SUM(resolved), SUM(reworked), SUM(handling_minutes), SUM(rated), SUM(solved), SUM(satisfied)
FROM rollups GROUP BY month, region_code;
INSERT INTO rollups_worker_month
SELECT day - CAST(strftime('%d', day * 86400, 'unixepoch') AS INTEGER) + 1 AS month, 0, worker_id, region_code, '',
       SUM(dispatched), SUM(responded_on_time), SUM(returned), SUM(due), SUM(deferred), SUM(on_time),
       SUM(overdue), SUM(resolved), SUM(reworked), SUM(handling_minutes), SUM(rated), SUM(solved), SUM(satisfied)
FROM rollups_township WHERE worker_id <> 0 GROUP BY month, worker_id, region_code;
