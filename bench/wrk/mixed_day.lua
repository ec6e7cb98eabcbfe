-- wrk script: a working day's mix on one server, mostly reads: of every 100 requests, 68 case reads
-- (ids 1..GZ_CASES), 15 console lists, 12 intakes, 3 Open311 POSTs and 2 rankings. Staff reads as
-- the trusted system actor (compare.sh starts the server with --trust-actor-header).
dofile("bench/wrk/report.lua")
local cases = tonumber(os.getenv("GZ_CASES") or "1000")
local lists = {"/api/v1/cases?limit=50&region=130404001", "/api/v1/cases?limit=50&open=1",
               "/api/v1/cases?limit=50&category=0401&region=130404002", "/api/v1/cases?limit=50&overdue=1"}
local categories = {"0101","0102","0103","0201","0301","0302","0401","0402","0501","0502","0601","0602","22","23","24","25"}
local n = 0
local function point()
  return 114.30 + (n * 7919 % 1700) / 10000, 36.58 + (n * 104729 % 700) / 10000
end
request = function()
  n = n + 1
  local k = n % 100
  local staff = { ["X-Gongzhi-Actor"] = "system" }
  if k < 68 then
    return wrk.format("GET", "/api/v1/cases/" .. ((n * 7919) % cases + 1), staff)
  elseif k < 83 then
    return wrk.format("GET", lists[(n % #lists) + 1], staff)
  elseif k < 95 then
    local lng, lat = point()
    local body = string.format('{"category_code":"%s","description":"mixed %d: 垃圾堆放","lng":%.5f,"lat":%.5f}',
      categories[(n % #categories) + 1], n, lng, lat)
    return wrk.format("POST", "/api/v1/cases", { ["Content-Type"] = "application/json" }, body)
  elseif k < 98 then
    local lng, lat = point()
    local body = string.format("api_key=bench-open311-key-0001&service_code=0101&lat=%.5f&long=%.5f&description=mixed+%d", lat, lng, n)
    return wrk.format("POST", "/open311/v2/requests.json", { ["Content-Type"] = "application/x-www-form-urlencoded" }, body)
  else
    return wrk.format("GET", "/api/v1/assessment/ranking?group=township&period=" .. os.date("%Y-%m"), staff)
  end
end
