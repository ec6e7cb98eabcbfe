-- Which categories a unit handles is no accident (权责清单), but PostgreSQL's planner took the two
-- columns as independent: a unit's list of a common category it never handles looked cheap to find
-- by walking the primary key newest first, and walked all of it (34 ms at 100k cases, EXPLAIN
-- ANALYZE). With statistics on the pair (filled by ANALYZE, which autovacuum runs) it walks
-- cases_unit: 2.7 ms.
CREATE STATISTICS cases_unit_category (dependencies, mcv) ON unit_id, category_code FROM cases;
