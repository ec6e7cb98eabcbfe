-- wrk script: a working day's mix on one server, mostly reads: of every 100 requests, 68 case reads
-- (ids 1..GZ_CASES), 15 console lists, 12 intakes, 3 Open311 POSTs and 2 rankings. Staff reads as
-- the trusted system actor (compare.sh starts the server with --trust-actor-header).
dofile("bench/wrk/report.lua")
local cases = tonumber(os.getenv("GZ_CASES") or "1000")
local lists = {"/api/v1/cases?limit=50&region=130404001", "/api/v1/cases?limit=50&open=1",
               "/api/v1/cases?limit=50&category=0401&region=130404002", "/api/v1/cases?limit=50&overdue=1"}
local n = 0
request = function()
  n = n + 1
  local k = n * 37 % 100  -- interleaved (37 is prime to 100), not in blocks of one kind
  local staff = { ["X-Gongzhi-Actor"] = "system" }
  if k < 68 then
    return wrk.format("GET", "/api/v1/cases/" .. nth_id(n, cases), staff)
  elseif k < 83 then
    return wrk.format("GET", lists[(n % #lists) + 1], staff)
  elseif k < 95 then
    return wrk.format("POST", "/api/v1/cases", { ["Content-Type"] = "application/json" }, intake_body(n, "mixed"))
  elseif k < 98 then
    return wrk.format("POST", "/open311/v2/requests.json", { ["Content-Type"] = "application/x-www-form-urlencoded" },
      open311_body(n, "0101", "mixed"))
  else
    return wrk.format("GET", "/api/v1/assessment/ranking?group=township&period=" .. os.date("%Y-%m"), staff)
  end
end
