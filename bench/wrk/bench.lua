-- wrk script for the benchmark (bench/run.py): counts statuses and cache headers,
-- and for POSTs sends a body made from BENCH_BODY with "{n}" replaced by a number
-- unique to each request (so every registration has its own email address and every
-- beacon its own visitor). Prints one JSON line at the end.
local threads = {}
local counter = 0
local tid = 0
local method = os.getenv("BENCH_METHOD") or "GET"
local body_template = os.getenv("BENCH_BODY") or ""
local content_type = os.getenv("BENCH_CONTENT_TYPE") or "application/x-www-form-urlencoded"
local origin = os.getenv("BENCH_ORIGIN") or ""
statuses = {}
cache = {}

function setup(thread)
  thread:set("tid", #threads + 1)
  table.insert(threads, thread)
end

function request()
  counter = counter + 1
  local n = tid .. "x" .. counter .. "x" .. (os.getenv("BENCH_RUN") or "0")
  local headers = {}
  headers["User-Agent"] = "Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0 visitor-" .. n
  -- Each request is a different person on a different address (nginx in the bench
  -- stack takes it as the client address; see bench/stack.py).
  local run = tonumber(os.getenv("BENCH_RUN") or "0") or 0
  headers["X-Bench-Client"] = string.format("10.%d.%d.%d", (run * 8 + tid) % 256,
    math.floor(counter / 256) % 256, counter % 256)
  if method == "GET" then
    return wrk.format("GET", wrk.path, headers, nil)
  end
  headers["Content-Type"] = content_type
  headers["Origin"] = origin
  headers["Sec-Fetch-Site"] = "same-origin"
  local body = body_template:gsub("{n}", n)
  return wrk.format(method, wrk.path, headers, body)
end

function init(args)
  tid = wrk.thread:get("tid") or 0
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
  local c = headers["X-Cache-Status"] or headers["x-cache-status"]
  local p = headers["X-Page-Cache"] or headers["x-page-cache"]
  local key = (c or "-") .. "/" .. (p or "-")
  cache[key] = (cache[key] or 0) + 1
end

function done(summary, latency, requests)
  local st, ca = {}, {}
  for _, thread in ipairs(threads) do
    for k, v in pairs(thread:get("statuses")) do st[k] = (st[k] or 0) + v end
    for k, v in pairs(thread:get("cache")) do ca[k] = (ca[k] or 0) + v end
  end
  local parts = {}
  for k, v in pairs(st) do table.insert(parts, string.format('"%s": %d', k, v)) end
  local cparts = {}
  for k, v in pairs(ca) do table.insert(cparts, string.format('"%s": %d', k, v)) end
  local e = summary.errors
  io.write(string.format(
    'BENCHJSON {"requests": %d, "duration_us": %d, "p50_us": %d, "p99_us": %d, "mean_us": %.1f, ' ..
    '"errors": {"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d}, ' ..
    '"statuses": {%s}, "cache": {%s}}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99), latency.mean,
    e.connect, e.read, e.write, e.status, e.timeout, table.concat(parts, ", "), table.concat(cparts, ", ")))
end
