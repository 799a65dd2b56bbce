"""Every web request gets an id: the portal's log lines carry it, and an
answer to an unexpected error shows it, so a reader's report ("request
3f9c0a1b2d4e") leads to the traceback.

No CKAN import here: the logging configuration names `RequestIdFormatter`
and is read before CKAN is loaded.
"""
from __future__ import annotations

import logging
import secrets

HEADER = "X-Request-Id"
_NONE = "-"


def assign() -> None:
    """Flask `before_request`: a fresh id for this request."""
    from flask import g
    g.kg_request_id = secrets.token_hex(6)


def current() -> str | None:
    """The id of the request being served, or None outside a request."""
    from flask import g, has_app_context
    if not has_app_context():
        return None
    return g.get("kg_request_id")


def send(response):
    """Flask `after_request`: the id in a response header."""
    request_id = current()
    if request_id:
        response.headers[HEADER] = request_id
    return response


class RequestIdFormatter(logging.Formatter):
    """Log records get `request_id`: the id of the request being served
    when the record was made, else ``-`` (the jobs worker, the CLI)."""

    def format(self, record: logging.LogRecord) -> str:
        record.request_id = current() or _NONE
        return super().format(record)
