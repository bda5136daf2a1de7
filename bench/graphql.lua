-- wrk script: POSTs one GraphQL request body over and over, as an API key, and reports a
-- machine-readable summary (requests, latency percentiles, failures) at the end.
--
-- Environment: BODY_FILE (a JSON file {"query": ..., "variables": ...}), API_KEY.
-- A response counts as failed when it is not 200 or its body carries GraphQL "errors".

local body_file = assert(os.getenv("BODY_FILE"), "BODY_FILE is not set")
local api_key = assert(os.getenv("API_KEY"), "API_KEY is not set")

local file = assert(io.open(body_file, "r"))
wrk.method = "POST"
wrk.body = file:read("*a")
file:close()
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Accept"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. api_key

local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  failed = 0
end

function response(status, headers, body)
  if status ~= 200 or string.find(body, '"errors"', 1, true) then
    failed = failed + 1
  end
end

function done(summary, latency, requests)
  local failures = 0
  for _, thread in ipairs(threads) do
    failures = failures + (thread:get("failed") or 0)
  end
  local errors = summary.errors
  io.write(string.format(
    "BENCH_RESULT requests=%d duration_us=%d p50_us=%d p90_us=%d p99_us=%d max_us=%d " ..
    "failed=%d socket_errors=%d\n",
    summary.requests, summary.duration,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max,
    failures, errors.connect + errors.read + errors.write + errors.timeout))
end
