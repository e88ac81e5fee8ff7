#!/usr/bin/env bash
# Invoices created and paid per second — POST /invoice/create then POST /invoice/pay (address
# derivation included) — through HTTP (wrk, X-API-Key) beside the same two service calls made
# directly in a loop, and beside only the rows they write inserted straight through the store;
# on PostgreSQL (and SQLite with BACKENDS="postgres sqlite"); prints the rates and ratios, and
# runs the ledger check at the end.
#
#   ./bench/invoices.sh                  # DURATION=20 CONCURRENCY=16 by default
source "$(dirname "$0")/lib.sh"
build_drivers bench_invoices
DRIVER=target/release/examples/bench_invoices

measure() {
  local backend=$1 port=$2 dir=$3 wrk_out paid http_rate direct_out direct_rate inserts_out inserts_rate
  eval "$($DRIVER setup --base "http://127.0.0.1:$port" --mail-dir "$dir/mail")"
  export KEY
  wrk_out=$(wrk -t2 -c"$CONCURRENCY" -d"${DURATION}s" -s bench/invoice.lua "http://127.0.0.1:$port")
  paid=$(printf '%s\n' "$wrk_out" | awk -F= '/wrk_paid/ {print $2}')
  http_rate=$(python3 -c "print(round($paid/$DURATION, 1))")
  stop_server
  direct_out=$($DRIVER direct --seconds "$DURATION" --concurrency "$CONCURRENCY" --key "$KEY")
  direct_rate=$(printf '%s\n' "$direct_out" | awk -F= '/direct_rate/ {print $2}')
  inserts_out=$($DRIVER inserts --seconds "$DURATION" --concurrency "$CONCURRENCY" --key "$KEY")
  inserts_rate=$(printf '%s\n' "$inserts_out" | awk -F= '/direct_rate/ {print $2}')
  printf '%s\n' "$wrk_out" | grep -E 'Latency|Requests/sec|wrk_failed' | sed "s/^/[$backend] /"
  printf '%s\n' "$direct_out" | grep direct_failed | sed "s/^/[$backend] /"
  printf '%s\n' "$inserts_out" | grep direct_failed | sed "s/^/[$backend] inserts: /"
  printf '[%s] http %s invoices/s, direct service calls %s (ratio %s), bare inserts %s (ratio %s)\n' "$backend" \
    "$http_rate" "$direct_rate" "$(ratio "$http_rate" "$direct_rate")" "$inserts_rate" "$(ratio "$http_rate" "$inserts_rate")"
}

# shellcheck disable=SC2086
on_each_backend ${BACKENDS:-postgres}
