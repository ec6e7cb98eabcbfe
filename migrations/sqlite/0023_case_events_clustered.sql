-- A case's events stored together, in the order of their key (case_id, seq). In a rowid table a
-- case's events lay where each was appended: hours or days apart among other cases' events, so
-- reading a case read one page of the key's index and one table page per event. On a 100k-case
-- district whose events were written in time order, case reads cost 76–81 µs of server CPU
-- against 60–65 µs with the events clustered (bench/RESULTS.md, eighteenth session); appends are
-- as fast (new cases' events go at the end, a recent case's to pages already in the cache).
CREATE TABLE case_events_clustered (
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
) WITHOUT ROWID;
INSERT INTO case_events_clustered
SELECT case_id, seq, at, actor, action, from_state, to_state, payload, prev_hash, hash
FROM case_events ORDER BY case_id, seq;
DROP TABLE case_events;
ALTER TABLE case_events_clustered RENAME TO case_events;
