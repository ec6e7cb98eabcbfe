-- A coarser copy of the roll-ups, per day × unit × grid worker × township (no community, no
-- category): what rankings of units, workers, townships and counties read. A month of a
-- province is then thousands of rows instead of millions. Kept in the same transaction.
CREATE TABLE rollups_township (
  day INTEGER NOT NULL,
  unit_id BIGINT NOT NULL,
  worker_id BIGINT NOT NULL,
  region_code TEXT COLLATE "C" NOT NULL,  -- the township code
  category_code TEXT COLLATE "C" NOT NULL,  -- always ''
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
);
INSERT INTO rollups_township
SELECT day, unit_id, worker_id, substr(region_code, 1, 9), '', SUM(dispatched), SUM(responded_on_time), SUM(returned),
       SUM(due), SUM(deferred), SUM(on_time), SUM(overdue), SUM(resolved), SUM(reworked), SUM(handling_minutes),
       SUM(rated), SUM(solved), SUM(satisfied)
FROM rollups GROUP BY day, unit_id, worker_id, substr(region_code, 1, 9);
