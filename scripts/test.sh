#!/usr/bin/env bash
# The whole test suite: installs what the tests need when it is missing, then runs every test
# with cargo-nextest on SQLite and — when TEST_DATABASE_URL is set — PostgreSQL too.
#
#   ./scripts/test.sh                      # SQLite only
#   TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres ./scripts/test.sh
#
# Extra arguments go to `cargo nextest run` (e.g. a test name filter).
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '==> %s\n' "$*" >&2; }

apt_install() {
  if [ "$(id -u)" -ne 0 ]; then
    log "need root to apt-get install $*; install it yourself"
    return 1
  fi
  DEBIAN_FRONTEND=noninteractive apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

if ! cargo nextest --version >/dev/null 2>&1; then
  log "installing cargo-nextest"
  cargo install --locked cargo-nextest
fi

# The checkout's browser test: Debian's Chromium driven by the pinned npm playwright-core.
if [ ! -x /usr/bin/chromium ]; then
  log "installing Chromium"
  apt_install chromium
fi
# The EVM watcher tests: a real node (npm @foundry-rs/anvil) and the Solidity compiler (npm solc).
# Each folder's pinned packages are installed from its lock file when missing.
for pkg in crates/paygate/tests/browser:playwright-core crates/paygate/tests/evm:@foundry-rs/anvil; do
  dir=${pkg%%:*} module=${pkg#*:}
  if [ ! -d "$dir/node_modules/$module" ]; then
    if ! command -v npm >/dev/null 2>&1; then
      log "installing Node.js"
      apt_install nodejs npm
    fi
    log "installing the npm packages of $dir"
    npm ci --prefix "$dir" --no-audit --no-fund --loglevel=error
  fi
done

if [ -n "${TEST_DATABASE_URL:-}" ]; then
  if ! command -v pg_isready >/dev/null 2>&1; then
    log "installing PostgreSQL"
    apt_install postgresql postgresql-client
  fi
  host=$(printf '%s' "$TEST_DATABASE_URL" | sed -E 's#^[a-z]+://([^@/]*@)?([^:/?]+).*#\2#')
  port=$(printf '%s' "$TEST_DATABASE_URL" | sed -nE 's#^[a-z]+://([^@/]*@)?[^:/?]+:([0-9]+).*#\2#p')
  port=${port:-5432}
  if ! pg_isready -q -h "$host" -p "$port"; then
    log "PostgreSQL on $host:$port is down: starting the installed cluster"
    if command -v pg_ctlcluster >/dev/null 2>&1 && [ -d /etc/postgresql ]; then
      for v in $(ls /etc/postgresql); do
        pg_ctlcluster --skip-systemctl-redirect "$v" main start || true
      done
    fi
    for _ in $(seq 1 30); do pg_isready -q -h "$host" -p "$port" && break; sleep 1; done
    pg_isready -h "$host" -p "$port"
  fi
  # Databases of interrupted earlier runs.
  if command -v psql >/dev/null 2>&1; then
    psql "$TEST_DATABASE_URL" -Atqc "SELECT datname FROM pg_database WHERE datname LIKE 'paygate\_t\_%'" 2>/dev/null |
      while read -r db; do psql "$TEST_DATABASE_URL" -qc "DROP DATABASE IF EXISTS \"$db\" WITH (FORCE)" >/dev/null 2>&1 || true; done
  fi
  log "testing on SQLite and PostgreSQL ($host:$port)"
else
  log "TEST_DATABASE_URL not set: testing on SQLite only"
fi

profile=default
[ "${CI:-}" = "true" ] && profile=ci
exec cargo nextest run --workspace --profile "$profile" "$@"
