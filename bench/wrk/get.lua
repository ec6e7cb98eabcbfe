-- wrk script: plain GET of the URL given to wrk, with the shared report line.
dofile("bench/wrk/report.lua")
