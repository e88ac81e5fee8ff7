#!/usr/bin/env bash
# Internal transfers per second through HTTP (wrk) beside the same transfers booked directly by
# the service in a loop, on PostgreSQL and SQLite; prints both rates, their ratio, and runs the
# ledger check at the end.
#
#   ./bench/transfers.sh                 # DURATION=20 CONCURRENCY=16 by default
#   BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres ./bench/transfers.sh
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${DURATION:-20}
CONCURRENCY=${CONCURRENCY:-16}
PG_ADMIN=${BENCH_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres}

command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }
cargo build --release -q --bin paygate --example bench_transfers
BIN=target/release/paygate
DRIVER=target/release/examples/bench_transfers

run() {
  local backend=$1 url=$2 dir port pid
  dir=$(mktemp -d)
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  export DATABASE_URL=$url PAYGATE_DATA_DIR=$dir PAYGATE_LISTEN=127.0.0.1:$port PAYGATE_RATE_LIMITS=off PAYGATE_LOG=warn
  $BIN serve >"$dir/server.log" 2>&1 &
  pid=$!
  for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$port/health/ready" >/dev/null && break; sleep 0.1; done
  eval "$($DRIVER setup --base "http://127.0.0.1:$port" --mail-dir "$dir/mail")"
  export TOKEN FROM TO
  local wrk_out http_rate direct_rate
  wrk_out=$(wrk -t2 -c"$CONCURRENCY" -d"${DURATION}s" -s bench/transfer.lua "http://127.0.0.1:$port")
  http_rate=$(printf '%s\n' "$wrk_out" | awk '/Requests\/sec/ {print $2}')
  kill "$pid"; wait "$pid" 2>/dev/null || true
  direct_out=$($DRIVER direct --seconds "$DURATION" --concurrency "$CONCURRENCY" --token "$TOKEN" --from "$FROM" --to "$TO")
  direct_rate=$(printf '%s\n' "$direct_out" | awk -F= '/direct_rate/ {print $2}')
  printf '%s\n' "$wrk_out" | grep -E 'Latency|wrk_non_2xx' | sed "s/^/[$backend] /"
  printf '[%s] http %s transfers/s, direct %s transfers/s, ratio %s\n' "$backend" "$http_rate" "$direct_rate" \
    "$(python3 -c "print(round($http_rate/$direct_rate, 2))")"
  $BIN ledger check | sed "s/^/[$backend] ledger check: /" | head -1
  rm -rf "$dir"
}

db=paygate_bench_$$
if psql "$PG_ADMIN" -qc "CREATE DATABASE $db" 2>/dev/null; then
  base=${PG_ADMIN%/*}
  run postgres "$base/$db"
  psql "$PG_ADMIN" -qc "DROP DATABASE $db WITH (FORCE)"
else
  echo "[postgres] skipped: cannot create a database at $PG_ADMIN"
fi
run sqlite "sqlite://$(mktemp -d)/bench.db?mode=rwc"
