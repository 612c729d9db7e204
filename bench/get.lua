-- wrk script for one fixed URL (the static file and the warm pages). Every response's status is counted, so
-- that a redirect to the login page or an error page shows as a failure instead of a fast answer (wrk itself
-- counts only statuses above 399).

local here = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
local common = dofile(here .. "common.lua")

local threads = {}
statuses = {}

function setup(thread)
  common.setup_thread(threads, thread)
end

function response(status, headers, body)
  common.count_status(status)
end

function done(summary, latency, requests)
  common.report(summary, latency, threads, {})
end
