"""The smallest WSGI application: the ceiling of gunicorn and nginx on this
machine, measured by `bench/load_bench.py` with the same workers and the
same nginx in front as the portal."""
from __future__ import annotations

BODY = b"ok\n"


def application(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain"),
                              ("Content-Length", str(len(BODY)))])
    return [BODY]
