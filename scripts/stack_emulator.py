"""Starts ministack, recording every IAM decision it makes when
STACK_IAM_LOG names a file: one JSON line per evaluation (principal,
action, resource, decision). scripts/stack_privileges.py compares what each
function's role used with what the template grants it.

It also bridges one gap of ministack 1.5.33 that would stop the template
from deploying: it has no Logs Insights, so no `AWS::Logs::QueryDefinition`.
The saved queries are accepted and kept (in STACK_QUERIES, as JSON lines)
without being runnable, which is all an emulator without Logs Insights can
do; tests/surface.rs checks what they say."""

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

from ministack.services.cloudformation import provisioners  # noqa: E402

queries_path = os.environ.get("STACK_QUERIES")


def _query_definition_create(logical_id, props, stack_name):
    query_id = f"{stack_name}-{logical_id}"
    if queries_path:
        with open(queries_path, "a") as saved:
            saved.write(json.dumps({"id": query_id, "name": props.get("Name"), "query": props.get("QueryString")}) + "\n")
    return query_id, {"QueryDefinitionId": query_id}


provisioners._RESOURCE_HANDLERS.setdefault("AWS::Logs::QueryDefinition", {
    "create": _query_definition_create,
    "update": lambda physical_id, old, new, stack_name: (physical_id, {"QueryDefinitionId": physical_id}),
    "delete": lambda physical_id, props: None,
})

from ministack.app import main  # noqa: E402  (after the hooks are in place)

main()
