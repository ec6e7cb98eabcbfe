-- Photos attached to cases; the bytes live in the file store, named by their SHA-256.
CREATE TABLE case_photos (
  case_id BIGINT NOT NULL REFERENCES cases (id),
  sha256 TEXT COLLATE "C" NOT NULL,
  content_type TEXT NOT NULL,
  bytes BIGINT NOT NULL,
  stage TEXT NOT NULL,
  uploaded_by TEXT NOT NULL,
  uploaded_at BIGINT NOT NULL,
  PRIMARY KEY (case_id, sha256)
);

-- 挂账 cases come back on their review date.
ALTER TABLE cases ADD COLUMN review_at BIGINT NOT NULL DEFAULT 0;
