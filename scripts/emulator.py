"""moto's server, applying one request at a time.

DynamoDB applies every UpdateItem and TransactWriteItems atomically; moto's
threaded server does not (200 concurrent increments of one item end at 198),
so tests of our concurrency guarantees would test the emulator instead. This
serves moto's own WSGI application behind one lock; connections are still
accepted concurrently.

Usage: python emulator.py PORT
"""

import json
import sys
import threading
from urllib.parse import parse_qs

from moto.moto_server.werkzeug_app import (
    DomainDispatcherApplication,
    MotoRequestHandler,
    create_backend_app,
)
from werkzeug.serving import run_simple

moto_app = DomainDispatcherApplication(create_backend_app)
one_at_a_time = threading.Lock()


def outbox(environ, start_response):
    """GET /_test/outbox?to_suffix=…&phone=…: the email sent to addresses
    ending in to_suffix and the SMS sent to the phones, oldest first within
    each channel. moto's /moto-api/data.json serialises every backend's whole
    state, which grows with every test; this reads only the messages."""
    from moto.ses.models import ses_backends
    from moto.sns.models import sns_backends

    query = parse_qs(environ.get("QUERY_STRING", ""))
    suffix = query.get("to_suffix", [""])[0].lower()
    phones = set(query.get("phone", []))
    messages = []
    for regions in ses_backends.values():
        for backend in regions.values():
            for message in backend.sent_messages:
                for to in message.destinations.get("ToAddresses", []):
                    if to.lower().endswith(suffix):
                        messages.append({"channel": "email", "to": to, "subject": message.subject,
                                         "text": message.body, "html": message.body})
    for regions in sns_backends.values():
        for backend in regions.values():
            for phone, text in backend.sms_messages.values():
                if phone in phones:
                    messages.append({"channel": "sms", "to": phone, "text": text})
    start_response("200 OK", [("Content-Type", "application/json")])
    return [json.dumps(messages).encode()]


def serialized(environ, start_response):
    with one_at_a_time:
        if environ.get("PATH_INFO") == "/_test/outbox":
            return outbox(environ, start_response)
        return list(moto_app(environ, start_response))


if __name__ == "__main__":
    run_simple(
        "127.0.0.1",
        int(sys.argv[1]),
        serialized,
        threaded=True,
        request_handler=MotoRequestHandler,
    )
