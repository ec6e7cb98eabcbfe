-- Per month × community × category (day is the month's first day; unit_id and worker_id 0): what
-- rankings of communities with a category filter, and of the categories of a township or a
-- community, read for the whole months of a period, with the fine roll-ups for the days around
-- them. 邯郸市 with 1M cases: a year's ranking of communities in one category summed the fine
-- rows of every category (1.0–1.7 s). Keyed by category first: a category filter is a range.
CREATE TABLE rollups_community_category_month (
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
  PRIMARY KEY (category_code, day, unit_id, worker_id, region_code)
) WITHOUT ROWID;
-- The month's first day: the day less its day of the month, plus one.
INSERT INTO rollups_community_category_month
SELECT day - CAST(strftime('%d', day * 86400, 'unixepoch') AS INTEGER) + 1 AS month, 0, 0, region_code, category_code,
       SUM(dispatched), SUM(responded_on_time), SUM(returned), SUM(due), SUM(deferred), SUM(on_time),
       SUM(overdue), SUM(resolved), SUM(reworked), SUM(handling_minutes), SUM(rated), SUM(solved), SUM(satisfied)
FROM rollups GROUP BY month, region_code, category_code;
