-- Foundation: region tree, units, grids, grid workers.
CREATE TABLE meta (key TEXT PRIMARY KEY, value BIGINT NOT NULL);
INSERT INTO meta (key, value) VALUES ('grids_version', 0);

-- 统计用区划代码: level 1 province .. 5 village/community.
CREATE TABLE regions (
  code TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  level INTEGER NOT NULL,
  parent_code TEXT NOT NULL DEFAULT ''
);
CREATE INDEX regions_parent ON regions (parent_code, code);

CREATE TABLE units (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  kind TEXT NOT NULL,
  name TEXT NOT NULL,
  region_code TEXT NOT NULL,
  phone TEXT NOT NULL DEFAULT '',
  created_at BIGINT NOT NULL
);
CREATE INDEX units_region ON units (region_code, id);

CREATE TABLE grids (
  code TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  community_code TEXT NOT NULL,
  geometry TEXT NOT NULL,
  synthetic INTEGER NOT NULL DEFAULT 0,
  min_lng REAL NOT NULL, min_lat REAL NOT NULL, max_lng REAL NOT NULL, max_lat REAL NOT NULL
);
CREATE INDEX grids_community ON grids (community_code, code);

CREATE TABLE grid_workers (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  name TEXT NOT NULL,
  phone TEXT NOT NULL DEFAULT '',
  capacity INTEGER NOT NULL,
  active INTEGER NOT NULL DEFAULT 1,
  created_at BIGINT NOT NULL
);

CREATE TABLE grid_worker_grids (
  worker_id BIGINT NOT NULL REFERENCES grid_workers (id) ON DELETE CASCADE,
  grid_code TEXT NOT NULL REFERENCES grids (code) ON DELETE CASCADE,
  PRIMARY KEY (worker_id, grid_code)
);
CREATE INDEX grid_worker_grids_grid ON grid_worker_grids (grid_code, worker_id);
