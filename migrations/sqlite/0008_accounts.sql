-- Accounts (issue #6): passwords as argon2id strings; roles held at a region, a unit or as a grid
-- worker; credentials are sessions (browser cookie) and API tokens (bearer), stored as SHA-256 of
-- the token only; every change of roles is recorded.
CREATE TABLE accounts (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  login TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL,
  password_hash TEXT NOT NULL,
  disabled INTEGER NOT NULL DEFAULT 0,
  created_at BIGINT NOT NULL
);

CREATE TABLE account_roles (
  account_id BIGINT NOT NULL REFERENCES accounts (id),
  n INTEGER NOT NULL,  -- order of the roles: 0 is the default one
  role TEXT NOT NULL,
  region_code TEXT NOT NULL DEFAULT '',
  unit_id BIGINT NOT NULL DEFAULT 0,
  worker_id BIGINT NOT NULL DEFAULT 0,
  PRIMARY KEY (account_id, n)
);

CREATE TABLE credentials (
  token_hash TEXT PRIMARY KEY,
  account_id BIGINT NOT NULL REFERENCES accounts (id),
  role_n INTEGER NOT NULL,   -- the role this credential acts in
  kind TEXT NOT NULL,        -- 'session' or 'api'
  name TEXT NOT NULL DEFAULT '',
  created_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL  -- 0: until revoked
);
CREATE INDEX credentials_account ON credentials (account_id);

CREATE TABLE role_changes (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  at BIGINT NOT NULL,
  by_actor TEXT NOT NULL,
  account_id BIGINT NOT NULL,
  roles TEXT NOT NULL  -- the account's roles after the change
);
