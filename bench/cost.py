"""The cost of one million sign-ups and one million sign-ins, at list prices.

Inputs, each printed with where it comes from:
  - DynamoDB calls and capacity units per request: measured on the wire by
    bench/dynamo_calls.py (run it first; it writes target/dynamo_calls.json);
  - Lambda CPU per request: the flows benchmark's p50 (hashing excluded) and
    one argon2id hash as the service computes it (bench/src/bin/argon2-hash.rs,
    measured here when this runs), scaled to the function's share of a vCPU
    (Lambda gives one full vCPU at 1,769 MB);
  - Lambda wall time per request: that CPU time plus a round trip per
    DynamoDB call and per email or SMS sent, at the latencies below, which
    are assumptions (typical in-region figures), not measurements;
  - prices: AWS's public list prices for us-east-1 (arm64 Lambda, DynamoDB
    on-demand, HTTP API, SES), as of this file's date.

A sign-up is three requests (POST /v1/sms-codes: one SMS; POST /v1/accounts:
the invitation email; POST /v1/password/set: one argon2id hash); a sign-in
is one (POST /v1/sessions: one argon2id verification; the sign-in notice
email goes only to a new device, not counted). SMS is priced apart: SNS
charges by destination country.

Usage: python3 bench/cost.py
"""

import json
import statistics
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

PRICES = {  # us-east-1 list prices, USD (2026-11-27)
    "lambda_arm64_gb_second": 0.0000133334,
    "lambda_request": 0.20 / 1e6,
    "http_api_request": 1.00 / 1e6,
    "dynamodb_wru": 0.625 / 1e6,
    "dynamodb_rru": 0.125 / 1e6,
    "ses_email": 0.10 / 1e3,
}
LATENCY_MS = {"dynamodb_call": 5.0, "ses_send": 30.0, "sns_publish": 50.0}  # assumptions
FULL_VCPU_MB = 1769

# request -> (memory MB, flows-benchmark p50 µs (BENCHMARKS.md, 2 Dec), hashes,
# emails, SMS); memory
# from infra/template.yaml (HashingMemorySize for functions that hash).
REQUESTS = {
    "POST /v1/sms-codes": (256, 30, 0, 0, 1),
    "POST /v1/accounts": (256, 38, 0, 1, 0),
    "POST /v1/password/set (activation)": (1024, 31, 1, 0, 0),
    "POST /v1/sessions": (1024, 47, 1, 0, 0),
}
JOURNEYS = {
    "sign-up": ["POST /v1/sms-codes", "POST /v1/accounts", "POST /v1/password/set (activation)"],
    "sign-in": ["POST /v1/sessions"],
}


def hash_ms():
    subprocess.run(["cargo", "build", "--release", "--locked", "-q", "-p", "accounts-bench", "--bin", "argon2-hash"],
                   cwd=ROOT, check=True)
    out = subprocess.run([str(ROOT / "target/release/argon2-hash"), "somesaltsomesalt", "2", "19456", "1", "20"],
                         input=b"Gpu#Cl0ud-cost9", capture_output=True, check=True).stdout.decode()
    line = next(line for line in out.splitlines() if line.startswith("argon2-0.5 "))
    return statistics.median(float(t) for t in line.split()[2:])


def main():
    calls = ROOT / "target/dynamo_calls.json"
    if not calls.exists():
        raise SystemExit("needs the measured DynamoDB calls: run python3 bench/dynamo_calls.py first")
    measured = json.loads(calls.read_text())
    one_hash = hash_ms()
    print(f"argon2id, one hash on one core of this machine: {one_hash:.1f} ms (median of 20)\n")
    print("| request | memory MB | DynamoDB calls | RRU | WRU | CPU ms | wall ms | GB-s |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    per_request = {}
    for name, (memory, cpu_us, hashes, emails, sms) in REQUESTS.items():
        calls, rru, wru = measured[name]["calls"], measured[name]["rru"], measured[name]["wru"]
        share = min(1.0, memory / FULL_VCPU_MB)
        cpu_ms = (cpu_us / 1e3 + hashes * one_hash) / share
        wall_ms = cpu_ms + calls * LATENCY_MS["dynamodb_call"] + emails * LATENCY_MS["ses_send"] \
            + sms * LATENCY_MS["sns_publish"]
        gb_s = wall_ms / 1e3 * memory / 1024
        per_request[name] = (gb_s, rru, wru, emails, sms)
        print(f"| `{name}` | {memory} | {calls} | {rru:g} | {wru:g} | {cpu_ms:.1f} | {wall_ms:.1f} | {gb_s:.4f} |")
    print("\n| one million … | Lambda compute | Lambda requests | HTTP API | DynamoDB | SES | total, SMS apart | SMS |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for journey, names in JOURNEYS.items():
        rows = [per_request[n] for n in names]
        compute = sum(r[0] for r in rows) * PRICES["lambda_arm64_gb_second"] * 1e6
        requests = len(rows) * PRICES["lambda_request"] * 1e6
        api = len(rows) * PRICES["http_api_request"] * 1e6
        dynamo = sum(r[1] * PRICES["dynamodb_rru"] + r[2] * PRICES["dynamodb_wru"] for r in rows) * 1e6
        ses = sum(r[3] for r in rows) * PRICES["ses_email"] * 1e6
        sms = sum(r[4] for r in rows)
        total = compute + requests + api + dynamo + ses
        print(f"| {journey}s | ${compute:,.2f} | ${requests:,.2f} | ${api:,.2f} | ${dynamo:,.2f} | ${ses:,.2f} "
              f"| **${total:,.2f}** | {sms * 1e6:,.0f} × the destination's SNS price |")


if __name__ == "__main__":
    main()
