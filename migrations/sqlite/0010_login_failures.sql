-- Failed sign-ins per login name and per address (issue #6/#8): kept in the database so that every
-- node sees the same lockout and a node's restart does not reset it.
CREATE TABLE login_failures (
  key TEXT PRIMARY KEY,        -- "login:NAME" or "addr:IP"
  count INTEGER NOT NULL,
  first_at BIGINT NOT NULL,    -- start of the counting window
  locked_until BIGINT NOT NULL -- 0: not locked
);
