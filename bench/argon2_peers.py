"""argon2id in process: ours beside libsodium and argon2-cffi, in one run.

At the service's parameters (argon2id, m = 19456 KiB, t = 2, p = 1, 32-byte
output, one password and 16-byte salt) this hashes with

  - argon2 0.5 (the crate the service links, its memory kept between hashes
    as the service keeps one buffer per permit), the same allocating each
    time, and argon2 0.6: bench/src/bin/argon2-hash.rs, release profile;
  - libsodium through PyNaCl (`crypto_pwhash_alg`, ALG_ARGON2ID13);
  - argon2-cffi (`hash_secret_raw`, the reference C with its optimised core),
  - @node-rs/argon2, better-auth's hasher (`hashRawSync`; the argon2-rust
    crate, which dispatches to AVX-512 or NEON at run time):
    bench/peers/node-argon2/hash.mjs, installed from npm when missing,

checks that all give the same 32 bytes, and times them in interleaved rounds
(each round runs every implementation BATCH times) so that the machine's
drift falls on all alike. Prints the median per hash and the ratio to
libsodium's. Python's call overhead is microseconds against milliseconds.

Usage: python3 bench/argon2_peers.py [ROUNDS] [BATCH]   (default 10 x 5)
"""

import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_env import ROOT, reexec_in_bench_venv  # noqa: E402

PASSWORD = b"Gpu#Cl0ud-bench9"
SALT = b"somesaltsomesalt"
T, KIB, P = 2, 19456, 1


def ours(batch):
    binary = ROOT / "target/release/argon2-hash"
    out = subprocess.run([str(binary), SALT.decode(), str(T), str(KIB), str(P), str(batch)],
                         input=PASSWORD, capture_output=True, check=True).stdout.decode()
    for line in out.splitlines():
        name, digest, *times = line.split()
        yield name, digest, [float(t) for t in times]


NODE_ARGON2 = ROOT / "bench/peers/node-argon2"


def node_rs(batch):
    if not (NODE_ARGON2 / "node_modules").exists():
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund", "--quiet"], cwd=NODE_ARGON2, check=True)
    out = subprocess.run(["node", "hash.mjs", SALT.decode(), str(T), str(KIB), str(P), str(batch)],
                         cwd=NODE_ARGON2, input=PASSWORD, capture_output=True, check=True).stdout.decode()
    name, digest, *times = out.split()
    return name, digest, [float(t) for t in times]


def timed(batch, hash_once):
    times, digest = [], None
    for _ in range(batch):
        start = time.perf_counter()
        digest = hash_once()
        times.append((time.perf_counter() - start) * 1e3)
    return digest.hex(), times


def libsodium():
    from nacl import bindings
    return lambda: bindings.crypto_pwhash_alg(32, PASSWORD, SALT, T, KIB * 1024,
                                              bindings.crypto_pwhash_ALG_ARGON2ID13)


def argon2_cffi():
    from argon2.low_level import Type, hash_secret_raw
    return lambda: hash_secret_raw(PASSWORD, SALT, time_cost=T, memory_cost=KIB, parallelism=P,
                                   hash_len=32, type=Type.ID)


def main():
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 10
    batch = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    subprocess.run(["cargo", "build", "--release", "--locked", "-q", "-p", "accounts-bench",
                    "--bin", "argon2-hash"], cwd=ROOT, check=True)
    peers = {"libsodium (PyNaCl)": libsodium(), "argon2-cffi": argon2_cffi()}
    times, digests = {}, {}
    for _ in range(rounds):
        for name, digest, runs in ours(batch):
            times.setdefault(name, []).extend(runs)
            digests[name] = digest
        for name, hash_once in peers.items():
            digest, runs = timed(batch, hash_once)
            times.setdefault(name, []).extend(runs)
            digests[name] = digest
        name, digest, runs = node_rs(batch)
        times.setdefault(name, []).extend(runs)
        digests[name] = digest
    if len(set(digests.values())) != 1:
        raise SystemExit(f"the hashes differ: {digests}")
    print(f"same hash from all: {next(iter(digests.values()))}")
    print(f"argon2id m={KIB} KiB t={T} p={P}, {rounds} rounds x {batch}, median and p90 per hash:")
    sodium = statistics.median(times["libsodium (PyNaCl)"])
    for name, runs in times.items():
        median = statistics.median(runs)
        p90 = statistics.quantiles(runs, n=10)[-1]
        print(f"  {name:20} {median:7.2f} ms  p90 {p90:7.2f} ms  {median / sodium:5.2f}x libsodium")


if __name__ == "__main__":
    reexec_in_bench_venv()
    main()
