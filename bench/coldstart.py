"""Cold start of each Lambda function, measured against a local Lambda
Runtime API on loopback.

For every function this serves the Runtime API's `next` / `response`
endpoints, starts the release binary as Lambda would (the runtime's
environment variables, ACCOUNTS_BACKEND=aws), and times

  init:  process start -> its first `GET .../invocation/next` (everything
         `main` does once per cold start: tracing, config, AWS SDK clients)
  first: process start -> the first response posted, for a sample event
         from events/ that reaches DynamoDB (moto on loopback)

The baseline is `bench/hello-lambda`, lambda_http's hello world built by
the same profile and started by the same harness with the same event:
what a function adds to it is its own. Each function is built on its own
(`cargo build -p NAME`), so that it links only its adapters, as deployed.

Usage: python3 bench/coldstart.py [RUNS]   (builds the binaries first)
"""

import json
import os
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_env import ROOT, emulator_python  # noqa: E402
BASELINE = "hello-lambda"
FUNCTIONS = {
    # function crate -> a sample event it serves
    BASELINE: "get-me.json",
    "sms-codes": "create-sms-code.json",
    "sign-up": "create-account.json",
    "set-password": "set-password.json",
    "sessions": "get-me.json",
    "forgot-password": "reset-password.json",
    "change-password": "change-password.json",
    "verification": "get-verification.json",
    "operator": "ops-list-verifications.json",
    "deletion": "get-deletion.json",
    "sub-accounts": "list-sub-accounts.json",
    "security": "list-sessions.json",
    "contact-details": "change-phone.json",
    "appeals": "file-appeal.json",
    "passkeys": "begin-passkey-sign-in.json",
    "unmatched": "unmatched/wrong-method.json",
    "queue-watch": "scheduled/queue-watch.json",
    "appeal-hold": "scheduled/appeal-hold.json",
}
PREFIX = "/2018-06-01/runtime"


class RuntimeApi(ThreadingHTTPServer):
    """One invocation per process: hands out `event`, records the times."""

    daemon_threads = True

    def arm(self, event: bytes):
        self.event = event
        self.next_at = None
        self.response_at = None
        self.response = None
        self.done = threading.Event()


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def do_GET(self):
        server = self.server
        if self.path != f"{PREFIX}/invocation/next":
            self.send_error(404)
            return
        if server.next_at is not None:
            # The function asks for its second event: keep it waiting.
            server.done.wait(30)
            time.sleep(30)
            return
        server.next_at = time.perf_counter()
        self.send_response(200)
        self.send_header("Lambda-Runtime-Aws-Request-Id", "coldstart-1")
        self.send_header("Lambda-Runtime-Deadline-Ms", str(int(time.time() * 1000) + 30_000))
        self.send_header(
            "Lambda-Runtime-Invoked-Function-Arn",
            "arn:aws:lambda:us-east-1:000000000000:function:coldstart",
        )
        self.send_header("Lambda-Runtime-Trace-Id", "Root=1-00000000-000000000000000000000000")
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(server.event)))
        self.end_headers()
        self.wfile.write(server.event)

    def do_POST(self):
        server = self.server
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        server.response_at = time.perf_counter()
        server.response = (self.path, body)
        self.send_response(202)
        self.send_header("Content-Length", "0")
        self.end_headers()
        server.done.set()


def lambda_env(port: int, function: str, endpoint: str) -> dict:
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "AWS_LAMBDA_RUNTIME_API": f"127.0.0.1:{port}",
        "AWS_LAMBDA_FUNCTION_NAME": function,
        "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "512",
        "AWS_LAMBDA_LOG_GROUP_NAME": f"/aws/lambda/{function}",
        "AWS_LAMBDA_LOG_STREAM_NAME": "coldstart",
        "AWS_REGION": "us-east-1",
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_ENDPOINT_URL": endpoint,
        "ACCOUNTS_BACKEND": "aws",
        "ACCOUNTS_TABLE": "accounts",
        "ACCOUNTS_BUCKET": "accounts-materials",
        "ACCOUNTS_FORGOT_MIN_MILLIS": "0",
        "RUST_LOG": "warn",
    }


def cold_start(binary: Path, function: str, event: bytes, endpoint: str, extra_env=None):
    server = RuntimeApi(("127.0.0.1", 0), Handler)
    server.arm(event)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    env = lambda_env(server.server_address[1], function, endpoint) | (extra_env or {})
    started = time.perf_counter()
    process = subprocess.Popen([str(binary)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    finished = server.done.wait(30)
    peak_kib = peak_memory_kib(process.pid)
    process.kill()
    _, stderr = process.communicate()
    server.shutdown()
    server.server_close()
    if not finished or server.next_at is None:
        raise SystemExit(f"{function}: no response\n{stderr.decode(errors='replace')}")
    path, body = server.response
    if not path.endswith("/response"):
        raise SystemExit(f"{function}: {path} {body!r}")
    status = (json.loads(body) or {}).get("statusCode", "–") if body else "–"
    return (server.next_at - started) * 1e3, (server.response_at - started) * 1e3, status, peak_kib


def peak_memory_kib(pid: int) -> int:
    """The process's peak resident set (VmHWM) so far, in KiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def start_emulator(python):
    port = 5077
    emulator = subprocess.Popen(
        [str(python), str(ROOT / "scripts/emulator.py"), str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    endpoint = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            urllib.request.urlopen(f"{endpoint}/moto-api/", timeout=1)
            return emulator, endpoint
        except OSError:
            time.sleep(0.1)
    raise SystemExit("the emulator did not start")


def build(function: str):
    subprocess.run(["cargo", "build", "--release", "--locked", "-q", "-p", function], cwd=ROOT, check=True)


def provision(endpoint: str):
    """The table, bucket and key in the emulator, made by `accounts-dev`
    (functions cannot: provisioning is linked into the dev server only),
    which creates them before it listens."""
    port = 5078
    env = lambda_env(0, "accounts-dev", endpoint) | {
        "ACCOUNTS_CREATE_TABLE": "1",
        "ACCOUNTS_ADDR": f"127.0.0.1:{port}",
    }
    server = subprocess.Popen([str(ROOT / "target/release/accounts-dev")], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(200):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=1)
                return
            except urllib.error.HTTPError:
                return
            except OSError:
                time.sleep(0.1)
        raise SystemExit("accounts-dev did not provision the emulator")
    finally:
        server.kill()


def main():
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 20
    python = emulator_python()  # before the builds: a missing tool fails at once
    for function in [*FUNCTIONS, "accounts-dev"]:
        build(function)
    emulator, endpoint = start_emulator(python)
    try:
        target = ROOT / "target/release"
        provision(endpoint)
        print(f"{runs} cold starts per function, interleaved; times in ms from process start\n")
        samples = {function: [] for function in FUNCTIONS}
        for _ in range(runs):
            for function, event_file in FUNCTIONS.items():
                event = (ROOT / "events" / event_file).read_bytes()
                samples[function].append(cold_start(target / function, function, event, endpoint))
        baseline = statistics.median(s[0] for s in samples[BASELINE])
        print("| function | binary bytes | init p50 | init p90 | init ÷ baseline | first response p50 "
              "| first p90 | peak RSS MiB | status |")
        print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
        for function, runs_of in samples.items():
            inits = [s[0] for s in runs_of]
            firsts = [s[1] for s in runs_of]
            size = (target / function).stat().st_size
            peak = max(s[3] for s in runs_of) / 1024
            print(
                f"| {function} | {size:,} | {statistics.median(inits):.1f} | {percentile(inits, 0.9):.1f} "
                f"| {statistics.median(inits) / baseline:.2f} | {statistics.median(firsts):.1f} "
                f"| {percentile(firsts, 0.9):.1f} | {peak:.1f} | {runs_of[0][2]} |"
            )
    finally:
        emulator.kill()


if __name__ == "__main__":
    main()
