-- wrk script: the assessment rankings a leader's dashboard asks for (units, townships, over a
-- month and over the last 30 days), as a trusted system actor.
dofile("bench/wrk/report.lua")
wrk.headers["X-Gongzhi-Actor"] = "system"
local queries = {
  "/api/v1/assessment/ranking?group=unit&period=" .. os.date("%Y-%m"),
  "/api/v1/assessment/ranking?group=township&period=" .. os.date("%Y-%m"),
  "/api/v1/assessment/ranking?group=township&period=" .. os.date("%Y"),
}
local n = 0
request = function()
  n = n + 1
  return wrk.format("GET", queries[(n % #queries) + 1])
end
