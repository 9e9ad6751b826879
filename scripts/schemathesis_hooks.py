"""Hooks of the schemathesis run in scripts/test (SCHEMATHESIS_HOOKS).

- `errors_are_problem_json`: every 4xx answer is problem JSON.
- `Credentials`: every request goes past its route's door, so the signed-in
  and operator surface is fuzzed as a customer and an operator would reach
  it, not only as an anonymous caller: operator routes get the dev server's
  operator token (`SCHEMATHESIS_OPS_TOKEN`), every other route a customer's
  session, signed up once through the real routes and signed in again
  whenever the fuzzing ends it (signing out, ending sessions, suspending).
"""

import json
import os
import re
import secrets
import urllib.parse
import urllib.request

import schemathesis

PASSWORD = "Gpu#Cl0ud-Strong9"


@schemathesis.check
def errors_are_problem_json(ctx, response, case):
    """A 4xx is application/problem+json with type, title and its own status."""
    if not 400 <= response.status_code < 500:
        return None
    content_type = (response.headers.get("content-type") or [""])[0].split(";")[0].strip()
    if content_type != "application/problem+json":
        raise AssertionError(f"{response.status_code} answered as {content_type!r}, not problem JSON")
    problem = response.json()
    missing = [field for field in ("type", "title", "status") if field not in problem]
    if missing:
        raise AssertionError(f"problem JSON without {', '.join(missing)}")
    if problem["status"] != response.status_code:
        raise AssertionError(f"problem status {problem['status']} on a {response.status_code}")
    return None


def call(base, method, path, body=None, token=None):
    """(status, parsed body) of one request to the dev server."""
    request = urllib.request.Request(f"{base}{path}", method=method)
    if body is not None:
        request.data = json.dumps(body).encode()
        request.add_header("content-type", "application/json")
    if token:
        request.add_header("authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            text = response.read().decode()
            return response.status, json.loads(text) if text else None
    except urllib.error.HTTPError as error:
        return error.code, None


def outbox_to(base, to):
    _, messages = call(base, "GET", f"/_dev/outbox?to={urllib.parse.quote(to)}")
    return messages[-1]["text"]


class Customer:
    """One customer for the whole run, signed up through the routes."""

    def __init__(self, base):
        self.base = base
        tag = secrets.token_hex(4)
        self.email = f"fuzz{tag}@fuzz.example.com"
        phone = f"+86139{int(tag, 16) % 100_000_000:08d}"
        call(base, "POST", "/v1/sms-codes", {"phone": phone, "purpose": "sign_up"})
        code = re.search(r"\b(\d{6})\b", outbox_to(base, phone)).group(1)
        username = f"fuzz{tag}"
        self.username = username
        call(base, "POST", "/v1/accounts", {"username": username, "email": self.email, "phone": phone,
                                            "sms_code": code, "accept_terms": True})
        link = re.search(r"token=([A-Za-z0-9._-]+)", outbox_to(base, self.email)).group(1)
        status, _ = call(base, "POST", "/v1/password/set", {"token": link, "password": PASSWORD, "phone": phone})
        if status != 204:
            raise RuntimeError(f"the fuzzing customer could not be activated ({status})")
        self.token = None

    def session(self):
        """A live session: the last one, or a new one if the fuzzing ended it.
        Signs in by email: re-checks the fuzzing fails lock the username."""
        if self.token and call(self.base, "GET", "/v1/me", token=self.token)[0] == 200:
            return self.token
        status, body = call(self.base, "POST", "/v1/sessions", {"login": self.email, "password": PASSWORD})
        if status == 403:
            # The operator routes are fuzzed too, and the run's stateful
            # phase hands them this customer's username (from the look-up's
            # answer): a suspension it made is lifted, as an operator would.
            ops = os.environ["SCHEMATHESIS_OPS_TOKEN"]
            call(self.base, "DELETE", f"/ops/v1/accounts/{self.username}/suspension", token=ops)
            status, body = call(self.base, "POST", "/v1/sessions", {"login": self.email, "password": PASSWORD})
        if status != 201:
            raise RuntimeError(f"the fuzzing customer could not sign in ({status})")
        self.token = body["token"]
        return self.token


@schemathesis.auth(refresh_interval=None)
class Credentials:
    customer = None

    def get(self, case, ctx):
        base = case.operation.base_url or os.environ["SCHEMATHESIS_BASE_URL"]
        if case.path.startswith("/ops/"):
            return os.environ["SCHEMATHESIS_OPS_TOKEN"]
        if Credentials.customer is None:
            Credentials.customer = Customer(base.rstrip("/"))
        return Credentials.customer.session()

    def set(self, case, data, ctx):
        case.headers = case.headers or {}
        case.headers["Authorization"] = f"Bearer {data}"
