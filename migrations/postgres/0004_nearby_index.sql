-- Duplicate look-ups at intake read only this index (no row look-ups): the point, the state and
-- the time are in it; descriptions are read for the few candidates found.
CREATE INDEX cases_nearby ON cases (category_code, geo_cell, created_at) INCLUDE (lng, lat, state);
DROP INDEX cases_duplicates;
