-- Per day × township with every unit and grid worker together (unit_id and worker_id are 0,
-- category_code ''): what the township and county rankings and the figures of a whole region read.
-- A month of a city (邯郸市: 246 townships, 5,835 workers) is ~7k rows here against ~70k in
-- rollups_township, where each worker has rows of its own. Kept in the same transaction.
CREATE TABLE rollups_township_sum (
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
);
INSERT INTO rollups_township_sum
SELECT day, 0, 0, region_code, '', SUM(dispatched), SUM(responded_on_time), SUM(returned), SUM(due), SUM(deferred),
       SUM(on_time), SUM(overdue), SUM(resolved), SUM(reworked), SUM(handling_minutes), SUM(rated), SUM(solved),
       SUM(satisfied)
FROM rollups_township GROUP BY day, region_code;
