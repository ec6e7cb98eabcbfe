-- wrk script: Open311 GeoReport v2 POST /open311/v2/requests.json (form-encoded), points over the
-- grids of 复兴区's box, with the API key of bench/compare.sh's configuration.
dofile("bench/wrk/report.lua")
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
local codes = {"0101", "0102", "0201", "0401", "0402", "0602", "22", "25"}
local n = 0
request = function()
  n = n + 1
  return wrk.format(nil, "/open311/v2/requests.json", nil, open311_body(n, codes[(n % #codes) + 1], "open311+bench"))
end
