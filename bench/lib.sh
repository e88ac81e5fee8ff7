# Shared by the benchmark scripts: build, a server per backend, the backends to run on.
# A script sources this, defines `measure BACKEND PORT DIR`, and calls `on_each_backend`.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
DURATION=${DURATION:-20}
CONCURRENCY=${CONCURRENCY:-16}
PG_ADMIN=${BENCH_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres}
BIN=target/release/paygate

command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }

# build_drivers EXAMPLE...: the release server and the named driver examples.
build_drivers() {
  local args=(--bin paygate)
  for e in "$@"; do args+=(--example "$e"); done
  cargo build --release -q "${args[@]}"
}

# run_on BACKEND DATABASE_URL: starts a server on a free port, calls `measure`, stops it.
run_on() {
  local backend=$1 url=$2 dir port
  dir=$(mktemp -d)
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  export DATABASE_URL=$url PAYGATE_DATA_DIR=$dir PAYGATE_LISTEN=127.0.0.1:$port PAYGATE_RATE_LIMITS=off PAYGATE_LOG=warn
  $BIN serve >"$dir/server.log" 2>&1 &
  SERVER_PID=$!
  for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$port/health/ready" >/dev/null && break; sleep 0.1; done
  measure "$backend" "$port" "$dir"
  stop_server
  $BIN ledger check | sed "s/^/[$backend] ledger check: /" | head -1
  rm -rf "$dir"
}

stop_server() {
  if [ -n "${SERVER_PID:-}" ]; then
    kill "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
    SERVER_PID=
  fi
}

ratio() {
  python3 -c "print(round($1/$2, 2) if $2 else 'n/a')"
}

# on_each_backend [postgres] [sqlite]: PostgreSQL in a throw-away database, then SQLite.
on_each_backend() {
  local want=" $* "
  if [[ "$want" == *" postgres "* ]]; then
    local db=paygate_bench_$$
    if psql "$PG_ADMIN" -qc "CREATE DATABASE $db" 2>/dev/null; then
      run_on postgres "${PG_ADMIN%/*}/$db"
      psql "$PG_ADMIN" -qc "DROP DATABASE $db WITH (FORCE)"
    else
      echo "[postgres] skipped: cannot create a database at $PG_ADMIN"
    fi
  fi
  if [[ "$want" == *" sqlite "* ]]; then
    run_on sqlite "sqlite://$(mktemp -d)/bench.db?mode=rwc"
  fi
}
