-- wrk script for submitting expressions of interest the way a buyer does, over and over:
--
--   add     POST /interests/shortlist/add/   a product onto the shortlist; expects 302 (back to the shortlist)
--   form    GET  /interests/shortlist/       the shortlist with the form; expects 200
--   submit  POST /interests/shortlist/       the form, with a new submission key; expects 302 to …/submitted/
--   remove  POST /interests/shortlist/remove/  only after a failed submission, so that the product left on the
--                                              shortlist does not spoil the next one (not timed)
--
-- A shortlist belongs to a user, so each wrk thread has exactly one connection and its own buyer (run.py logs
-- them in): two connections of one user would submit each other's products. wrk's own latency figures mix
-- the steps, so each step is timed here, with the monotonic clock through LuaJIT's FFI.
--
-- Arguments after wrk's "--": the sessions file (line n: the Cookie header, a tab, the CSRF token, for
-- thread n), the products file (product id, a tab, a listing id open to the buyers), the form body with
-- {csrf}, {key}, {product} and {listing} to fill in, the run's 8-hex-digit key prefix, the number of threads.

local ffi = require("ffi")
ffi.cdef([[
  typedef struct { long tv_sec; long tv_nsec; } bench_timespec;
  int clock_gettime(int clock_id, bench_timespec *tp);
]])
local CLOCK_MONOTONIC = 1
local clock = ffi.new("bench_timespec")

local function now_ms()
  ffi.C.clock_gettime(CLOCK_MONOTONIC, clock)
  return tonumber(clock.tv_sec) * 1000 + tonumber(clock.tv_nsec) / 1e6
end

local here = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
local common = dofile(here .. "common.lua")

local threads = {}
statuses = {}
-- Each step's times in a table of its own: wrk copies a thread's table through thread:get(), but not a table
-- of tables.
add_ms, form_ms, submit_ms = {}, {}, {}
step_ok = { add = 0, form = 0, submit = 0 }
step_failed = { add = 0, form = 0, submit = 0, remove = 0 }
failures = {} -- "submit 400" → how many, to tell what went wrong

local FORM_CONTENT_TYPE = "application/x-www-form-urlencoded"

function setup(thread)
  common.setup_thread(threads, thread)
end

function init(args)
  local sessions_file, products_file, template_file = args[1], args[2], args[3]
  key_prefix = args[4]
  local thread_count = tonumber(args[5])

  local line_number = 0
  for line in io.lines(sessions_file) do
    line_number = line_number + 1
    if line_number == thread_number then
      cookie, csrf_token = line:match("^([^\t]*)\t(.*)$")
    end
  end

  products = {}
  local all = {}
  for line in io.lines(products_file) do
    local product, listing = line:match("^(%d+)\t(%d+)$")
    table.insert(all, { product = product, listing = listing })
    if (#all - 1) % thread_count == thread_number - 1 then
      table.insert(products, all[#all])
    end
  end
  if #products == 0 then
    products = all -- fewer products than threads: each buyer goes through them all
  end

  local file = assert(io.open(template_file, "r"))
  template = file:read("*a")
  file:close()

  step = "add"
  item = 1
  submitted = 0
end

local function post(path, body)
  return wrk.format("POST", path, { ["Cookie"] = cookie, ["Content-Type"] = FORM_CONTENT_TYPE }, body)
end

local function header(headers, name)
  for key, value in pairs(headers) do
    if key:lower() == name then
      return value
    end
  end
  return ""
end

function request()
  local current = products[item]
  started_ms = now_ms()
  if step == "add" or step == "remove" then
    local body = "csrfmiddlewaretoken=" .. csrf_token .. "&product=" .. current.product
    return post("/interests/shortlist/" .. step .. "/", body .. "&next=%2Finterests%2Fshortlist%2F")
  elseif step == "form" then
    return wrk.format("GET", "/interests/shortlist/", { ["Cookie"] = cookie })
  end
  -- A submission key unique to this run, thread and submission, in the UUID form the form expects.
  submitted = submitted + 1
  local key = string.format("%s-%04x-4000-8000-%012x", key_prefix, thread_number, submitted)
  local body = template
    :gsub("{csrf}", csrf_token)
    :gsub("{key}", key)
    :gsub("{product}", current.product)
    :gsub("{listing}", current.listing)
  return post("/interests/shortlist/", body)
end

function response(status, headers, body)
  common.count_status(status)
  local elapsed = now_ms() - started_ms
  local ok
  if step == "add" or step == "remove" then
    ok = status == 302
  elseif step == "form" then
    ok = status == 200
  else
    ok = status == 302 and header(headers, "location"):find("/submitted/", 1, true) ~= nil
  end

  if step == "add" then
    table.insert(add_ms, elapsed)
  elseif step == "form" then
    table.insert(form_ms, elapsed)
  elseif step == "submit" then
    table.insert(submit_ms, elapsed)
  end
  if ok then
    step_ok[step] = (step_ok[step] or 0) + 1
  else
    step_failed[step] = step_failed[step] + 1
    local what = step .. " " .. status
    failures[what] = (failures[what] or 0) + 1
  end

  -- The next step. The form is submitted even when the add or the form page failed: the submission then
  -- fails too, and is counted, rather than skipped.
  if step == "add" then
    step = "form"
  elseif step == "form" then
    step = "submit"
  elseif step == "submit" and not ok then
    step = "remove"
  else
    step = "add"
    item = item % #products + 1
  end
end

function done(summary, latency, requests)
  local step_ms = {}
  for _, step in ipairs({ "add", "form", "submit" }) do
    step_ms[step] = {}
    for _, thread in ipairs(threads) do
      for _, value in ipairs(thread:get(step .. "_ms") or {}) do
        table.insert(step_ms[step], value)
      end
    end
  end
  common.report(summary, latency, threads, {
    step_ms = step_ms,
    step_ok = common.sum_counts(threads, "step_ok"),
    step_failed = common.sum_counts(threads, "step_failed"),
    failures = common.sum_counts(threads, "failures"),
  })
end
