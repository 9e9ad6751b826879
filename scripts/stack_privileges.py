"""Least privilege, shown: for each function of infra/template.yaml, the IAM
actions its role was allowed during a test run on the stack (from the
emulator's decision log, .stack/iam-decisions.jsonl) against the actions the
template grants it. Exits non-zero if a function was denied an action (a
missing grant) or holds a grant that no test used and that is not listed in
UNEXERCISED with the reason the stack cannot exercise it."""

import json
import sys
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from stack import STACK_DIR, as_list, load_template  # noqa: E402

# Grants the stack's test run cannot exercise, and why; each is still
# needed deployed. Keep this list short and every entry true.
# The stack's appeals take effect as soon as a test waits their hold out, so an
# appeal's notices to the account's phone follow each other within the
# per-phone cooldown of purpose `notice` and are skipped after the first;
# tests/api/appeals.rs shows each sent on accounts-dev, where the clock moves.
NOTICE_SMS = "an appeal's later notice SMS (skipped within the first's 60-second cooldown on the stack)"
UNEXERCISED = {
    "OperatorFunction": {"dynamodb:UpdateItem": NOTICE_SMS, "sns:Publish": NOTICE_SMS},
    "AppealHoldFunction": {"dynamodb:UpdateItem": NOTICE_SMS, "sns:Publish": NOTICE_SMS},
    "SmsCodesFunction": {
        "dynamodb:DeleteItem": "gives the cooldown back when SNS refuses a message or the daily budget is spent "
        "(tests/faults.rs and the budget test, on accounts-dev)",
    },
}


def granted_actions(resource):
    actions = set()
    for policy in resource["Properties"].get("Policies", []):
        for statement in policy.get("Statement", []):
            if statement.get("Effect") == "Allow":
                actions.update(as_list(statement["Action"]))
    return actions


def main():
    template = load_template()
    roles = {f"{name}Role": name for name, r in template["Resources"].items() if r["Type"] == "AWS::Serverless::Function"}
    used = defaultdict(set)
    denied = defaultdict(set)
    for line in (STACK_DIR / "iam-decisions.jsonl").read_text().splitlines():
        entry = json.loads(line)
        if ":assumed-role/" not in entry["principal"]:
            continue
        role = entry["principal"].split(":assumed-role/")[1].split("/")[0]
        function = next((f for prefix, f in roles.items() if f"-{prefix}-" in f"-{role}-"), None)
        if function is None:
            continue
        (used if entry["decision"] == "Allow" else denied)[function].add(entry["action"])
    failures = []
    print(f"{'function':<28} {'used by the tests':<70} granted, unused")
    for name, resource in sorted(template["Resources"].items()):
        if resource["Type"] != "AWS::Serverless::Function":
            continue
        granted = granted_actions(resource)
        unused = sorted(granted - used[name])
        missing = sorted(denied[name] - used[name])
        print(f"{name:<28} {', '.join(sorted(used[name])):<70} {', '.join(unused) or '-'}")
        for action in unused:
            if action not in UNEXERCISED.get(name, {}):
                failures.append(f"{name} is granted {action}, which no test used")
        for action in missing:
            failures.append(f"{name} was denied {action}")
    for failure in failures:
        print(f"least privilege: {failure}", file=sys.stderr)
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
