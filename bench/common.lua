-- Shared by the bench's wrk scripts (each loads it with dofile): responses counted by status per thread, and
-- the run's results printed as one line of JSON ("BENCH_RESULT {...}") that bench/run.py reads.
--
-- wrk gives each of its threads a Lua state of its own; setup() and done() run in yet another state, which
-- reaches the threads' globals only through thread:get(). So every script keeps its counters in globals and
-- remembers its threads in setup().

local common = {}

local function encode(value)
  local kind = type(value)
  if kind == "number" then
    if value ~= value or value == math.huge or value == -math.huge then
      return "null"
    end
    if value == math.floor(value) then
      return string.format("%.0f", value)
    end
    return string.format("%.3f", value)
  elseif kind == "string" then
    local escaped = value:gsub('[%c"\\]', function(character)
      return string.format("\\u%04x", character:byte())
    end)
    return '"' .. escaped .. '"'
  elseif kind == "boolean" then
    return tostring(value)
  elseif kind == "table" then
    local parts = {}
    if #value > 0 then
      for _, item in ipairs(value) do
        table.insert(parts, encode(item))
      end
      return "[" .. table.concat(parts, ",") .. "]"
    end
    -- An empty table is written as {}: run.py reads an empty list and an empty object alike.
    for key, item in pairs(value) do
      table.insert(parts, encode(tostring(key)) .. ":" .. encode(item))
    end
    return "{" .. table.concat(parts, ",") .. "}"
  end
  return "null"
end

common.encode = encode

-- In setup(): remember the thread, and tell it its number (1, 2, …) before its init() runs.
function common.setup_thread(threads, thread)
  table.insert(threads, thread)
  thread:set("thread_number", #threads)
end

-- In response(): one more response with this status, in the thread's global `statuses`.
function common.count_status(status)
  local key = tostring(status)
  statuses[key] = (statuses[key] or 0) + 1
end

-- In done(): a table of counts (a global of that name in every thread) added up over the threads.
function common.sum_counts(threads, name)
  local total = {}
  for _, thread in ipairs(threads) do
    for key, count in pairs(thread:get(name) or {}) do
      total[key] = (total[key] or 0) + count
    end
  end
  return total
end

-- In done(): print wrk's summary, its latency percentiles (microseconds), the statuses counted by the
-- threads, and whatever the script adds in `extra`.
function common.report(summary, latency, threads, extra)
  local result = {
    duration_us = summary.duration,
    requests = summary.requests,
    bytes = summary.bytes,
    errors = {
      connect = summary.errors.connect,
      read = summary.errors.read,
      write = summary.errors.write,
      status = summary.errors.status,
      timeout = summary.errors.timeout,
    },
    latency_us = {
      p50 = latency:percentile(50),
      p90 = latency:percentile(90),
      p95 = latency:percentile(95),
      p99 = latency:percentile(99),
      mean = latency.mean,
      max = latency.max,
    },
    statuses = common.sum_counts(threads, "statuses"),
    extra = extra or {},
  }
  io.write("BENCH_RESULT ", encode(result), "\n")
end

return common
