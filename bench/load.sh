#!/usr/bin/env bash
# accounts-dev (release build, embedded backend) under load from loopback, on
# this machine's cores (the load generators share them with the server):
#   1. the sign-up walk, CUSTOMERS customers, CONCURRENCY at once (loadgen),
#      then every answered account checked active: no lost writes;
#   2. GET /v1/me with wrk;
#   3. GET /v1/me with wrk while another wrk signs in without pause, so that
#      argon2 runs flat out: does hashing starve other requests?
# and the server's memory after each phase. Needs wrk (apt-get install wrk).
set -euo pipefail
cd "$(dirname "$0")/.."
command -v wrk >/dev/null || { echo "needs wrk: apt-get install wrk" >&2; exit 2; }
cargo build --release --locked -q -p accounts-dev -p accounts-bench --bins

data=$(mktemp -d)
port=${PORT:-3090}
base=http://127.0.0.1:$port
# The load sends more SMS than a day's budget, from one loopback network.
ACCOUNTS_SMS_DAILY_BUDGET=100000000 ACCOUNTS_LIMIT_SMS_PER_NETWORK_HOUR=100000000 \
ACCOUNTS_ADDR=127.0.0.1:$port ACCOUNTS_DATA_DIR=$data ACCOUNTS_OPS_TOKEN=load RUST_LOG=error \
    target/release/accounts-dev >/dev/null &
pid=$!
trap 'kill $pid 2>/dev/null; rm -rf "$data"' EXIT
for _ in $(seq 100); do curl -fs "$base/_dev/outbox?to=nobody" >/dev/null && break; sleep 0.1; done

memory() { grep -E 'VmRSS|VmHWM' /proc/$pid/status | tr -s ' \t' ' ' | paste -sd' '; }
echo "== idle: $(memory)"

echo "== 1. sign-up walk"
export CUSTOMERS=${CUSTOMERS:-2000}
target/release/loadgen "$base" load "$CUSTOMERS" "${CONCURRENCY:-32}"
echo "== after the walk: $(memory)"

session=$(curl -fs -X POST "$base/v1/sessions" -H 'content-type: application/json' \
    -d '{"login":"load0x0","password":"Gpu#Cl0ud-load9"}' | sed 's/.*"token":"\([^"]*\)".*/\1/')
duration=${DURATION:-20s}

# wrk counts but does not fail on error answers and socket errors: we do.
no_errors() { ! grep -E "Non-2xx|Socket errors" "$1" >&2; }

echo "== 2. GET /v1/me"
wrk -t2 -c64 -d"$duration" --latency -H "authorization: Bearer $session" "$base/v1/me" | tee /tmp/accounts-me.txt
no_errors /tmp/accounts-me.txt
echo "== after GET /v1/me: $(memory)"

echo "== 3. GET /v1/me while sign-ins hash without pause"
wrk -t1 -c8 -d"$duration" --latency -s bench/sign-in.lua "$base/v1/sessions" > /tmp/accounts-sign-in-storm.txt &
storm=$!
sleep 1
wrk -t1 -c32 -d"$duration" --latency -H "authorization: Bearer $session" "$base/v1/me" | tee /tmp/accounts-me.txt
wait $storm
echo "-- the sign-in storm alongside:"
cat /tmp/accounts-sign-in-storm.txt
no_errors /tmp/accounts-me.txt
no_errors /tmp/accounts-sign-in-storm.txt
echo "== after the storm: $(memory)"
