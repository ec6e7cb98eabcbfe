-- wrk script: Request Tracker 5's REST 2 ticket creation, the same report as Gongzhi's intake
-- (subject and content), basic authentication as RT's root user (env GZ_RT_AUTH, base64).
dofile("bench/wrk/report.lua")
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Basic " .. (os.getenv("GZ_RT_AUTH") or "")
local n = 0
request = function()
  n = n + 1
  local body = string.format('{"Queue":"General","Subject":"bench %d: 垃圾堆放","Content":"楼道口垃圾堆放多日 %d"}', n, n)
  return wrk.format(nil, "/REST/2.0/ticket", nil, body)
end
