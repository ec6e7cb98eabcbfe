-- Console lists filtered by category (a prefix range: "04" takes 0401, 0402, ...) found their
-- cases through cases_nearby's leading column; 0017 replaced that index with one on open cases
-- only, and the lists fell back to walking the township's cases (2.8 -> 10.6 ms at 100k cases).
CREATE INDEX cases_category ON cases (category_code, id);
