"""A request body read in large steps.

Werkzeug parses a multipart body (an uploaded table) by reading 64 KiB at
a time. gunicorn's body reader keeps what it received beyond each read
and copies it again on every read: it receives up to 1 MiB at once, so
every 64 KiB read copied about 1 MiB twice. For a table of 350 MB that was
about 11 GB of copying and most of the upload's processor time
(measured: `bench/ingestion_bench.py`, docs/ingestion.md). Read through a
buffer of `STEP` bytes instead, gunicorn is asked for a whole step at a
time and the parser's small reads are served from the buffer.
"""
from __future__ import annotations

import io
from typing import Any, Callable, Iterable

STEP = 1 << 20  # gunicorn's own largest receive (SocketUnreader.max_body_chunk)

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


class _Body(io.RawIOBase):
    """The server's body stream as a raw stream, for `io.BufferedReader`."""

    def __init__(self, stream: Any) -> None:
        self._stream = stream

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self._stream.read(len(buffer))
        buffer[:len(data)] = data
        return len(data)


def read_in_large_steps(app: WsgiApp) -> WsgiApp:
    """`app` with the body of a multipart request larger than `STEP` read
    from the server `STEP` bytes at a time."""
    def large_steps(environ: dict[str, Any], start_response: Callable[..., Any]):
        if is_large_form(environ):
            environ["wsgi.input"] = io.BufferedReader(_Body(environ["wsgi.input"]), STEP)
        return app(environ, start_response)
    return large_steps


def is_large_form(environ: dict[str, Any]) -> bool:
    if not environ.get("CONTENT_TYPE", "").lower().startswith("multipart/form-data"):
        return False
    try:
        return int(environ.get("CONTENT_LENGTH") or 0) > STEP
    except ValueError:
        return False
