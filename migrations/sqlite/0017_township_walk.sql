-- A township's console lists walk cases_township newest first; every filter besides the township
-- (open or a state, a category, a community) was tested on the case's row, one table read per case
-- stepped over. With those columns in the index entry the walk tests them there and reads only the
-- rows it returns. On a generated 100k district (9,136 cases in the township, none open): the open
-- queue 18–24 → 2–4 ms, a category with 127 of its cases 7–10 → 1 ms, one community 17 → 2 ms.
-- A state change now moves the case's entry too (bench/RESULTS.md, thirteenth session).
DROP INDEX cases_township;
CREATE INDEX cases_township ON cases (township_code, id, state, category_code, region_code);
