#!/usr/bin/env bash
# Internal transfers per second through HTTP (wrk) beside the same transfers booked directly by
# the service in a loop, on PostgreSQL and SQLite; prints both rates, their ratio, and runs the
# ledger check at the end.
#
#   ./bench/transfers.sh                 # DURATION=20 CONCURRENCY=16 by default
#   BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres ./bench/transfers.sh
source "$(dirname "$0")/lib.sh"
build_drivers bench_transfers
DRIVER=target/release/examples/bench_transfers

measure() {
  local backend=$1 port=$2 dir=$3 wrk_out http_rate direct_out direct_rate
  eval "$($DRIVER setup --base "http://127.0.0.1:$port" --mail-dir "$dir/mail")"
  export TOKEN FROM TO
  wrk_out=$(wrk -t2 -c"$CONCURRENCY" -d"${DURATION}s" -s bench/transfer.lua "http://127.0.0.1:$port")
  http_rate=$(printf '%s\n' "$wrk_out" | awk '/Requests\/sec/ {print $2}')
  stop_server
  direct_out=$($DRIVER direct --seconds "$DURATION" --concurrency "$CONCURRENCY" --token "$TOKEN" --from "$FROM" --to "$TO")
  direct_rate=$(printf '%s\n' "$direct_out" | awk -F= '/direct_rate/ {print $2}')
  printf '%s\n' "$wrk_out" | grep -E 'Latency|wrk_non_2xx' | sed "s/^/[$backend] /"
  printf '[%s] http %s transfers/s, direct %s transfers/s, ratio %s\n' "$backend" "$http_rate" "$direct_rate" \
    "$(ratio "$http_rate" "$direct_rate")"
}

on_each_backend postgres sqlite
