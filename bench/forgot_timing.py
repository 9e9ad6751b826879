#!/usr/bin/env python3
"""Compares the answer time of POST /v1/password/forgot for a known and an
unknown login against a running accounts-dev (embedded backend), and of the
SMS sign-in routes (POST /v1/sms-codes with purpose sign_in, POST
/v1/sessions/sms with a wrong code) for a known and an unknown phone.

    cargo build --release -p accounts-dev
    ACCOUNTS_DATA_DIR=$(mktemp -d) target/release/accounts-dev &
    python3 bench/forgot_timing.py [BASE_URL] [ROUNDS]

Requests alternate between the two logins; the dev clock is moved an hour
forward every few rounds so that rate limits never answer instead. A timing
comparison is a benchmark, not a test: it prints figures and never fails a
build.
"""

import json
import re
import statistics
import sys
import time
import urllib.error
import urllib.request

BASE = sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:3000"
ROUNDS = int(sys.argv[2]) if len(sys.argv) > 2 else 100


def call(method, path, body=None):
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(BASE + path, data=data, method=method, headers={"content-type": "application/json"})
    started = time.perf_counter()
    with urllib.request.urlopen(request) as response:
        payload = response.read()
        return response.status, payload, time.perf_counter() - started


def outbox():
    return json.loads(call("GET", "/_dev/outbox")[1])


def create_account():
    phone = "+8613912345678"
    call("POST", "/v1/sms-codes", {"phone": phone, "purpose": "sign_up"})
    code = re.search(r"\b\d{6}\b", [m for m in outbox() if m["to"] == phone][-1]["text"]).group()
    body = {"username": "timing", "email": "timing@example.com", "phone": phone, "sms_code": code, "accept_terms": True}
    call("POST", "/v1/accounts", body)
    token = re.search(r"token=([A-Za-z0-9._-]+)", outbox()[-1]["text"]).group(1)
    call("POST", "/v1/password/set", {"token": token, "password": "Bench#Gpu-Pass1"})


def percentile(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(p / 100 * len(values)))]


def main():
    try:
        outbox()
    except OSError:
        raise SystemExit(f"no accounts-dev at {BASE}: start one first, as the top of bench/forgot_timing.py shows")
    create_account()
    timings = {"known": [], "unknown": []}
    for round_ in range(ROUNDS):
        if round_ % 4 == 0:
            call("POST", "/_dev/clock", {"advance_seconds": 3601})
        for kind, login in (("known", "timing"), ("unknown", f"nobody{round_}")):
            status, body, seconds = call("POST", "/v1/password/forgot", {"login": login})
            assert (status, body) == (202, b"{}"), (status, body)
            timings[kind].append(seconds * 1000)
    for kind, values in timings.items():
        print(f"{kind:8} n={len(values)} median={statistics.median(values):.1f} ms "
              f"p90={percentile(values, 90):.1f} ms max={max(values):.1f} ms")
    diff = statistics.median(timings["known"]) - statistics.median(timings["unknown"])
    print(f"median difference (known - unknown): {diff:+.2f} ms")
    sms_sign_in(ROUNDS)


def sms_sign_in(rounds):
    """The SMS sign-in routes for the account's phone and an unknown one; a
    day passes each round, so the phone's and the client's limits and the
    login names' lockouts never answer instead."""
    phones = {"known": "+8613912345678", "unknown": "+8613912340000"}
    timings = {f"{route} {kind}": [] for route in ("code", "sign-in") for kind in phones}
    for _ in range(rounds):
        call("POST", "/_dev/clock", {"advance_seconds": 86_401})
        for kind, phone in phones.items():
            status, body, seconds = call("POST", "/v1/sms-codes", {"phone": phone, "purpose": "sign_in"})
            assert status == 202, (status, body)
            timings[f"code {kind}"].append(seconds * 1000)
            try:
                call("POST", "/v1/sessions/sms", {"phone": phone, "sms_code": "000000"})
            except urllib.error.HTTPError as refused:
                assert refused.code == 401, refused.code
            started = time.perf_counter()
            try:
                call("POST", "/v1/sessions/sms", {"phone": phone, "sms_code": "000001"})
            except urllib.error.HTTPError:
                pass
            timings[f"sign-in {kind}"].append((time.perf_counter() - started) * 1000)
    for name, values in timings.items():
        print(f"{name:16} n={len(values)} median={statistics.median(values):.1f} ms "
              f"p90={percentile(values, 90):.1f} ms max={max(values):.1f} ms")


if __name__ == "__main__":
    main()
