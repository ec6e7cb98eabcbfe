-- wrk script: the public tracking page's read, GET /api/v1/track/{code}, as a resident asks it:
-- no sign-in, by tracking code. The codes come from the file GZ_CODES, one a line (bench/codes.sh
-- takes them from the console's list, spread over the whole history), and are spread over as
-- case_read.lua spreads its ids.
dofile("bench/wrk/report.lua")
local codes = {}
for line in io.lines(os.getenv("GZ_CODES")) do
  if #line > 0 then codes[#codes + 1] = line end
end
if #codes == 0 then error("no tracking codes in " .. os.getenv("GZ_CODES")) end
local n = 0
request = function()
  n = n + 1
  return wrk.format("GET", "/api/v1/track/" .. codes[nth_id(n, #codes)])
end
