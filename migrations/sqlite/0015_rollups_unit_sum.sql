-- Per day × unit × county (region_code is the county's code; worker_id 0, category_code ''), units
-- only: what rankings of units and the figures of one unit in a county or more read. A unit
-- serves one county, so it has a row a day (邯郸市: ~9k rows a month) where rollups_township has a
-- row per township it worked in and a row per grid worker (~124k). Kept in the same transaction.
CREATE TABLE rollups_unit_sum (
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
INSERT INTO rollups_unit_sum
SELECT day, unit_id, 0, substr(region_code, 1, 6), '', SUM(dispatched), SUM(responded_on_time), SUM(returned), SUM(due), SUM(deferred),
       SUM(on_time), SUM(overdue), SUM(resolved), SUM(reworked), SUM(handling_minutes), SUM(rated), SUM(solved),
       SUM(satisfied)
FROM rollups_township WHERE unit_id <> 0 GROUP BY day, unit_id, substr(region_code, 1, 6);
