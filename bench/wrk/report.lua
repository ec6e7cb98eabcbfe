-- Shared by the wrk scripts of bench/compare.sh (loaded with dofile): the ids, points and intake
-- bodies they spread their requests over, and one machine-readable line at the end with
-- throughput, latency percentiles (ms) and errors (non-2xx answers and socket errors).

-- The n-th of the ids 1..count, spread over them.
function nth_id(n, count)
  return (n * 7919) % count + 1
end

-- The n-th point over 复兴区's box, where the demo and `gongzhi bench gen` put grids (the last
-- lattice row is partly empty, so the latitudes stop short of it).
function nth_point(n)
  return 114.30 + (n * 7919 % 1700) / 10000, 36.58 + (n * 104729 % 700) / 10000
end

-- (bench/wrk/bodies.sh writes the same bodies for bench/instructions.sh in awk: change both.)
-- The n-th intake body: categories rotating over 16 leaves (so duplicate candidates are found, as
-- in a busy district, not always), `label` in the description.
local categories = {"0101","0102","0103","0201","0301","0302","0401","0402","0501","0502","0601","0602","22","23","24","25"}
function intake_body(n, label)
  local lng, lat = nth_point(n)
  return string.format('{"category_code":"%s","description":"%s %d: 垃圾堆放","lng":%.5f,"lat":%.5f}',
    categories[(n % #categories) + 1], label, n, lng, lat)
end

-- The n-th Open311 form body for `code`, with the API key of compare.sh's configuration.
function open311_body(n, code, label)
  local lng, lat = nth_point(n)
  return string.format("api_key=bench-open311-key-0001&service_code=%s&lat=%.5f&long=%.5f&description=%s+%d",
    code, lat, lng, label, n)
end
done = function(summary, latency, requests)
  local secs = summary.duration / 1e6
  local errors = summary.errors.status + summary.errors.connect + summary.errors.read +
                 summary.errors.write + summary.errors.timeout
  io.write(string.format("RESULT rps=%.0f p50=%.2f p99=%.2f p999=%.2f errors=%d requests=%d\n",
    summary.requests / secs, latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    latency:percentile(99.9) / 1000, errors, summary.requests))
end
