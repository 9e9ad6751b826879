"""Cold and warm starts of every function on the deployed shape: the release
bootstrap binaries run by ministack as Lambda runs them (scripts/stack, IAM
enforced), beside the bare `lambda_http` hello (bench/hello-lambda) deployed
into the same emulator as one more function.

For each run and each function, interleaved: its configuration is touched
(an environment variable changed), which retires its environment as Lambda
does, so the next invocation starts the binary afresh; that invocation is
timed (*cold*: process start, init, the request, through the emulator's
Invoke API), then a second one (*warm*: the same environment). The sample
events are bench/coldstart.py's; each reaches DynamoDB on the emulator.
Times are the caller's, so they include the emulator's own Python per
invocation. (On this ministack a warm invocation of a `provided` runtime
takes ~30 ms longer than a cold one, and hello-lambda pays ~40 ms more than
the functions on every call; neither cause was traced, so BENCHMARKS.md
reads these rows as the emulator's, not the functions'.)
appeals keeps its uniform-timing floor (ACCOUNTS_FORGOT_MIN_MILLIS, 300 ms)
on the stack, as deployed.

Usage: python3 bench/stack_coldstart.py [RUNS]   (default 5; starts
`scripts/stack --release --no-wait` if no stack is up and stops it after)
"""

import io
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
STACK_PYTHON = ROOT / ".stack/venv/bin/python"
ENDPOINTS = ROOT / ".stack/endpoints.json"
BASELINE = "hello-lambda"


def in_stack_venv():
    """Re-runs this script with the stack's Python (boto3, PyYAML), making
    the stack first if none is up; returns whether this run started it."""
    if os.environ.get("STACK_COLDSTART_STARTED") is not None:
        return os.environ["STACK_COLDSTART_STARTED"] == "1"
    started = not stack_is_up()
    if started:
        print("starting the stack: scripts/stack --release --no-wait …", file=sys.stderr)
        subprocess.run([str(ROOT / "scripts/stack"), "--release", "--no-wait"], cwd=ROOT, check=True,
                       stdout=subprocess.DEVNULL)
    os.environ["STACK_COLDSTART_STARTED"] = "1" if started else "0"
    os.execv(str(STACK_PYTHON), [str(STACK_PYTHON), *sys.argv])


def stack_is_up():
    if not ENDPOINTS.exists() or not (ROOT / ".stack/emulator.pid").exists():
        return False
    try:
        os.killpg(int((ROOT / ".stack/emulator.pid").read_text()), 0)
        return True
    except (OSError, ValueError):
        return False


def stop_stack():
    subprocess.run([str(ROOT / "scripts/stack"), "--stop"], cwd=ROOT, check=True)


def deployed_functions(lambda_client, cloudformation):
    """{binary: deployed function name} of every function in the template."""
    sys.path.insert(0, str(ROOT / "scripts"))
    import stack  # noqa: E402  (scripts/stack.py: the template's functions)

    pages = cloudformation.get_paginator("list_stack_resources").paginate(StackName=stack.STACK_NAME)
    physical = {r["LogicalResourceId"]: r["PhysicalResourceId"] for page in pages for r in page["StackResourceSummaries"]}
    return {binary: physical[logical] for logical, binary in stack.functions()}


def deploy_baseline(lambda_client, like):
    """hello-lambda, built as the stack builds the functions, deployed with
    the runtime, memory and role of `like`."""
    subprocess.run(["cargo", "build", "--release", "--locked", "-q", "-p", BASELINE], cwd=ROOT, check=True)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        info = zipfile.ZipInfo("bootstrap")
        info.external_attr = 0o755 << 16
        with tempfile.TemporaryDirectory() as directory:
            stripped = Path(directory) / "bootstrap"
            subprocess.run(["strip", "-o", str(stripped), str(ROOT / "target/release" / BASELINE)], check=True)
            archive.writestr(info, stripped.read_bytes())
    config = lambda_client.get_function_configuration(FunctionName=like)
    name = f"bench-{BASELINE}"
    try:
        lambda_client.delete_function(FunctionName=name)
    except lambda_client.exceptions.ResourceNotFoundException:
        pass
    lambda_client.create_function(FunctionName=name, Runtime=config["Runtime"], Handler="bootstrap",
                                  Role=config["Role"], MemorySize=config["MemorySize"],
                                  Architectures=config.get("Architectures", ["x86_64"]),
                                  Code={"ZipFile": buffer.getvalue()}, Environment={"Variables": {}})
    return name


def retire_environment(lambda_client, name, generation):
    """Changes one variable, as a deploy would: the next invocation is cold."""
    variables = lambda_client.get_function_configuration(FunctionName=name).get("Environment", {}).get("Variables", {})
    variables["BENCH_GENERATION"] = str(generation)
    lambda_client.update_function_configuration(FunctionName=name, Environment={"Variables": variables})
    for _ in range(100):
        if lambda_client.get_function_configuration(FunctionName=name).get("LastUpdateStatus") in (None, "Successful"):
            return
        time.sleep(0.05)


def invoke(lambda_client, name, event):
    started = time.perf_counter()
    answer = lambda_client.invoke(FunctionName=name, Payload=event)
    elapsed = (time.perf_counter() - started) * 1e3
    payload = answer["Payload"].read()
    if answer.get("FunctionError"):
        raise SystemExit(f"{name} failed: {payload[:300]!r}")
    status = (json.loads(payload) or {}).get("statusCode", "–") if payload.strip() else "–"
    return elapsed, status


def main():
    started_stack = in_stack_venv()
    import boto3  # noqa: E402  (the stack's venv)

    sys.path.insert(0, str(ROOT / "bench"))
    from coldstart import FUNCTIONS  # noqa: E402  (function -> sample event)

    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    endpoints = json.loads(ENDPOINTS.read_text())
    keys = {"aws_access_key_id": "test", "aws_secret_access_key": "test"}
    session = boto3.session.Session(region_name=endpoints["region"], **keys)
    lambda_client = session.client("lambda", endpoint_url=endpoints["emulator_url"])
    cloudformation = session.client("cloudformation", endpoint_url=endpoints["emulator_url"])
    try:
        names = deployed_functions(lambda_client, cloudformation)
        # The baseline in the middle of each round, not first: the first
        # invocation after the previous round's last is not like the others.
        functions = list(names.items())
        middle = len(functions) // 2
        baseline = (BASELINE, deploy_baseline(lambda_client, names["sessions"]))
        names = dict([*functions[:middle], baseline, *functions[middle:]])
        events = {binary: (ROOT / "events" / FUNCTIONS[binary]).read_bytes() for binary in names}
        samples = {binary: [] for binary in names}
        print(f"{runs} cold starts per function on the stack, interleaved; caller's times in ms\n")
        for generation in range(runs):
            for binary, name in names.items():
                retire_environment(lambda_client, name, f"{time.time_ns()}-{generation}")
                cold, status = invoke(lambda_client, name, events[binary])
                warm, _ = invoke(lambda_client, name, events[binary])
                samples[binary].append((cold, warm, status))
        base_cold = statistics.median(s[0] for s in samples[BASELINE])
        print("| function | cold p50 | cold max | cold ÷ hello's | warm p50 | status |")
        print("|---|---:|---:|---:|---:|---:|")
        for binary, of in samples.items():
            cold = statistics.median(s[0] for s in of)
            warm = statistics.median(s[1] for s in of)
            print(f"| {binary} | {cold:.1f} | {max(s[0] for s in of):.1f} | {cold / base_cold:.2f} | {warm:.1f} "
                  f"| {of[0][2]} |")
    finally:
        if started_stack:
            stop_stack()


if __name__ == "__main__":
    main()
