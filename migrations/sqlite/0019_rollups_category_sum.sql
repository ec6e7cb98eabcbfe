-- Per day × county × category (region_code is the county's code; unit_id and worker_id 0), every
-- unit and worker together: what rankings of categories in a county or more read. 邯郸市 with 1M
-- cases a year: 182k rows a year where the fine roll-ups have 2.5M (a year's ranking of the
-- categories took 5-8 s). Kept in the same transaction as the others.
CREATE TABLE rollups_category_sum (
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
INSERT INTO rollups_category_sum
SELECT day, 0, 0, substr(region_code, 1, 6), category_code, SUM(dispatched), SUM(responded_on_time), SUM(returned), SUM(due),
       SUM(deferred), SUM(on_time), SUM(overdue), SUM(resolved), SUM(reworked), SUM(handling_minutes), SUM(rated),
       SUM(solved), SUM(satisfied)
FROM rollups GROUP BY day, substr(region_code, 1, 6), category_code;
