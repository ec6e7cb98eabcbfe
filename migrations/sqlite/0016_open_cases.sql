-- The open cases (neither rejected, merged nor closed), for the queues of consoles: a list of open
-- cases of a county, a city or everywhere walks these in id order instead of stepping over every
-- closed case newer than the oldest open one (a city's 1M-case history with nothing open: 233–244 ms
-- → 0.1 ms). A township's queue keeps walking cases_township (5–8 ms there). The conditions are the
-- list query's own words, so the planners see that they apply. Cases enter at intake (appended in
-- id order) and leave when they end; the entry costs intake ~4% (bench/RESULTS.md).
CREATE INDEX cases_open ON cases (id) WHERE state <> 'rejected' AND state <> 'merged' AND state <> 'closed';
