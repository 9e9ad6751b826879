"""Starts ministack, recording every IAM decision it makes when
STACK_IAM_LOG names a file: one JSON line per evaluation (principal,
action, resource, decision). scripts/stack_privileges.py compares what each
function's role used with what the template grants it.

It also bridges one gap of ministack 1.5.33 that would stop the template
from deploying: it has no Logs Insights, so no `AWS::Logs::QueryDefinition`.
The saved queries are accepted and kept (in STACK_QUERIES, as JSON lines)
without being runnable, which is all an emulator without Logs Insights can
do; tests/surface.rs checks what they say.

And two of CloudFront's, so that the template's distribution serves the
pages and the API exactly as deployed (the front door):

- ministack's CloudFront refuses to dial an origin at an AWS host, where
  AWS's reaches API Gateway. An `<api>.execute-api.<region>.amazonaws.com`
  origin of this emulator's own is served in-process instead, as ministack
  serves its load balancer and Function URL origins: the request API
  Gateway gets from CloudFront (the origin's Host, the distribution's
  custom origin headers, the `CloudFront-Viewer-Address` the origin request
  policy adds), authorised (IAM, the SigV4 signature over that Host) and
  routed by the emulator's execute-api data plane.
- A distribution is addressed by its Host (`<id>.cloudfront.net`), which no
  resolver here knows, over TLS, which the emulator does not speak. When
  STACK_FRONT_PORT is set, that port stands in for both, as the edge does:
  every request on it goes to the distribution named in STACK_FRONT_DOMAIN
  (a file the stack writes once the distribution exists), marked as having
  arrived over HTTPS (`X-Forwarded-Proto`), with the viewer's own address."""

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

import re  # noqa: E402
from pathlib import Path  # noqa: E402
from urllib.parse import parse_qs, unquote  # noqa: E402

from ministack import app  # noqa: E402
from ministack.core.iam_evaluator import pin_signed_body, pin_signed_request  # noqa: E402
from ministack.services import cloudfront  # noqa: E402

_API_ORIGIN = re.compile(r"^([a-z0-9]+)\.execute-api\.[a-z0-9-]+\.amazonaws\.com$")
_fetch_from_origin = cloudfront._fetch_from_origin


async def fetch_from_origin(origin, method, uri, query_string, headers, body, viewer_is_https, client_ip, viewer_xff,
                            dist_arn):
    api = None if origin.get("s3_bucket") else _API_ORIGIN.match(origin["domain_name"].lower().rstrip("."))
    if api is None:
        return await _fetch_from_origin(origin, method, uri, query_string, headers, body, viewer_is_https, client_ip,
                                        viewer_xff, dist_arn)
    sent = {name.lower(): value for name, value in
            cloudfront._origin_request_headers(origin, headers, client_ip, viewer_xff).items()}
    # The viewer's address and source port (the port is not known here).
    sent["cloudfront-viewer-address"] = f"{client_ip}:0"
    path = (origin.get("origin_path") or "") + uri
    query = parse_qs(query_string, keep_blank_values=True)
    # API Gateway checks the signature of the request CloudFront sends it.
    pin_signed_request(method, path, query, [(n.encode("latin-1"), v.encode("latin-1")) for n, v in sent.items()])
    pin_signed_body(body or b"")
    host = f"{api.group(1)}.execute-api.{app._MINISTACK_HOST}"
    answer = await app._handle_execute_api_request(host, unquote(path), method, sent, body or b"", query,
                                                   raw_path=path, raw_query_string=query_string)
    if answer is None:
        raise cloudfront.OriginUnreachable(f"no API {api.group(1)} here")
    status, answer_headers, data = answer
    pairs = [(name, value) for name, values in answer_headers.items()
             for value in (values if isinstance(values, list) else [values])]
    return status, "", cloudfront._multidict_from_pairs(pairs), data


cloudfront._fetch_from_origin = fetch_from_origin

front_port = int(os.environ.get("STACK_FRONT_PORT") or 0)
front_domain = Path(os.environ.get("STACK_FRONT_DOMAIN", "/nonexistent"))


def with_front(asgi):
    async def serve(scope, receive, send):
        if front_port and scope["type"] == "http" and (scope.get("server") or (None, None))[1] == front_port:
            domain = front_domain.read_text().strip().encode() if front_domain.exists() else b"front.invalid"
            headers = [(n, v) for n, v in scope["headers"] if n.lower() not in (b"host", b"x-forwarded-proto")]
            scope = {**scope, "headers": headers + [(b"host", domain), (b"x-forwarded-proto", b"https")]}
        await asgi(scope, receive, send)
    return serve


if front_port:
    import hypercorn.asyncio

    _serve = hypercorn.asyncio.serve

    async def serve_with_front(asgi, config, *args, **kwargs):
        config.bind = [*config.bind, f"127.0.0.1:{front_port}"]
        return await _serve(with_front(asgi), config, *args, **kwargs)

    hypercorn.asyncio.serve = serve_with_front

app.main()
