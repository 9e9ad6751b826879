"""The service beside the peers a user would otherwise pick, in one run.

On this machine's cores, one after another, with the same load generator
(wrk) and the same two loads:

  read:    an authenticated read, `wrk -t2 -c64` for DURATION seconds:
           ours GET /v1/me (session token), fastapi-users GET /users/me
           (JWT bearer), better-auth GET /api/auth/get-session (bearer);
  sign-in: a sign-in storm, `wrk -t1 -c8` for DURATION seconds, every
           password argon2id at m = 19456 KiB, t = 2, p = 1;

then prints each figure and ours / the faster peer. During our storm a
fixed-rate probe (bench/src/bin/probe.rs, PROBE_RATE/s) reads GET /v1/me, and
the hashing ceiling `cores / one hash's time` is measured in the same run
(bench/src/bin/argon2-hash.rs, as the service hashes).

Peers: bench/peers/fastapi_users_app.py (uvicorn with uvloop and httptools,
one worker per core) and bench/peers/better-auth/server.mjs (node:cluster,
one worker per core). Each keeps its data in SQLite in a temporary
directory; ours runs `accounts-dev` on its embedded store (redb).

Usage: python3 bench/peers.py [DURATION_SECONDS]   (default 15; installs
wrk with apt-get and the peers from PyPI and npm if missing)
"""

import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import urllib.parse
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_env import ROOT, VENV, reexec_in_bench_venv, wait_for  # noqa: E402

PASSWORD = "Gpu#Cl0ud-load9"
CUSTOMERS = 200
PROBE_RATE = 100
CORES = os.cpu_count()
BETTER_AUTH = ROOT / "bench/peers/better-auth"


def http(method, url, body=None, headers=None, form=False):
    data = None
    headers = dict(headers or {})
    if body is not None:
        data = urllib.parse.urlencode(body).encode() if form else json.dumps(body).encode()
        headers["content-type"] = "application/x-www-form-urlencoded" if form else "application/json"
    request = urllib.request.Request(url, data=data, headers=headers, method=method)
    with urllib.request.urlopen(request, timeout=30) as response:
        text = response.read()
        return response.status, json.loads(text) if text else None


def wrk(args, url, env=None):
    out = subprocess.run(["wrk", *args, "--latency", url], capture_output=True, text=True, check=True,
                         env={**os.environ, **(env or {})}).stdout
    if re.search(r"Non-2xx|Socket errors", out):
        raise SystemExit(f"wrk saw errors:\n{out}")
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)\b", out)
    scale = {"us": 1e-3, "ms": 1.0, "s": 1e3}[p99.group(2)]
    return rate, float(p99.group(1)) * scale


def storm(peer, url, duration):
    lua = str(ROOT / "bench/peers/sign-in.lua")
    env = {"PEER": peer, "CUSTOMERS": str(CUSTOMERS), "PASSWORD": PASSWORD}
    return wrk(["-t1", "-c8", f"-d{duration}s", "-s", lua], url, env)


def read(url, header, duration):
    return wrk(["-t2", "-c64", f"-d{duration}s", "-H", header], url)


def ours(duration, data):
    port = 3191
    base = f"http://127.0.0.1:{port}"
    env = {**os.environ, "ACCOUNTS_ADDR": f"127.0.0.1:{port}", "ACCOUNTS_DATA_DIR": str(data / "ours"),
           "ACCOUNTS_OPS_TOKEN": "load", "RUST_LOG": "error", "ACCOUNTS_SMS_DAILY_BUDGET": "100000000",
           "ACCOUNTS_LIMIT_SMS_PER_NETWORK_HOUR": "100000000"}
    server = subprocess.Popen([str(ROOT / "target/release/accounts-dev")], env=env, stdout=subprocess.DEVNULL)
    try:
        wait_for(f"{base}/_dev/outbox?to=nobody")
        subprocess.run([str(ROOT / "target/release/loadgen"), base, "load", str(CUSTOMERS), "16"],
                       check=True, stdout=subprocess.DEVNULL)
        _, session = http("POST", f"{base}/v1/sessions", {"login": "load0x0", "password": PASSWORD})
        token = session["token"]
        results = {"read": read(f"{base}/v1/me", f"authorization: Bearer {token}", duration)}
        probe = subprocess.Popen([str(ROOT / "target/release/probe"), f"{base}/v1/me", token, str(PROBE_RATE),
                                  str(duration - 2)], stdout=subprocess.PIPE, text=True)
        results["sign-in"] = storm("ours", f"{base}/v1/sessions", duration)
        fields = probe.communicate()[0].split()
        results["probe"] = dict(zip(fields[::2], map(float, fields[1::2])))
        return results
    finally:
        server.kill()


def fastapi_users(duration, data):
    port = 3192
    base = f"http://127.0.0.1:{port}"
    app_dir = str(ROOT / "bench/peers")
    env = {**os.environ, "PEER_DB": str(data / "fastapi-users.db")}
    subprocess.run([str(VENV / "bin/python"), "-c",
                    "import asyncio, fastapi_users_app as a; asyncio.run(a.create_db_and_tables())"],
                   cwd=app_dir, env=env, check=True)
    server = subprocess.Popen([str(VENV / "bin/uvicorn"), "fastapi_users_app:app", "--port", str(port),
                               "--workers", str(CORES), "--loop", "uvloop", "--http", "httptools",
                               "--log-level", "warning", "--no-access-log"], cwd=app_dir, env=env)
    try:
        wait_for(f"{base}/docs")
        for i in range(CUSTOMERS):
            http("POST", f"{base}/auth/register", {"email": f"bench{i}@example.com", "password": PASSWORD})
        _, login = http("POST", f"{base}/auth/jwt/login", {"username": "bench0@example.com", "password": PASSWORD},
                        form=True)
        token = login["access_token"]
        return {"read": read(f"{base}/users/me", f"authorization: Bearer {token}", duration),
                "sign-in": storm("fastapi-users", f"{base}/auth/jwt/login", duration)}
    finally:
        server.terminate()
        server.wait()


def better_auth(duration, data):
    port = 3193
    base = f"http://127.0.0.1:{port}"
    if not (BETTER_AUTH / "node_modules").exists():
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=BETTER_AUTH, check=True)
    env = {**os.environ, "PORT": str(port), "PEER_DB": str(data / "better-auth.db"), "WORKERS": str(CORES)}
    server = subprocess.Popen(["node", "server.mjs"], cwd=BETTER_AUTH, env=env)
    try:
        wait_for(f"{base}/api/auth/ok")
        for i in range(CUSTOMERS):
            http("POST", f"{base}/api/auth/sign-up/email",
                 {"email": f"bench{i}@example.com", "password": PASSWORD, "name": f"bench{i}"})
        _, signed_in = http("POST", f"{base}/api/auth/sign-in/email",
                            {"email": "bench0@example.com", "password": PASSWORD})
        token = signed_in["token"]
        return {"read": read(f"{base}/api/auth/get-session", f"authorization: Bearer {token}", duration),
                "sign-in": storm("better-auth", f"{base}/api/auth/sign-in/email", duration)}
    finally:
        server.terminate()
        server.wait()


def hash_ceiling():
    out = subprocess.run([str(ROOT / "target/release/argon2-hash"), "somesaltsomesalt", "2", "19456", "1", "40"],
                         input=PASSWORD.encode(), capture_output=True, check=True).stdout.decode()
    line = next(line for line in out.splitlines() if line.startswith("argon2-0.5 "))
    median = statistics.median(float(t) for t in line.split()[2:])
    return median, CORES / (median / 1e3)


def main():
    duration = int(sys.argv[1]) if len(sys.argv) > 1 else 15
    if not shutil.which("wrk"):
        subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=True)
    subprocess.run(["cargo", "build", "--release", "--locked", "-q", "-p", "accounts-dev", "-p", "accounts-bench",
                    "--bin", "accounts-dev", "--bin", "loadgen", "--bin", "probe", "--bin", "argon2-hash"],
                   cwd=ROOT, check=True)
    with tempfile.TemporaryDirectory() as data:
        data = Path(data)
        hash_ms, ceiling = hash_ceiling()
        results = {"ours": ours(duration, data)}
        hash_after, ceiling_after = hash_ceiling()
        results["fastapi-users"] = fastapi_users(duration, data)
        results["better-auth"] = better_auth(duration, data)
    print(f"\n{CORES} cores, {duration} s per load, wrk on the same cores\n")
    print("| | ours | fastapi-users | better-auth | ours ÷ faster peer |")
    print("|---|---:|---:|---:|---:|")
    for load in ("read", "sign-in"):
        peers = [results[p][load] for p in ("fastapi-users", "better-auth")]
        best = max(rate for rate, _ in peers)
        cells = " | ".join(f"{rate:,.0f}/s, p99 {p99:.1f} ms" for rate, p99 in [results["ours"][load], *peers])
        print(f"| {load} | {cells} | {results['ours'][load][0] / best:.1f}× |")
    signins = results["ours"]["sign-in"][0]
    probe = results["ours"]["probe"]
    print(f"\nargon2id per hash (the service's way, median of 40): {hash_ms:.2f} ms before, {hash_after:.2f} ms after"
          f" our storm; ceiling {CORES} cores / hash = {ceiling:.0f} and {ceiling_after:.0f} sign-ins/s")
    print(f"our sign-ins: {signins:.0f}/s = {signins / ceiling:.0%} and {signins / ceiling_after:.0%} of the ceiling;"
          f" {signins / CORES:.0f} per core = {signins / CORES / 15:.1f}x Keycloak's sizing guide (15 per vCPU)")
    print(f"GET /v1/me during the storm, {PROBE_RATE}/s fixed rate: {probe['requests']:.0f} requests,"
          f" {probe['errors']:.0f} errors, p50 {probe['p50_ms']:.2f} ms, p99 {probe['p99_ms']:.2f} ms,"
          f" max {probe['max_ms']:.2f} ms")


if __name__ == "__main__":
    reexec_in_bench_venv()
    main()
