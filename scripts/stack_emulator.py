"""Starts ministack, recording every IAM decision it makes when
STACK_IAM_LOG names a file: one JSON line per evaluation (principal,
action, resource, decision). scripts/stack_privileges.py compares what each
function's role used with what the template grants it."""

import json
import os

from ministack.core import iam_evaluator

log_path = os.environ.get("STACK_IAM_LOG")
if log_path:
    record = open(log_path, "a", buffering=1)
    evaluate = iam_evaluator.evaluate

    def recording_evaluate(ctx, policies, *limits):
        result = evaluate(ctx, policies, *limits)
        entry = {"principal": ctx.principal_arn, "action": ctx.action, "resource": ctx.resource_arn,
                 "decision": result.decision}
        record.write(json.dumps(entry) + "\n")
        return result

    iam_evaluator.evaluate = recording_evaluate

from ministack.app import main  # noqa: E402  (after the hook is in place)

main()
