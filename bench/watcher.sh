#!/usr/bin/env bash
# The EVM watcher on a real node (anvil): the time to read one block of 1,000 ERC-20 transfers
# while 100 and while 100,000 addresses are watched, their ratio (aim <= 1.2), and the delay from
# a mined payment to its invoice turning paid with the watcher polling. PostgreSQL by default
# (BACKENDS="postgres sqlite" adds SQLite); the ledger check runs at the end.
#
#   ./bench/watcher.sh                   # TRANSFERS=1000 SMALL=100 LARGE=100000 ROUNDS=9 POLL_MS=200
source "$(dirname "$0")/lib.sh"
build_drivers bench_watcher
DRIVER=target/release/examples/bench_watcher
EVM=crates/paygate/tests/evm
[ -d "$EVM/node_modules/@foundry-rs/anvil" ] || npm ci --prefix "$EVM" --no-audit --no-fund --loglevel=error
ANVIL=$(ls "$EVM"/node_modules/@foundry-rs/anvil-*/bin/anvil | head -1)
SOLC_OUT=$(mktemp -d)
(cd "$EVM" && node_modules/.bin/solcjs --bin --optimize -o "$SOLC_OUT" TestToken.sol >/dev/null)

# run_on BACKEND DATABASE_URL: this benchmark drives the watcher in its own process, no server.
run_on() {
  local backend=$1 url=$2 dir anvil_pid anvil_url out
  dir=$(mktemp -d)
  # A block holds the 1,000 transfers only with a gas limit above mainnet's.
  "$ANVIL" --host 127.0.0.1 --port 0 --chain-id 31337 --gas-limit 1000000000 >"$dir/anvil.log" 2>&1 &
  anvil_pid=$!
  for _ in $(seq 1 100); do grep -q "Listening on" "$dir/anvil.log" && break; sleep 0.1; done
  anvil_url="http://$(awk '/Listening on/ {print $3}' "$dir/anvil.log")"
  out=$(DATABASE_URL=$url PAYGATE_DATA_DIR=$dir PAYGATE_NETWORK_MODE=test PAYGATE_KYC_REQUIRED=false PAYGATE_LOG=warn \
    PAYGATE_CHAIN_DEVNET_RPC_URL=$anvil_url \
    $DRIVER --anvil "$anvil_url" --token-bin "$SOLC_OUT/TestToken_sol_TestToken.bin" --transfers "${TRANSFERS:-1000}" \
      --small "${SMALL:-100}" --large "${LARGE:-100000}" --rounds "${ROUNDS:-9}" --poll-ms "${POLL_MS:-200}")
  printf '%s\n' "$out" | sed "s/^/[$backend] /"
  kill "$anvil_pid" 2>/dev/null || true
  DATABASE_URL=$url PAYGATE_DATA_DIR=$dir $BIN ledger check | sed "s/^/[$backend] ledger check: /" | head -1
  rm -rf "$dir"
}

# shellcheck disable=SC2086
on_each_backend ${BACKENDS:-postgres}
rm -rf "$SOLC_OUT"
