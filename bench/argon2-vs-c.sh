#!/usr/bin/env bash
# argon2id at the service's parameters: our argon2 crate (release build) vs
# the reference C implementation (Debian's `argon2`), process against process.
# Both must print the same raw hash; hyperfine then times them.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v argon2 >/dev/null && command -v hyperfine >/dev/null \
    || { echo "needs: apt-get install argon2 hyperfine" >&2; exit 2; }
cargo build --release -q -p accounts-bench --bin argon2-hash
ours=target/release/argon2-hash
salt=somesaltsomesalt
a=$(printf 'Gpu#Cl0ud-bench9' | $ours $salt 2 19456 1)
b=$(printf 'Gpu#Cl0ud-bench9' | argon2 $salt -id -t 2 -k 19456 -p 1 -l 32 -r)
[ "$a" = "$b" ] || { echo "hashes differ: $a vs $b" >&2; exit 1; }
echo "same hash: $a"
hyperfine -N --warmup 5 --runs "${RUNS:-100}" \
    -n "rust argon2 crate" "sh -c \"printf 'Gpu#Cl0ud-bench9' | $ours $salt 2 19456 1\"" \
    -n "C reference (Debian argon2)" "sh -c \"printf 'Gpu#Cl0ud-bench9' | argon2 $salt -id -t 2 -k 19456 -p 1 -l 32 -r\"" \
    "$@"
