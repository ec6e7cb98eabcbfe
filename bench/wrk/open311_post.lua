-- wrk script: Open311 GeoReport v2 POST /open311/v2/requests.json (form-encoded), points over the
-- grids of 复兴区's box, with the API key of bench/compare.sh's configuration.
dofile("bench/wrk/report.lua")
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
local codes = {"0101", "0102", "0201", "0401", "0402", "0602", "22", "25"}
local n = 0
request = function()
  n = n + 1
  local body = string.format("api_key=bench-open311-key-0001&service_code=%s&lat=%.5f&long=%.5f&description=open311+bench+%d",
    codes[(n % #codes) + 1], 36.58 + (n * 104729 % 700) / 10000, 114.30 + (n * 7919 % 1700) / 10000, n)
  return wrk.format(nil, "/open311/v2/requests.json", nil, body)
end
