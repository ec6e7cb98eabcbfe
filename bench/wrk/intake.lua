-- wrk script: POST /api/v1/cases, points spread over the demo grids of 复兴区, categories rotating
-- (report.lua's intake_body).
dofile("bench/wrk/report.lua")
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local n = 0
request = function()
  n = n + 1
  return wrk.format(nil, "/api/v1/cases", nil, intake_body(n, "bench"))
end
