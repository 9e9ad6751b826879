"""moto's server, applying one request at a time.

DynamoDB applies every UpdateItem and TransactWriteItems atomically; moto's
threaded server does not (200 concurrent increments of one item end at 198),
so tests of our concurrency guarantees would test the emulator instead. This
serves moto's own WSGI application behind one lock; connections are still
accepted concurrently.

Usage: python emulator.py PORT
"""

import sys
import threading

from moto.moto_server.werkzeug_app import (
    DomainDispatcherApplication,
    MotoRequestHandler,
    create_backend_app,
)
from werkzeug.serving import run_simple

moto_app = DomainDispatcherApplication(create_backend_app)
one_at_a_time = threading.Lock()


def serialized(environ, start_response):
    with one_at_a_time:
        return list(moto_app(environ, start_response))


if __name__ == "__main__":
    run_simple(
        "127.0.0.1",
        int(sys.argv[1]),
        serialized,
        threaded=True,
        request_handler=MotoRequestHandler,
    )
