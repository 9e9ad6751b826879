"""DynamoDB requests and bytes per flow, counted on the wire.

Starts moto (scripts/emulator.py), a counting proxy in front of it, and
accounts-dev on the aws backend pointed at the proxy; walks every flow over
HTTP and prints, per request, the DynamoDB operations it made with their
request and response body bytes (SES, SNS and S3 requests pass uncounted).

Usage: python3 bench/dynamo_calls.py   (prepares .venv with moto itself, as ./scripts/test does)
"""

import http.client
import json
import os
import re
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_env import emulator_python, wait_for  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
EMULATOR_PORT, PROXY_PORT, DEV_PORT = 5078, 5079, 3078
BASE = f"http://127.0.0.1:{DEV_PORT}"
MOTO = f"http://127.0.0.1:{EMULATOR_PORT}"
OPS = "bench-ops-token"
# accounts-dev runs the scheduled functions at start-up and then this often.
SCHEDULE_SECS = 60
PASSWORD = "Gpu#Cl0ud-calls9"

calls = []  # (operation, request bytes, response bytes, read units, write units)
lock = threading.Lock()


class Proxy(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def forward(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0) or 0))
        upstream = http.client.HTTPConnection("127.0.0.1", EMULATOR_PORT)
        headers = {k: v for k, v in self.headers.items() if k.lower() != "connection"}
        upstream.request(self.command, self.path, body=body, headers=headers)
        response = upstream.getresponse()
        payload = response.read()
        target = self.headers.get("X-Amz-Target", "")
        if target.startswith("DynamoDB_20120810."):
            operation = target.split(".", 1)[1]
            reads, writes = capacity(operation, json.loads(body or b"{}"), json.loads(payload or b"{}"))
            with lock:
                calls.append((operation, len(body), len(payload), reads, writes))
        self.send_response(response.status)
        for key, value in response.getheaders():
            if key.lower() not in ("content-length", "transfer-encoding", "connection", "server", "date"):
                self.send_header(key, value)
        # A HEAD answer has no body but the length of the object it describes.
        length = response.getheader("Content-Length", "0") if self.command == "HEAD" else str(len(payload))
        self.send_header("Content-Length", length)
        self.end_headers()
        self.wfile.write(payload)

    do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = forward


def value_size(value):
    """DynamoDB's size of one attribute value, in bytes (its documented rules:
    strings and binaries by length, numbers ~1 byte per two digits + 1,
    lists and maps 3 bytes + their elements)."""
    (kind, v), = value.items()
    if kind == "S":
        return len(v.encode())
    if kind == "N":
        return len(v.strip("-").replace(".", "")) // 2 + 1
    if kind == "B":
        return len(v) * 3 // 4
    if kind in ("BOOL", "NULL"):
        return 1
    if kind == "L":
        return 3 + sum(value_size(x) + 1 for x in v)
    if kind == "M":
        return 3 + sum(len(k.encode()) + value_size(x) + 1 for k, x in v.items())
    return sum(len(str(x)) for x in v)  # sets


def item_size(item):
    return sum(len(name.encode()) + value_size(v) for name, v in (item or {}).items())


def units(size, unit):
    return max(1, -(-size // unit))


def capacity(operation, request, response):
    """Read and write capacity units a request costs on demand, from the
    sizes on the wire. Items updated or deleted in place are taken as under
    1 KB (their size is not on the wire; ours are counters, guards and
    markers), consistent reads count 1 unit per 4 KB, eventual 0.5, and
    transactions twice."""
    read_factor = 1 if request.get("ConsistentRead") else 0.5
    if operation == "GetItem":
        return units(item_size(response.get("Item")), 4096) * read_factor, 0
    if operation == "Query":
        return units(sum(item_size(i) for i in response.get("Items", [])), 4096) * read_factor, 0
    if operation == "PutItem":
        return 0, units(item_size(request.get("Item")), 1024)
    if operation in ("UpdateItem", "DeleteItem"):
        return 0, 1
    if operation == "TransactWriteItems":
        writes = 0
        for entry in request.get("TransactItems", []):
            put = entry.get("Put")
            writes += 2 * (units(item_size(put["Item"]), 1024) if put else 1)
        return 0, writes
    if operation == "TransactGetItems":
        return sum(2 * units(item_size(r.get("Item")), 4096) for r in response.get("Responses", [])), 0
    return 0, 0


def request(method, path, body=None, token=None):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(BASE + path, data=data, method=method)
    if data is not None:
        req.add_header("content-type", "application/json")
    if token:
        req.add_header("authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(req) as response:
            text = response.read()
            return response.status, json.loads(text) if text else None
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read() or b"null")


def sent_to(recipient):
    """The newest message the emulator's SES or SNS took for `recipient`."""
    data = json.load(urllib.request.urlopen(f"{MOTO}/moto-api/data.json"))
    texts = [m["message"] for m in data["sns"]["SMS"] if m["phone_number"] == recipient]
    for email in data["ses"]["Message"]:
        if recipient in email["destinations"]["ToAddresses"]:
            texts.append(email["body"])
    return texts[-1]


def code_for(phone):
    return re.search(r"\b(\d{6})\b", sent_to(phone)).group(1)


def token_for(email):
    return re.search(r"token=([A-Za-z0-9._-]+)", sent_to(email)).group(1)


rows = []


def measured(label, method, path, body=None, token=None, expect=None):
    with lock:
        calls.clear()
    status, answer = request(method, path, body, token)
    if expect is not None and status != expect:
        raise SystemExit(f"{label}: {status} {answer}")
    with lock:
        ops = Counter(c[0] for c in calls)
        sent = sum(c[1] for c in calls)
        received = sum(c[2] for c in calls)
        reads = sum(c[3] for c in calls)
        writes = sum(c[4] for c in calls)
        rows.append((label, status, len(calls), ", ".join(f"{n} {op}" for op, n in ops.items()), sent, received,
                     reads, writes))
    return answer


def settle():
    """Waits until accounts-dev's scheduled work at start-up (appeal-hold,
    queue-watch: Queries of their own) has made its calls, so that none is
    counted against the first request measured; main checks that the walk
    ends before the next run."""
    while True:
        with lock:
            before = len(calls)
        time.sleep(1)
        with lock:
            if len(calls) == before:
                return


def walk():
    phone, user, email = "+8613700000001", "calls1", "calls1@example.com"
    measured("POST /v1/sms-codes", "POST", "/v1/sms-codes", {"phone": phone, "purpose": "sign_up"}, expect=202)
    body = {"username": user, "email": email, "phone": phone, "sms_code": code_for(phone), "accept_terms": True}
    account = measured("POST /v1/accounts", "POST", "/v1/accounts", body, expect=201)
    body = {"token": token_for(email), "password": PASSWORD, "phone": phone}
    measured("POST /v1/password/set (activation)", "POST", "/v1/password/set", body, expect=204)
    body = {"login": user, "password": PASSWORD}
    session = measured("POST /v1/sessions", "POST", "/v1/sessions", body, expect=201)["token"]
    body = {"login": user, "password": "Wrong#Pass1"}
    measured("POST /v1/sessions (wrong password)", "POST", "/v1/sessions", body, expect=401)
    body = {"login": "nobody-here", "password": "Wrong#Pass1"}
    measured("POST /v1/sessions (no account)", "POST", "/v1/sessions", body, expect=401)
    measured("GET /v1/me", "GET", "/v1/me", token=session, expect=200)
    measured("POST /v1/password/forgot (account)", "POST", "/v1/password/forgot", {"login": user}, expect=202)
    measured("POST /v1/password/forgot (no account)", "POST", "/v1/password/forgot", {"login": "nobody"}, expect=202)
    body = {"token": token_for(email), "password": PASSWORD + "x"}
    measured("POST /v1/password/set (reset link)", "POST", "/v1/password/set", body, expect=204)
    # The phone's SMS cooldown (60 s) still runs from the sign-up code.
    request("POST", "/_dev/clock", {"advance_seconds": 61})
    body = {"login": user, "method": "sms"}
    measured("POST /v1/password/forgot (sms)", "POST", "/v1/password/forgot", body, expect=202)
    body = {"login": user, "sms_code": code_for(phone), "password": PASSWORD}
    measured("POST /v1/password/reset", "POST", "/v1/password/reset", body, expect=204)
    session = request("POST", "/v1/sessions", {"login": user, "password": PASSWORD})[1]["token"]
    body = {"current_password": PASSWORD, "new_password": PASSWORD + "y"}
    measured("PUT /v1/me/password", "PUT", "/v1/me/password", body, session, expect=204)
    body = {"username": "callsub1", "email": "callsub1@example.com"}
    measured("POST /v1/me/sub-accounts", "POST", "/v1/me/sub-accounts", body, session, expect=201)
    measured("GET /v1/me/sub-accounts", "GET", "/v1/me/sub-accounts", token=session, expect=200)
    pdf = b"%PDF-1.4\n" + b"0" * 2000
    body = {"file_name": "id.pdf", "content_type": "application/pdf", "size": len(pdf)}
    material = measured("POST /v1/me/verification/materials", "POST", "/v1/me/verification/materials", body, session)
    upload = urllib.request.Request(material["upload_url"], data=pdf, method="PUT")
    upload.add_header("content-type", "application/pdf")
    urllib.request.urlopen(upload).read()
    body = {
        "type": "individual",
        "real_name": "李雷",
        "id_type": "cn_resident_id",
        "id_number": "11010519491231002X",
        "material_ids": [material["material_id"]],
    }
    measured("POST /v1/me/verification", "POST", "/v1/me/verification", body, session, expect=202)
    measured("GET /v1/me/verification", "GET", "/v1/me/verification", token=session, expect=200)
    queue = "/ops/v1/verifications?status=pending_review"
    measured("GET /ops/v1/verifications", "GET", queue, token=OPS, expect=200)
    aid = account["account_id"]
    measured("GET /ops/v1/verifications/{id}", "GET", f"/ops/v1/verifications/{aid}", token=OPS, expect=200)
    path = f"/ops/v1/verifications/{aid}/decision"
    measured("POST /ops/v1/verifications/{id}/decision", "POST", path, {"decision": "approve"}, OPS, expect=200)
    measured("GET /ops/v1/accounts/{username}", "GET", f"/ops/v1/accounts/{user}", token=OPS, expect=200)
    body = {"password": PASSWORD + "y"}
    request_id = measured("POST /v1/me/deletion-request", "POST", "/v1/me/deletion-request", body, session)
    path = f"/ops/v1/deletion-requests/{request_id['request_id']}/decision"
    measured("POST /ops/v1/deletion-requests/{id}/decision (approve)", "POST", path, {"decision": "approve"}, OPS)
    measured("DELETE /v1/sessions/current (after deletion)", "DELETE", "/v1/sessions/current", token=session)


def main():
    python = emulator_python()
    subprocess.run(["cargo", "build", "--locked", "-q", "-p", "accounts-dev"], cwd=ROOT, check=True)
    emulator = subprocess.Popen([str(python), str(ROOT / "scripts/emulator.py"), str(EMULATOR_PORT)],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    proxy = ThreadingHTTPServer(("127.0.0.1", PROXY_PORT), Proxy)
    threading.Thread(target=proxy.serve_forever, daemon=True).start()
    env = os.environ | {
        "ACCOUNTS_BACKEND": "aws", "ACCOUNTS_CREATE_TABLE": "1", "ACCOUNTS_ADDR": f"127.0.0.1:{DEV_PORT}",
        "ACCOUNTS_OPS_TOKEN": OPS, "ACCOUNTS_FORGOT_MIN_MILLIS": "0", "ACCOUNTS_PUBLIC_URL": BASE,
        "AWS_ENDPOINT_URL": f"http://127.0.0.1:{PROXY_PORT}", "AWS_REGION": "us-east-1",
        "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "RUST_LOG": "warn",
    }
    wait_for(f"{MOTO}/moto-api/")
    dev = subprocess.Popen([str(ROOT / "target/debug/accounts-dev")], env=env, stdout=subprocess.DEVNULL)
    try:
        wait_for(f"{BASE}/v1/me")
        up = time.monotonic()
        settle()
        walk()
        if time.monotonic() - up > SCHEDULE_SECS - 5:
            raise SystemExit("the walk ran into accounts-dev's next scheduled run; its calls may be counted: re-run")
        print(f"(walked in {time.monotonic() - up:.1f} s of accounts-dev's {SCHEDULE_SECS} s schedule)")
    finally:
        dev.kill()
        emulator.kill()
        proxy.shutdown()
    print("| request | status | DynamoDB calls | operations | bytes sent | bytes received | RRU | WRU |")
    print("|---|---:|---:|---|---:|---:|---:|---:|")
    for label, status, n, ops, sent, received, reads, writes in rows:
        print(f"| `{label}` | {status} | {n} | {ops} | {sent:,} | {received:,} | {reads:g} | {writes:g} |")
    out = ROOT / "target/dynamo_calls.json"
    out.write_text(json.dumps({label: {"calls": n, "rru": reads, "wru": writes} for label, _, n, _, _, _, reads, writes
                               in rows}, indent=1))
    print(f"\n(written to {out.relative_to(ROOT)} for bench/cost.py)")


if __name__ == "__main__":
    main()
