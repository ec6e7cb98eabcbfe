-- wrk script: the case list with filters a console uses (state, category, township, overdue,
-- cursor pages of 50), rotating, as a trusted system actor.
dofile("bench/wrk/report.lua")
wrk.headers["X-Gongzhi-Actor"] = "system"
local queries = {
  "/api/v1/cases?limit=50&state=closed&category=01",
  "/api/v1/cases?limit=50&region=130404001",
  "/api/v1/cases?limit=50&open=1",
  "/api/v1/cases?limit=50&category=0401&region=130404002",
  "/api/v1/cases?limit=50&overdue=1",
  "/api/v1/cases?limit=50&state=rejected",
}
local n = 0
request = function()
  n = n + 1
  return wrk.format("GET", queries[(n % #queries) + 1])
end
