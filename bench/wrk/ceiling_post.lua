-- wrk script: the intake's request shape (POST with a JSON body of the same size) against the
-- HTTP ceiling server.
dofile("bench/wrk/report.lua")
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"category_code":"0101","description":"bench 1: 垃圾堆放","lng":114.31234,"lat":36.60123}'
