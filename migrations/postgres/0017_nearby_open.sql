-- Duplicate look-ups at intake ask for open cases only: the index leaves out the closed, rejected
-- and merged ones (most of a district's history), which cases_nearby made every look-up step over.
CREATE INDEX cases_nearby_open ON cases (category_code, geo_cell, created_at) INCLUDE (lng, lat)
  WHERE state <> 'rejected' AND state <> 'merged' AND state <> 'closed';
DROP INDEX cases_nearby;
