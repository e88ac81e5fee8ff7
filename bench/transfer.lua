-- wrk script: POST /api/transfer with a unique order_id per request.
-- TOKEN, FROM, TO come from the environment (bench/transfers.sh sets them).
local token = os.getenv("TOKEN")
local from = os.getenv("FROM")
local to = os.getenv("TO")
local counter = 0
local thread_id = 0

function setup(thread)
  thread_id = thread_id + 1
  thread:set("tid", thread_id)
end

function request()
  counter = counter + 1
  local body = string.format('{"amount":"0.01","from_balance_id":%s,"order_id":"wrk-%s-%d","product_id":1,"to_owner_id":%s}', from, tid, counter, to)
  return wrk.format("POST", "/api/transfer", {["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. token}, body)
end

local errors = 0
function response(status, headers, body)
  if status ~= 204 then errors = errors + 1 end
end

function done(summary, latency, requests)
  io.write(string.format("wrk_non_2xx=%d\n", summary.errors.status))
end
