-- wrk script: each connection creates an invoice (POST /invoice/create with X-API-Key) and then
-- pays it in USDT (POST /invoice/pay, which derives the deposit address). KEY comes from the
-- environment (bench/invoices.sh sets it).
local key = os.getenv("KEY")
local headers = {["Content-Type"] = "application/json", ["X-API-Key"] = key}
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  pending = {}
  paid = 0
  failed = 0
end

function request()
  local id = table.remove(pending)
  if id then
    return wrk.format("POST", "/invoice/pay", headers, string.format('{"idInvoice":%s,"coin_id":6}', id))
  end
  return wrk.format("POST", "/invoice/create", headers, '{"amount":10,"coin_id":1,"product_id":1}')
end

function response(status, hdrs, body)
  if status ~= 200 then
    failed = failed + 1
    return
  end
  local id = string.match(body, '"invoice_id":(%d+)')
  if id then
    table.insert(pending, id)
  elseif string.match(body, '"address"') then
    paid = paid + 1
  end
end

function done(summary, latency, requests)
  local total_paid, total_failed = 0, 0
  for _, t in ipairs(threads) do
    total_paid = total_paid + t:get("paid")
    total_failed = total_failed + t:get("failed")
  end
  io.write(string.format("wrk_paid=%d\nwrk_failed=%d\n", total_paid, total_failed))
end
