-- wrk script: POST /api/v1/cases, points spread over the demo grids of 复兴区, categories rotating
-- over 16 leaf categories (so duplicate candidates are found, as in a busy district, not always).
dofile("bench/wrk/report.lua")
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local categories = {"0101","0102","0103","0201","0301","0302","0401","0402","0501","0502","0601","0602","22","23","24","25"}
local n = 0
request = function()
  n = n + 1
  local lng = 114.30 + (n * 7919 % 1700) / 10000
  local lat = 36.58 + (n * 104729 % 700) / 10000  -- the last lattice row is partly empty
  local cat = categories[(n % #categories) + 1]
  local body = string.format('{"category_code":"%s","description":"bench %d: 垃圾堆放","lng":%.5f,"lat":%.5f}', cat, n, lng, lat)
  return wrk.format(nil, "/api/v1/cases", nil, body)
end
