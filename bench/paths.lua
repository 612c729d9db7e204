-- wrk script for the cold scenarios: every request a different path, so that no cache can answer. The paths
-- come from a file that bench/run.py wrote (one a line, all distinct, shuffled). Thread n of T takes lines n,
-- n + T, n + 2T…, so no two threads send the same path; a thread that runs out of paths starts its share
-- again, and done() says how many requests were sent against how many distinct paths, so run.py can tell.
--
-- Arguments after wrk's "--": the paths file, the number of wrk threads.

local here = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
local common = dofile(here .. "common.lua")

local threads = {}
statuses = {}
paths = {}
path_count = 0
position = 0
sent = 0

function setup(thread)
  common.setup_thread(threads, thread)
end

function init(args)
  -- args[0] is the URL; the script's own arguments follow.
  local file, thread_count = args[1], tonumber(args[2])
  local all = {}
  for line in io.lines(file) do
    table.insert(all, line)
    if (#all - 1) % thread_count == thread_number - 1 then
      table.insert(paths, line)
    end
  end
  if #paths == 0 then
    paths = all -- fewer paths than threads: share them
  end
  path_count = #paths
end

function request()
  position = position % path_count + 1
  sent = sent + 1
  return wrk.format("GET", paths[position])
end

function response(status, headers, body)
  common.count_status(status)
end

function done(summary, latency, requests)
  local sent_total, distinct = 0, 0
  for _, thread in ipairs(threads) do
    sent_total = sent_total + thread:get("sent")
    distinct = distinct + thread:get("path_count")
  end
  common.report(summary, latency, threads, { sent = sent_total, distinct_paths = distinct })
end
