-- On SQLite one process performs every case write, so duplicate look-ups are answered from an
-- index of the open cases in memory (src/core/nearby_index.h) that the writer keeps current. The
-- SQL index they used cost a random-order leaf write per intake and a quarter of the writer's
-- time. PostgreSQL (several writing nodes) keeps it.
DROP INDEX cases_nearby;
