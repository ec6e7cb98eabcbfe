-- wrk script: Request Tracker 5's REST 2 ticket read over ids 1..GZ_CASES, basic authentication.
dofile("bench/wrk/report.lua")
wrk.headers["Authorization"] = "Basic " .. (os.getenv("GZ_RT_AUTH") or "")
local cases = tonumber(os.getenv("GZ_CASES") or "100")
local n = 0
request = function()
  n = n + 1
  return wrk.format("GET", "/REST/2.0/ticket/" .. nth_id(n, cases))
end
