-- The case engine: configuration (事项清单, 权责清单, 网格准入清单, calendar) and cases with their
-- hash-chained events.
INSERT INTO meta (key, value) VALUES ('config_version', 0);

CREATE TABLE categories (
  code TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  parent_code TEXT NOT NULL DEFAULT '',
  urgency TEXT NOT NULL,
  response_minutes BIGINT NOT NULL,
  handling_minutes BIGINT NOT NULL,
  active INTEGER NOT NULL DEFAULT 1
);

CREATE TABLE responsibility_rules (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  category_code TEXT NOT NULL,
  region_code TEXT NOT NULL,
  unit_id BIGINT NOT NULL REFERENCES units (id),
  UNIQUE (category_code, region_code)
);

CREATE TABLE grid_admission (category_code TEXT PRIMARY KEY);

-- Public holidays (off) and adjusted working days (work) of the working-time calendar.
CREATE TABLE calendar_days (day TEXT PRIMARY KEY, kind TEXT NOT NULL, holiday TEXT NOT NULL DEFAULT '');

CREATE TABLE cases (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  tracking_code TEXT NOT NULL UNIQUE,
  version BIGINT NOT NULL,
  state TEXT NOT NULL,
  extension_pending INTEGER NOT NULL DEFAULT 0,
  reopened INTEGER NOT NULL DEFAULT 0,
  category_code TEXT NOT NULL DEFAULT '',
  description TEXT NOT NULL,
  lng REAL, lat REAL,
  geo_cell BIGINT,  -- GeoCell(lng, lat), for duplicate look-ups
  grid_code TEXT NOT NULL DEFAULT '',
  region_code TEXT NOT NULL,
  township_code TEXT NOT NULL,
  channel TEXT NOT NULL,
  reporter_name TEXT NOT NULL DEFAULT '',
  reporter_phone TEXT NOT NULL DEFAULT '',
  suggested_unit_id BIGINT,
  route_reason TEXT NOT NULL DEFAULT '',
  unit_id BIGINT,
  worker_id BIGINT,
  merged_into BIGINT,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  dispatched_at BIGINT NOT NULL DEFAULT 0,
  claimed_at BIGINT NOT NULL DEFAULT 0,
  resolved_at BIGINT NOT NULL DEFAULT 0,
  verified_at BIGINT NOT NULL DEFAULT 0,
  closed_at BIGINT NOT NULL DEFAULT 0,
  response_warn BIGINT NOT NULL DEFAULT 0,
  response_due BIGINT NOT NULL DEFAULT 0,
  handling_warn BIGINT NOT NULL DEFAULT 0,
  handling_due BIGINT NOT NULL DEFAULT 0,
  -- The earliest deadline threshold not yet acted on; NULL when none. The sweep reads only
  -- cases with next_due <= now through the partial index, so its cost follows the cases due.
  next_due BIGINT,
  timers_through BIGINT NOT NULL DEFAULT 0,  -- every timer at or before this instant has fired
  return_count INTEGER NOT NULL DEFAULT 0,
  rework_count INTEGER NOT NULL DEFAULT 0,
  rating_solved INTEGER,
  rating_satisfaction TEXT,
  last_seq INTEGER NOT NULL DEFAULT 0,
  last_hash TEXT NOT NULL DEFAULT ''
);
CREATE INDEX cases_next_due ON cases (next_due) WHERE next_due IS NOT NULL;
CREATE INDEX cases_township ON cases (township_code, id);
CREATE INDEX cases_unit ON cases (unit_id, id);
CREATE INDEX cases_worker ON cases (worker_id, id);
CREATE INDEX cases_state ON cases (state, id);
CREATE INDEX cases_created ON cases (created_at, id);
CREATE INDEX cases_duplicates ON cases (category_code, geo_cell, created_at);
CREATE INDEX cases_merged ON cases (merged_into) WHERE merged_into IS NOT NULL;

-- Append-only: nothing in the API updates or deletes an event.
CREATE TABLE case_events (
  case_id BIGINT NOT NULL REFERENCES cases (id),
  seq INTEGER NOT NULL,
  at BIGINT NOT NULL,
  actor TEXT NOT NULL,
  action TEXT NOT NULL,
  from_state TEXT NOT NULL,
  to_state TEXT NOT NULL,
  payload TEXT NOT NULL,
  prev_hash TEXT NOT NULL,
  hash TEXT NOT NULL,
  PRIMARY KEY (case_id, seq)
);

-- 督办: a deadline passed; the record goes to the region above the responsible unit.
CREATE TABLE supervisions (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  case_id BIGINT NOT NULL REFERENCES cases (id),
  kind TEXT NOT NULL,
  unit_id BIGINT,
  worker_id BIGINT,
  region_code TEXT NOT NULL,
  due_at BIGINT NOT NULL,
  created_at BIGINT NOT NULL,
  UNIQUE (case_id, kind, due_at)
);
CREATE INDEX supervisions_region ON supervisions (region_code, id);

-- 吹哨报到: units summoned to a case; each must acknowledge (报到) by ack_due.
CREATE TABLE summons (
  case_id BIGINT NOT NULL REFERENCES cases (id),
  unit_id BIGINT NOT NULL REFERENCES units (id),
  lead INTEGER NOT NULL DEFAULT 0,
  summoned_at BIGINT NOT NULL,
  ack_due BIGINT NOT NULL,
  acked_at BIGINT NOT NULL DEFAULT 0,
  note TEXT NOT NULL DEFAULT '',
  PRIMARY KEY (case_id, unit_id)
);
CREATE INDEX summons_unit ON summons (unit_id, case_id);
