-- wrk script: GET /api/v1/cases/{id} over ids 1..CASES (env GZ_CASES), as a trusted system actor
-- (the server runs with --trust-actor-header in the benchmark): a case with its events and photos.
dofile("bench/wrk/report.lua")
wrk.headers["X-Gongzhi-Actor"] = "system"
local cases = tonumber(os.getenv("GZ_CASES") or "1000")
local n = 0
request = function()
  n = n + 1
  return wrk.format("GET", "/api/v1/cases/" .. nth_id(n, cases))
end
