-- wrk script: POST /api/v1/cases with points spread over the demo grids of 复兴区.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local n = 0
request = function()
  n = n + 1
  local lng = 114.30 + (n * 7919 % 1700) / 10000
  local lat = 36.57 + (n * 104729 % 800) / 10000
  local body = string.format('{"category_code":"0101","description":"bench %d: 垃圾堆放","lng":%.5f,"lat":%.5f}', n, lng, lat)
  return wrk.format(nil, "/api/v1/cases", nil, body)
end
