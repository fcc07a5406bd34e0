-- wrk script: every request carries a logged-in learner's session cookie.
--
--   wrk -t2 -c10 -d12s --latency -s benchmarks/cookies.lua URL -- \
--       COOKIE_FILE USERS THREADS [ACCEPT_ENCODING]
--
-- COOKIE_FILE holds one "Cookie:" header value per line (one learner each); the first USERS lines
-- are used; THREADS must equal wrk's -t. wrk's Lua API has no per-connection hook, so each thread
-- takes its own share of the users (thread t gets lines t, t+T, t+2T, ...) and rotates through
-- them request by request; with as many users as connections, the requests in flight belong to
-- that many different learners. ACCEPT_ENCODING defaults to "br, gzip".
-- Every response that is not 200 is counted (a 302 to /masuk would mean the cookie was refused).
-- done() prints one line "WRK_JSON {...}" with throughput, latency percentiles (ms, including
-- p95, which wrk's --latency table lacks), errors and the non-200 count.

local threads = {}
local next_id = 0

function setup(thread)
  thread:set("id", next_id)
  next_id = next_id + 1
  table.insert(threads, thread)
end

function init(args)
  local file, users, nthreads = args[1], tonumber(args[2]), tonumber(args[3])
  local encoding = args[4] or "br, gzip"
  local lines = {}
  for line in io.lines(file) do
    if #line > 0 then table.insert(lines, line) end
  end
  if users > #lines then error("only " .. #lines .. " cookies for " .. users .. " users") end
  reqs = {}
  for i = id + 1, users, nthreads do
    table.insert(reqs, wrk.format("GET", wrk.path, {
      ["Cookie"] = lines[i],
      ["Accept-Encoding"] = encoding,
      ["User-Agent"] = "wrk (Lentera benchmark)",
    }))
  end
  if #reqs == 0 then error("thread " .. id .. " has no users: use fewer threads than users") end
  idx = 0
  non200 = 0
  statuses = ""
end

function request()
  idx = idx % #reqs + 1
  return reqs[idx]
end

function response(status, headers, body)
  if status ~= 200 then
    non200 = non200 + 1
    if #statuses < 40 then statuses = statuses .. status .. " " end
  end
end

function done(summary, latency, requests)
  local non = 0
  local seen = ""
  for _, t in ipairs(threads) do
    non = non + t:get("non200")
    seen = seen .. t:get("statuses")
  end
  local e = summary.errors
  local function ms(us) return us / 1000.0 end
  io.write(string.format(
    'WRK_JSON {"requests": %d, "duration_s": %.3f, "rps": %.2f, "bytes": %d, ' ..
    '"p50_ms": %.3f, "p75_ms": %.3f, "p90_ms": %.3f, "p95_ms": %.3f, "p99_ms": %.3f, ' ..
    '"max_ms": %.3f, "mean_ms": %.3f, "errors": {"connect": %d, "read": %d, "write": %d, ' ..
    '"status": %d, "timeout": %d}, "non200": %d, "non200_seen": "%s"}\n',
    summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
    summary.bytes, ms(latency:percentile(50)), ms(latency:percentile(75)),
    ms(latency:percentile(90)), ms(latency:percentile(95)), ms(latency:percentile(99)),
    ms(latency.max), ms(latency.mean), e.connect, e.read, e.write, e.status, e.timeout, non, seen))
end
