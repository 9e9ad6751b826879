"""The deployed shape, run whole on this machine: the functions behind
the template's HTTP API, each under its own IAM role, on the ministack
emulator with AUTH=true (IAM enforced). See `scripts/stack` and the README.

Steps: build the functions for the host; start the emulator; upload each
function's zip to the emulator's S3 (as `sam package` would) and deploy
infra/template.yaml itself through CloudFormation with the SAM transform;
bridge the emulator's known gaps, each a documented step below (routes of
an OpenAPI-bodied HTTP API, the table's TTL, SES authorisation, plain HTTP;
saved Logs Insights queries and CloudFront's API origin and edge are bridged
in scripts/stack_emulator.py); publish web/ to the distribution as
scripts/publish-pages does; create the operators' IAM user holding exactly
the template's operator policy; write .stack/endpoints.json; stay in the
foreground until stopped.
"""

import argparse
import io
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import zipfile
from pathlib import Path
from urllib.parse import urlparse

import boto3
import yaml

import publish_pages

ROOT = Path(__file__).resolve().parent.parent
STACK_DIR = ROOT / ".stack"
STACK_NAME = "accounts"
ARTIFACTS = "stack-artifacts"
REGION = "us-east-1"
# Root-style keys: the emulator's administrator, not signature-checked.
ROOT_KEYS = {"aws_access_key_id": "test", "aws_secret_access_key": "test"}

# Every caller is 127.0.0.1 behind the emulated API, so the per-client limits
# are raised for a test run (template parameters; listed in endpoints.json).
RAISED_LIMITS = {
    "LimitSmsPerIpHour": "1000000",
    "LimitSmsPerNetworkHour": "1000000",
    "LimitForgotPerIpHour": "1000000",
    "LimitAppealsPerIpHour": "1000000",
}
# Recovery appeals wait the shortest hold the template allows (an hour; 0
# would leave an owner no time to cancel). There is no dev clock on the
# stack: a test waits a hold out by moving the approved appeal's
# effective_at into the past in the emulator's table, then invokes the
# scheduled function (tests/support: pass_appeal_hold). The WAF option is
# deployed too, so that its web ACL is created as AWS would (the emulator's
# CloudFront does not apply it: tests check what was created).
STACK_SETTINGS = {
    "AppealHoldHours": "1",
    "EnableWaf": "true",
    # Every message carries a sender name and an SMS signature, as a
    # deployment's do (a non-ASCII name goes as an RFC 2047 encoded word).
    "EmailFromName": "GPU云 Accounts",
    "SmsSignature": "【GPU云】",
}


def log(message):
    print(f"stack: {message}", flush=True)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def functions():
    """(logical id, binary) of every function in the template."""
    template = load_template()
    return [
        (name, resource["Metadata"]["BuildProperties"]["Binary"])
        for name, resource in template["Resources"].items()
        if resource["Type"] == "AWS::Serverless::Function"
    ]


class TemplateLoader(yaml.SafeLoader):
    """Reads CloudFormation's short tags as their JSON intrinsic forms."""


def _intrinsic(loader, suffix, node):
    if isinstance(node, yaml.ScalarNode):
        value = loader.construct_scalar(node)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)
    if suffix == "Ref":
        return {"Ref": value}
    if suffix == "GetAtt" and isinstance(value, str):
        value = value.split(".", 1)
    return {f"Fn::{suffix}": value}


TemplateLoader.add_multi_constructor("!", _intrinsic)


def load_template():
    return yaml.load((ROOT / "infra/template.yaml").read_text(), Loader=TemplateLoader)


def build(release):
    """Builds each function on its own, as the deployment does (the
    Makefile's `scripts/build-lambdas --package`), for the host: Cargo then
    unifies the shared crate's features over one package at a time, so each
    binary carries only its own adapters, as its zip would."""
    binaries = [binary for _, binary in functions()]
    profile = ["--release"] if release else []
    log(f"building {len(binaries)} functions for the host ({'release' if release else 'debug'}), each alone")
    for binary in binaries:
        subprocess.run(["cargo", "build", "--locked", "--quiet", *profile, "-p", binary], cwd=ROOT, check=True)
    target = ROOT / "target" / ("release" if release else "debug")
    # Debug builds carry line tables and symbols (tens of MB each), which the
    # emulator would unpack once per function: ship them stripped, as a
    # release zip is.
    shipped = STACK_DIR / "bin"
    shipped.mkdir(parents=True, exist_ok=True)
    for binary in binaries:
        subprocess.run(["strip", "-o", str(shipped / binary), str(target / binary)], check=True)
    check_binaries(shipped, binaries)
    return {binary: shipped / binary for binary in binaries}


# What only the dev server links (the `dev` feature): the embedded store
# (redb), the outbox, local documents and sealing. A deployed binary holding
# any of them was built with the workspace's features unified.
DEV_ONLY = [b"/redb-", b"store/embedded.rs", b"notify/outbox.rs", b"documents/local.rs", b"sealing/local.rs"]


def check_binaries(directory, binaries):
    for binary in binaries:
        data = (directory / binary).read_bytes()
        found = [marker.decode() for marker in DEV_ONLY if marker in data]
        if found:
            raise SystemExit(f"{binary} links what only the dev server may: {', '.join(found)}")
    log(f"no function links the dev server's store, outbox, documents or sealing ({len(binaries)} checked)")


def start_emulator(port, front_port):
    STACK_DIR.mkdir(exist_ok=True)
    env = {
        **os.environ,
        "AUTH": "true",
        "GATEWAY_PORT": str(port),
        "MINISTACK_HOST": "127.0.0.1",
        "LOG_LEVEL": os.environ.get("STACK_LOG_LEVEL", "WARNING"),
        "S3_DATA_DIR": str(STACK_DIR / "s3"),
        "STACK_IAM_LOG": str(STACK_DIR / "iam-decisions.jsonl"),
        "STACK_QUERIES": str(STACK_DIR / "saved-queries.jsonl"),
        "STACK_FRONT_PORT": str(front_port),
        "STACK_FRONT_DOMAIN": str(STACK_DIR / "front-domain"),
    }
    # The functions inherit the emulator's environment: leave nothing of
    # ours there that the template does not set.
    for name in list(env):
        if name.startswith("ACCOUNTS_") or name.startswith("AWS_"):
            del env[name]
    # Copied into every function's environment: their SDKs call back here.
    env["AWS_ENDPOINT_URL"] = f"http://127.0.0.1:{port}"
    logfile = open(STACK_DIR / "emulator.log", "w")
    (STACK_DIR / "iam-decisions.jsonl").unlink(missing_ok=True)
    (STACK_DIR / "front-domain").unlink(missing_ok=True)
    process = subprocess.Popen(
        [sys.executable, str(ROOT / "scripts/stack_emulator.py")], env=env, stdout=logfile, stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            urllib.request.urlopen(f"{url}/_ministack/health", timeout=1)
            return process, url
        except OSError:
            if process.poll() is not None:
                sys.exit(f"stack: the emulator exited; see {STACK_DIR / 'emulator.log'}")
            time.sleep(0.1)
    sys.exit("stack: the emulator did not start")


def client(service, url, **keys):
    return boto3.client(service, endpoint_url=url, region_name=REGION, **(keys or ROOT_KEYS))


def upload_functions(url, binaries):
    s3 = client("s3", url)
    s3.create_bucket(Bucket=ARTIFACTS)
    locations = {}
    for binary, path in binaries.items():
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            info = zipfile.ZipInfo("bootstrap")
            info.external_attr = 0o755 << 16
            archive.writestr(info, path.read_bytes())
        key = f"functions/{binary}.zip"
        s3.put_object(Bucket=ARTIFACTS, Key=key, Body=buffer.getvalue())
        locations[binary] = {"Bucket": ARTIFACTS, "Key": key}
    return locations


def packaged_template(locations):
    """The template with each CodeUri pointing at its uploaded zip, as
    `sam package` writes it; nothing else changes."""
    template = load_template()
    for resource in template["Resources"].values():
        if resource["Type"] == "AWS::Serverless::Function":
            binary = resource["Metadata"]["BuildProperties"]["Binary"]
            resource["Properties"]["CodeUri"] = locations[binary]
    return template


def deploy(url, template, parameters):
    # The template is over CloudFormation's 51,200-byte inline limit, so it
    # goes by S3, as `sam deploy` sends it.
    client("s3", url).put_object(Bucket=ARTIFACTS, Key="template.json", Body=json.dumps(template).encode())
    cloudformation = client("cloudformation", url)
    cloudformation.create_stack(
        StackName=STACK_NAME,
        TemplateURL=f"{url}/{ARTIFACTS}/template.json",
        Parameters=[{"ParameterKey": k, "ParameterValue": v} for k, v in parameters.items()],
        Capabilities=["CAPABILITY_IAM", "CAPABILITY_NAMED_IAM", "CAPABILITY_AUTO_EXPAND"],
    )
    for _ in range(600):
        stack = cloudformation.describe_stacks(StackName=STACK_NAME)["Stacks"][0]
        if not stack["StackStatus"].endswith("IN_PROGRESS"):
            break
        time.sleep(0.2)
    if stack["StackStatus"] != "CREATE_COMPLETE":
        events = cloudformation.describe_stack_events(StackName=STACK_NAME)["StackEvents"]
        failures = [f"{e['LogicalResourceId']}: {e.get('ResourceStatusReason')}" for e in events if "FAILED" in e["ResourceStatus"]]
        sys.exit(f"stack: deploy ended {stack['StackStatus']}: {failures}")
    # Paged: the stack has well over a page of resources.
    pages = cloudformation.get_paginator("list_stack_resources").paginate(StackName=STACK_NAME)
    resources = {r["LogicalResourceId"]: r["PhysicalResourceId"] for page in pages for r in page["StackResourceSummaries"]}
    outputs = {o["OutputKey"]: o["OutputValue"] for o in stack.get("Outputs", [])}
    return resources, outputs


def bridge_routes(url, template, resources):
    """Gap 1: the emulator gives an HTTP API defined by an OpenAPI body no
    routes. Create exactly the routes of the template's HttpApi body, each to
    the function its integration names, with its authorization."""
    apigateway = client("apigatewayv2", url)
    lambda_client = client("lambda", url)
    api_id = resources["HttpApi"]
    body = template["Resources"]["HttpApi"]["Properties"]["DefinitionBody"]
    integrations = {}
    for name, spec in body["components"]["x-amazon-apigateway-integrations"].items():
        function = spec["uri"]["Fn::Sub"].split("function:${AWS::StackName}-", 1)[1].removesuffix("/invocations")
        arn = lambda_client.get_function(FunctionName=f"{STACK_NAME}-{function}")["Configuration"]["FunctionArn"]
        integrations[name] = apigateway.create_integration(
            ApiId=api_id, IntegrationType="AWS_PROXY", IntegrationUri=arn, PayloadFormatVersion="2.0",
        )["IntegrationId"]
    count = 0
    for path, item in body["paths"].items():
        for method, operation in item.items():
            reference = operation["x-amazon-apigateway-integration"]["$ref"].rsplit("/", 1)[1]
            iam = any("sigv4" in scheme for scheme in operation.get("security", []))
            key = "$default" if operation.get("isDefaultRoute") else f"{method.upper()} {path}"
            apigateway.create_route(
                ApiId=api_id, RouteKey=key, Target=f"integrations/{integrations[reference]}",
                AuthorizationType="AWS_IAM" if iam else "NONE",
            )
            count += 1
    log(f"bridged {count} routes onto HTTP API {api_id}")
    return api_id


def bridge_ttl(url, resources, template):
    """Gap 2: the emulator ignores the table's TimeToLiveSpecification."""
    spec = template["Resources"]["Table"]["Properties"]["TimeToLiveSpecification"]
    client("dynamodb", url).update_time_to_live(
        TableName=resources["Table"],
        TimeToLiveSpecification={"AttributeName": spec["AttributeName"], "Enabled": spec["Enabled"]},
    )


def bridge_ses(url, template, resources):
    """Gap 3: the emulator authorises SES v2 SendEmail against resource `*`
    and knows no `ses:FromAddress` condition key, where AWS checks the
    sending identity's ARN and the From address. The template's grant
    (identity ARNs, From address) therefore cannot match there. Each role
    the template grants ses:SendEmail gets it on `*` here, and only those:
    a function without the grant still cannot send."""
    iam = client("iam", url)
    for name, resource in template["Resources"].items():
        if resource["Type"] != "AWS::Serverless::Function":
            continue
        statements = [s for p in resource["Properties"].get("Policies", []) for s in p.get("Statement", [])]
        if any("ses:SendEmail" in as_list(s["Action"]) for s in statements):
            role = resources[f"{name}Role"]
            document = {"Version": "2012-10-17",
                        "Statement": [{"Effect": "Allow", "Action": "ses:SendEmail", "Resource": "*"}]}
            iam.put_role_policy(RoleName=role, PolicyName="stack-ses-bridge", PolicyDocument=json.dumps(document))


def bridge_plain_http(url, resources):
    """Gap 4: the emulator speaks plain HTTP, which the buckets' TLS-only
    statements (aws:SecureTransport) rightly refuse, uploads included. AWS's
    endpoints are HTTPS; here those statements are removed after the deploy
    and every other one kept (the pages bucket's grant to the distribution,
    which its origin access control must meet)."""
    s3 = client("s3", url)
    for bucket in (resources["MaterialsBucket"], resources["WebBucket"]):
        policy = json.loads(s3.get_bucket_policy(Bucket=bucket)["Policy"])
        kept = [s for s in policy["Statement"] if "aws:SecureTransport" not in json.dumps(s.get("Condition", {}))]
        if kept:
            s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps({**policy, "Statement": kept}))
        else:
            s3.delete_bucket_policy(Bucket=bucket)


def open_front_door(url, resources, outputs):
    """Points the stack's front port at the template's distribution (see
    scripts/stack_emulator.py) and publishes web/ to it as
    scripts/publish-pages does, signing operator calls for the API's host."""
    domain = client("cloudfront", url).get_distribution(Id=resources["Distribution"])["Distribution"]["DomainName"]
    (STACK_DIR / "front-domain").write_text(domain)
    published = publish_pages.objects(ROOT / "web", publish_pages.front_config(outputs["ApiUrl"], REGION))
    publish_pages.publish(client("s3", url), client("cloudfront", url), resources["WebBucket"],
                          resources["Distribution"], published)
    log(f"published {len(published)} objects of web/ to distribution {domain}")
    return domain


def as_list(value):
    return value if isinstance(value, list) else [value]


def operators_user(url, resources, name="stack-operator", policy="OperatorsInvokePolicy"):
    """An IAM user holding exactly one of the template's operator policies
    (the deciders' by default), with keys."""
    iam = client("iam", url)
    iam.create_user(UserName=name)
    iam.attach_user_policy(UserName=name, PolicyArn=resources[policy])
    key = iam.create_access_key(UserName=name)["AccessKey"]
    return key["AccessKeyId"], key["SecretAccessKey"]


def remove_unpacked_code(port):
    """The emulator unpacks each function under /tmp and leaves it there."""
    shutil.rmtree(Path(tempfile.gettempdir()) / f"ministack-provided-code-{port}", ignore_errors=True)


def start_range_api():
    """The breached-password range API the stack's functions ask (the
    tests' fake, tests/support/range_api.rs, as its own process: tests set
    its answers over HTTP). Returns its process and base URL."""
    subprocess.run(["cargo", "build", "--locked", "--quiet", "-p", "accounts-tests", "--bin", "range-api"], cwd=ROOT, check=True)
    port = free_port()
    process = subprocess.Popen(
        [str(ROOT / "target/debug/range-api"), str(port)], start_new_session=True,
        stdout=subprocess.DEVNULL, stderr=open(STACK_DIR / "range-api.log", "w"),
    )
    (STACK_DIR / "range-api.pid").write_text(str(process.pid))
    return process, f"http://127.0.0.1:{port}"


def stop_range_api():
    pid_file = STACK_DIR / "range-api.pid"
    if pid_file.exists():
        try:
            os.kill(int(pid_file.read_text()), signal.SIGTERM)
        except (OSError, ValueError):
            pass
        pid_file.unlink(missing_ok=True)


def stop_detached():
    """Stops a stack started with --no-wait, if one is up, and removes the
    code its emulator unpacked."""
    stop_range_api()
    pid_file, port_file = STACK_DIR / "emulator.pid", STACK_DIR / "emulator.port"
    if not pid_file.exists():
        return
    try:
        os.killpg(int(pid_file.read_text()), signal.SIGTERM)
    except (OSError, ValueError):
        pass
    if port_file.exists():
        remove_unpacked_code(port_file.read_text().strip())
    pid_file.unlink(missing_ok=True)
    port_file.unlink(missing_ok=True)


def scheduled_functions(template, resources):
    """{binary: deployed function name} of the functions run on a schedule."""
    found = {}
    for name, resource in template["Resources"].items():
        events = resource.get("Properties", {}).get("Events", {}) if resource["Type"] == "AWS::Serverless::Function" else {}
        if any(event.get("Type") == "Schedule" for event in events.values()):
            found[resource["Metadata"]["BuildProperties"]["Binary"]] = resources[name]
    return found


def run_scheduled_once(url, scheduled):
    """Invokes each scheduled function once, as its first schedule tick
    would, so that its role's use is in the IAM log (its schedule is longer
    than a test run; tests invoke them again through endpoints.json)."""
    lambda_client = client("lambda", url)
    for binary, function_name in scheduled.items():
        answer = lambda_client.invoke(FunctionName=function_name, Payload=b"{}")
        if answer.get("FunctionError"):
            raise SystemExit(f"{binary} failed on its first run: {answer['Payload'].read()!r}")
        log(f"ran the scheduled {binary} once")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--release", action="store_true", help="release builds of the functions")
    parser.add_argument("--port", type=int, default=0, help="emulator port (default: a free one)")
    parser.add_argument("--no-wait", action="store_true", help="deploy, write endpoints.json and leave the emulator running detached")
    parser.add_argument("--stop", action="store_true", help="stop a stack started with --no-wait, and nothing else")
    args = parser.parse_args()
    if args.stop:
        stop_detached()
        return

    endpoints_file = STACK_DIR / "endpoints.json"
    endpoints_file.unlink(missing_ok=True)
    binaries = build(args.release)
    port = args.port or free_port()
    front_port = free_port()
    emulator, url = start_emulator(port, front_port)
    _, range_api_url = start_range_api()

    def stop(*_):
        stop_range_api()
        os.killpg(emulator.pid, signal.SIGTERM)
        remove_unpacked_code(port)
        sys.exit(0)

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    try:
        locations = upload_functions(url, binaries)
        template = packaged_template(locations)
        email_from = "no-reply@accounts.test"
        client("sesv2", url).create_email_identity(EmailIdentity=email_from)
        # PublicUrl is left to its default, the distribution's address.
        parameters = {
            "EmailFrom": email_from,
            "BreachedPasswords": f"{range_api_url}/range/",
            **RAISED_LIMITS,
            **STACK_SETTINGS,
        }
        resources, outputs = deploy(url, template, parameters)
        api_id = bridge_routes(url, template, resources)
        bridge_ttl(url, resources, template)
        bridge_ses(url, template, resources)
        bridge_plain_http(url, resources)
        open_front_door(url, resources, outputs)
        key_id, secret = operators_user(url, resources)
        reader_key_id, reader_secret = operators_user(url, resources, "stack-reader", "OperatorsReadPolicy")
        scheduled = scheduled_functions(template, resources)
        run_scheduled_once(url, scheduled)
    except BaseException:
        stop_range_api()
        os.killpg(emulator.pid, signal.SIGTERM)
        raise
    endpoints = {
        "api_url": f"{url}/_aws/execute-api/{api_id}/$default",
        "emulator_url": url,
        "region": REGION,
        "ops_access_key_id": key_id,
        "ops_secret_access_key": secret,
        # A support reader: the readers' policy only (every operator GET).
        "ops_reader_access_key_id": reader_key_id,
        "ops_reader_secret_access_key": reader_secret,
        "raised_limits": {name: int(value) for name, value in RAISED_LIMITS.items()},
        "appeal_hold_hours": int(STACK_SETTINGS["AppealHoldHours"]),
        "distribution_id": resources["Distribution"],
        "scheduled_functions": scheduled,
        "table": resources["Table"],
        "bucket": resources["MaterialsBucket"],
        # Where SES's configuration set publishes: a test publishes SES's
        # own notification records here to see them reach the trail.
        "email_events_topic": resources["EmailEventsTopic"],
        "email_from": email_from,
        # Where email links point (the distribution's own address), and
        # where that distribution answers on this machine.
        "public_url": outputs["PublicUrl"],
        "pages_url": f"http://127.0.0.1:{front_port}",
        "api_host": urlparse(outputs["ApiUrl"]).netloc,
        # The breached-password range API fake the functions ask.
        "range_api_url": range_api_url,
    }
    endpoints_file.write_text(json.dumps(endpoints, indent=2) + "\n")
    log(f"ready: {endpoints['api_url']} (endpoints in {endpoints_file})")
    if args.no_wait:
        (STACK_DIR / "emulator.pid").write_text(str(emulator.pid))
        (STACK_DIR / "emulator.port").write_text(str(port))
        return
    log("Ctrl-C stops it")
    emulator.wait()


if __name__ == "__main__":
    main()
