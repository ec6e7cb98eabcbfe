-- wrk script: a dispatcher's and the handlers' day on 复兴区 (run against a district database).
-- New reports come in; the district dispatcher lists the queue of reported cases and takes each
-- through accept → dispatch (to the unit the responsibility list suggests) → the unit (or grid
-- worker) claims → resolves → the dispatcher verifies. Every action carries the version the last
-- answer gave, as the console does. Each wrk thread works on the cases whose id it owns (id modulo
-- GZ_WRK_THREADS, default 2 as in compare.sh), so two threads never act on one case at once.
dofile("bench/wrk/report.lua")

local count = 0
function setup(thread)
  thread:set("tid", count)
  count = count + 1
end
nthreads = tonumber(os.getenv("GZ_WRK_THREADS") or "2")

local DISPATCHER = "dispatcher:130404"
local ready = {}  -- {id, version, action, actor}
local taken = {}  -- ids already in the pipeline
local listing = false
local n = 0

local function post(path, actor, body)
  return wrk.format("POST", path, {["Content-Type"] = "application/json", ["X-Gongzhi-Actor"] = actor}, body)
end

request = function()
  n = n + 1
  local w = table.remove(ready, 1)
  if w then
    local extra = w.extra or (w.action == "resolve" and ',"note":"已处理"' or "")
    local body = string.format('{"version":%d%s}', w.version, extra)
    return post("/api/v1/cases/" .. w.id .. "/" .. w.action, w.actor, body)
  end
  if not listing and n % 4 == 0 then
    listing = true
    return wrk.format("GET", "/api/v1/cases?state=reported&limit=100", {["X-Gongzhi-Actor"] = DISPATCHER})
  end
  return post("/api/v1/cases", "system", intake_body(n * nthreads + (tid or 0), "dispatch"))
end

-- The next step after an answer that carries a case (its id, version and state).
local function next_step(body)
  local id, version, state = body:match('^{"id":(%d+),"tracking_code":"[^"]*","version":(%d+),"state":"(%a+)"')
  if not id then return end
  local handler = body:match('"unit_id":(%d+)')
  local actor = handler and ("unit:" .. handler) or nil
  if not actor then
    local worker = body:match('"worker_id":(%d+)')
    actor = worker and ("worker:" .. worker) or nil
  end
  local step = ({accepted = {"dispatch", DISPATCHER}, dispatched = {"claim", actor},
                 handling = {"resolve", actor}, resolved = {"verify", DISPATCHER}})[state]
  if step and step[2] then
    -- No rule names a unit (属地兜底 cases): the dispatcher chooses one, as a console user would.
    local extra = nil
    if state == "accepted" and body:match('"suggested_unit_id":null') then extra = ',"unit_id":1' end
    table.insert(ready, {id = id, version = tonumber(version), action = step[1], actor = step[2], extra = extra})
  end
end

response = function(status, headers, body)
  if body:sub(1, 10) == '{"items":[' then
    listing = false
    for item in body:gmatch('{"id":%d+,"tracking_code":"[^"]*","version":%d+,"state":"reported"') do
      local id, version = item:match('"id":(%d+),"tracking_code":"[^"]*","version":(%d+)')
      local k = tonumber(id)
      if k % nthreads == (tid or 0) and not taken[k] then
        taken[k] = true
        table.insert(ready, {id = id, version = tonumber(version), action = "accept", actor = DISPATCHER})
      end
    end
  elseif status == 200 then
    next_step(body)
  end
end
