-- Assessment (考核): one row per dispatch of a case (folded from its events), and roll-ups of
-- their counts per day × unit × grid worker × community × category, kept up to date in the same
-- transaction as the events. `gongzhi rollup rebuild` recomputes both from the events.
CREATE TABLE case_facts (
  case_id BIGINT NOT NULL REFERENCES cases (id),
  n INTEGER NOT NULL,
  unit_id BIGINT NOT NULL,
  worker_id BIGINT NOT NULL,
  region_code TEXT NOT NULL,
  category_code TEXT NOT NULL,
  reopened INTEGER NOT NULL,
  dispatched_at BIGINT NOT NULL,
  response_due BIGINT NOT NULL,
  handling_due BIGINT NOT NULL,
  claimed_at BIGINT NOT NULL,
  resolved_at BIGINT NOT NULL,
  rated_at BIGINT NOT NULL,
  returned INTEGER NOT NULL,
  deferred INTEGER NOT NULL,
  overdue INTEGER NOT NULL,
  reworks INTEGER NOT NULL,
  handling_minutes BIGINT NOT NULL,
  solved INTEGER NOT NULL,
  satisfied INTEGER NOT NULL,
  -- local days (UTC+8) of the instants above, 0 when not yet: what drill-downs filter on
  dispatch_day INTEGER NOT NULL,
  due_day INTEGER NOT NULL,
  resolve_day INTEGER NOT NULL,
  rated_day INTEGER NOT NULL,
  PRIMARY KEY (case_id, n)
);
CREATE INDEX case_facts_unit ON case_facts (unit_id, dispatch_day);
CREATE INDEX case_facts_worker ON case_facts (worker_id, dispatch_day);
CREATE INDEX case_facts_region ON case_facts (region_code, dispatch_day);

CREATE TABLE rollups (
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
