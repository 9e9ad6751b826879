#!/usr/bin/env bash
# Runs every fuzz target for a bounded time (SECONDS_PER_TARGET, default 60)
# on the kept corpus, then minimises the corpus. Needs a nightly toolchain
# and cargo-fuzz (`cargo install cargo-fuzz`). Not part of the test command:
# the figures go to BENCHMARKS.md.
set -euo pipefail
cd "$(dirname "$0")"
seconds=${SECONDS_PER_TARGET:-60}
for target in $(cargo +nightly fuzz list); do
    mkdir -p "corpus/$target"
    cargo +nightly fuzz build -O "$target" 2>/dev/null
    out=$(cargo +nightly fuzz run -O "$target" "corpus/$target" -- \
        -max_total_time="$seconds" -rss_limit_mb=2048 -print_final_stats=1 2>&1) || {
        echo "$out" | tail -40; echo "== $target: FAILED" >&2; exit 1; }
    runs=$(echo "$out" | grep -o 'Done [0-9]* runs' | grep -o '[0-9]*')
    cov=$(echo "$out" | grep -o 'cov: [0-9]*' | tail -1 | grep -o '[0-9]*')
    cargo +nightly fuzz cmin -O "$target" "corpus/$target" >/dev/null 2>&1
    echo "| $target | ${seconds} s | $runs | $cov | $(ls "corpus/$target" | wc -l) | 0 |"
done
