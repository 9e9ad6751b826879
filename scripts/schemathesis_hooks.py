"""A schemathesis check of our own: every 4xx answer is problem JSON.

Loaded by scripts/test with SCHEMATHESIS_HOOKS=schemathesis_hooks and
selected with `-c ...,errors_are_problem_json`.
"""

import schemathesis


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
