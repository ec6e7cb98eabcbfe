-- Personal information (issue #6): reporter contacts are sealed by the application (the key lives
-- outside the database; `settings.contact_key_id` identifies it so that a different key is refused),
-- and every unmasked view of a contact is recorded.
CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);

CREATE TABLE contact_views (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  case_id BIGINT NOT NULL REFERENCES cases (id),
  actor TEXT NOT NULL,             -- the case engine's actor, e.g. dispatcher:130404001
  account TEXT NOT NULL DEFAULT '',  -- the signed-in login, when there is one
  reason TEXT NOT NULL,
  at BIGINT NOT NULL
);
CREATE INDEX contact_views_case ON contact_views (case_id, id);
