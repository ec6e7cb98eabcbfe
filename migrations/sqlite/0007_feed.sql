-- The live feed: one row per case event, numbered in commit order, with what a console needs to
-- decide whether it may see it (region, handler unit and worker, summoned units). Written in the
-- same transaction as the events; read by every node's push hub (SSE), so a console connected to
-- any node sees every change, and a console that reconnects gets what it missed. Old rows are pruned.
CREATE TABLE feed (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  case_id BIGINT NOT NULL,
  seq INTEGER NOT NULL,
  at BIGINT NOT NULL,
  action TEXT NOT NULL,
  from_state TEXT NOT NULL,
  to_state TEXT NOT NULL,
  region_code TEXT NOT NULL,
  category_code TEXT NOT NULL,
  unit_id BIGINT,
  worker_id BIGINT,
  units TEXT NOT NULL DEFAULT ''  -- other units concerned (summoned), comma-separated
);
CREATE INDEX feed_at ON feed (at);
