"""One rule for every action and view: input that cannot be right is
refused with a 400 (a page) or a 409 (the API) naming the parameter, in
the reader's language; an unexpected exception is logged with the
request's id and answered with a generic 500 that carries the id and no
internal text.

Actions refuse their own parameters with `tk.ValidationError` (their
schemas, `logic/schema.py`); the rules here hold for every request before
any action runs (no NUL character anywhere, no JSON nested without end)
and catch what views let escape. `install` puts them on CKAN's Flask app.

A request that failed because PostgreSQL could not be reached (stopped,
restarting, or the connection lost) is answered 503 with `Retry-After`
instead of 500: the portal is not broken, the client should come back.
SQLAlchemy's `handle_error` event, on every engine (CKAN's and the
DataStore's), marks such a request; CKAN's action API has caught the
exception itself by then, so its 500 is turned into the 503 afterwards.
"""
from __future__ import annotations

import json
import logging
from html import escape
from typing import Any, Iterator, Optional

import ckan.plugins.toolkit as tk

from ckanext.kg import page_parameters, request_ids

log = logging.getLogger(__name__)

MAX_DEPTH = 100  # levels of JSON nesting in one request
NUL = "\x00"
JSON_NUL = "\\u0000"  # a NUL in JSON text, such as a `filters` parameter


def install(app: Any) -> None:
    """The request rules and error answers, on CKAN's Flask app. The
    catch-all for unexpected exceptions replaces CKAN's own, under CKAN's
    own condition (not in debug or testing mode, where they propagate)."""
    # first of all, so that every log line of the request names it
    app.before_request_funcs.setdefault(None, []).insert(0, request_ids.assign)
    app.before_request(refuse_malformed_request)
    app.before_request(page_parameters.refuse_unreadable_page_request)
    app.after_request(identify_api_failure)
    app.after_request(answer_database_outage)
    app.after_request(request_ids.send)
    app.register_error_handler(tk.ValidationError, invalid_input)
    app.register_error_handler(tk.ObjectNotFound, not_found)
    app.register_error_handler(tk.NotAuthorized, not_authorized)
    if not app.debug and not app.testing:
        app.register_error_handler(Exception, unexpected)
    _watch_database_connections()


# -- the request rules ---------------------------------------------------

def refuse_malformed_request():
    """No NUL character in the address, a parameter or a JSON body (no
    PostgreSQL text can hold one), and no JSON nested more than
    `MAX_DEPTH` levels deep (it would exhaust the recursion of any parser
    or validator that reads it)."""
    from flask import request
    if NUL in request.path:
        raise refusal("url", _nul_message())
    for name, value in _parameters(request):
        if NUL in name or NUL in value or JSON_NUL in value:
            raise refusal(name.replace(NUL, ""), _nul_message())
        if max(_text_depth(name), _text_depth(value)) > MAX_DEPTH:
            raise refusal(name, _depth_message())
    if request.is_json:
        problem = _json_problem(request)
        if problem:
            raise refusal(*problem)
    return None


def refusal(parameter: str, message: str) -> tk.ValidationError:
    """`tk.ValidationError` naming one parameter (CKAN reshapes the errors
    of `tags`, which it expects per tag)."""
    messages: list[Any] = [{"name": [message]}] if parameter == "tags" else [message]
    return tk.ValidationError({parameter: messages})


def _parameters(request: Any) -> Iterator[tuple[str, str]]:
    """The query string's and a form's names and text values."""
    forms = (request.args, request.form) if request.mimetype in (
        "application/x-www-form-urlencoded", "multipart/form-data") else (request.args,)
    for form in forms:
        for name, values in form.lists():
            for value in values:
                yield name, value if isinstance(value, str) else ""


def _text_depth(text: str) -> int:
    """How deep brackets nest in a text (JSON in a parameter, such as
    `filters`, or a search query's parentheses)."""
    if sum(text.count(c) for c in "[{(") <= MAX_DEPTH:
        return 0
    depth = deepest = 0
    for c in text:
        if c in "[{(":
            depth += 1
            deepest = max(deepest, depth)
        elif c in "]})":
            depth -= 1
    return deepest


def _json_problem(request: Any) -> Optional[tuple[str, str]]:
    """The parameter of a JSON body that holds a NUL character or nests
    too deep, and why; None when there is none. A body that
    cannot hold either is not parsed here; one that is, is parsed once
    (Flask keeps it for CKAN)."""
    raw = request.get_data(cache=True)
    if raw.count(b"[") + raw.count(b"{") <= MAX_DEPTH and JSON_NUL.encode() not in raw:
        return None
    try:
        body = request.get_json(silent=True)  # JSON it cannot read: CKAN answers
    except RecursionError:
        return "__json", _depth_message()
    items = body.items() if isinstance(body, dict) else [("__json", body)]
    for name, value in items:
        found = _value_problem(value) or (_nul_message() if NUL in str(name) else None)
        if found:
            return str(name).replace(NUL, ""), found
    return None


def _value_problem(value: Any) -> Optional[str]:
    """A message when a decoded JSON value holds a NUL character or nests
    more than `MAX_DEPTH` levels deep (walked without recursion)."""
    pending = [(value, 1)]
    while pending:
        item, depth = pending.pop()
        if depth > MAX_DEPTH:
            return _depth_message()
        if isinstance(item, str):
            if NUL in item or JSON_NUL in item:
                return _nul_message()
        elif isinstance(item, dict):
            if any(NUL in str(key) for key in item):
                return _nul_message()
            pending.extend((v, depth + 1) for v in item.values())
        elif isinstance(item, list):
            pending.extend((v, depth + 1) for v in item)
    return None


def _nul_message() -> str:
    return tk._("A NUL character (code 0) cannot be part of any value.")


def _depth_message() -> str:
    return tk._("The value is nested more than {levels} levels deep.").format(
        levels=MAX_DEPTH)


# -- the answers -----------------------------------------------------------

def _is_api() -> bool:
    from flask import request
    return request.path.startswith("/api/")


def _api_answer(status: int, error: dict[str, Any]):
    from flask import jsonify
    response = jsonify({"success": False, "error": error})
    response.status_code = status
    return response


def _page(status: int, name: str, content: str):
    return tk.render("error_document_template.html",
                     {"code": status, "name": name, "content": content}), status


def invalid_input(error: tk.ValidationError):
    """A view let a refusal escape: 409 for the API, a 400 page."""
    messages = _messages(error.error_dict)
    if _is_api():
        return _api_answer(409, dict(messages, __type="Validation Error"))
    lines = "; ".join(f"{name}: {' '.join(texts)}" for name, texts in messages.items())
    return _page(400, tk._("Invalid request"), lines)


def _messages(error_dict: dict[str, Any]) -> dict[str, list[str]]:
    """Only the plain messages of an error dict, never anything nested
    (such as a statement under `info`)."""
    found = {}
    for name, texts in error_dict.items():
        if isinstance(texts, str):
            texts = [texts]
        if isinstance(texts, list) and texts and all(isinstance(t, str) for t in texts):
            found[str(name).lstrip("_") or "request"] = texts
    return found


def not_found(error: tk.ObjectNotFound):
    if _is_api():
        return _api_answer(404, {"__type": "Not Found Error", "message": tk._("Not found")})
    return _page(404, tk._("Not found"), tk._("The page or object was not found."))


def not_authorized(error: tk.NotAuthorized):
    if _is_api():
        return _api_answer(403, {"__type": "Authorization Error",
                                 "message": tk._("Access denied")})
    return _page(403, tk._("Access denied"), tk._("You may not see this page."))


def unexpected(error: Exception):
    """Logged whole (with the request id), answered with the id only."""
    from flask import request
    from werkzeug.exceptions import HTTPException
    if isinstance(error, HTTPException):  # abort(...) of a view: CKAN's page
        return error
    log.exception("Unexpected error answering %s %s", request.method, request.path)
    if database_unreachable():
        return _outage_answer()
    if _is_api():
        return _api_answer(500, _failure())
    return _page(500, tk._("Server error"), _failure()["message"])


def _failure() -> dict[str, Any]:
    request_id = request_ids.current()
    return {"__type": "Internal Server Error", "request_id": request_id,
            "message": tk._("Something went wrong on the portal's side. If it happens "
                            "again, tell the portal's team the request id {id}.").format(
                                id=request_id)}


def identify_api_failure(response):
    """The action API answers an unexpected exception with its own 500
    (CKAN catches it inside the view): that answer gets the request id and
    our message, and the original one goes to the log."""
    if response.status_code != 500 or not _is_api() or not response.is_json:
        return response
    body = response.get_json(silent=True)
    if (isinstance(body, dict) and isinstance(body.get("error"), dict)
            and "request_id" not in body["error"]):
        log.error("The action API answered 500: %s", body["error"].get("message"))
        body["error"] = _failure()
        response.set_data(json.dumps(body))
    return response


# -- PostgreSQL out of reach -------------------------------------------------

OUTAGE_FLAG = "kg_database_unreachable"


def _watch_database_connections() -> None:
    """Mark the request whose database connection failed (once per process)."""
    from sqlalchemy import event
    from sqlalchemy.engine import Engine
    if not event.contains(Engine, "handle_error", note_database_failure):
        event.listen(Engine, "handle_error", note_database_failure)


def note_database_failure(context: Any) -> None:
    """SQLAlchemy's `handle_error`: a lost connection, or none to be had."""
    from flask import g, has_app_context
    from sqlalchemy.exc import DBAPIError
    unreachable = context.is_disconnect or (
        context.connection is None and isinstance(context.sqlalchemy_exception, DBAPIError)
        and _is_connection_failure(context.original_exception))
    if unreachable and has_app_context():
        setattr(g, OUTAGE_FLAG, True)


def _is_connection_failure(error: BaseException) -> bool:
    import psycopg2
    return isinstance(error, psycopg2.OperationalError) and \
        not isinstance(error, (psycopg2.errors.QueryCanceled,
                               psycopg2.errors.TransactionRollbackError))


def database_unreachable() -> bool:
    from flask import g, has_app_context
    return has_app_context() and bool(getattr(g, OUTAGE_FLAG, False))


def answer_database_outage(response):
    """The 500 of a request that could not reach PostgreSQL, as a 503."""
    if response.status_code != 500 or not database_unreachable():
        return response
    log.warning("PostgreSQL could not be reached: answered 503")
    if _is_api():
        return _outage_answer()
    if "Retry-After" not in response.headers:
        response.status_code = 503
        response.headers["Retry-After"] = str(_retry_after())
    return response


def _outage_answer():
    from flask import make_response
    message = tk._("The portal's database is not answering right now, so this request "
                   "was not carried out. Try again shortly.")
    if _is_api():
        response = _api_answer(503, {"__type": "Service Unavailable", "message": message,
                                     "request_id": request_ids.current()})
    else:
        response = make_response(*_outage_page(message))
    response.headers["Retry-After"] = str(_retry_after())
    return response


def _outage_page(message: str):
    """The error page; a plain one when the page itself needs the database."""
    try:
        return _page(503, tk._("Temporarily unavailable"), message)
    except Exception:  # noqa: BLE001 - the outage may stop the page too
        log.warning("The 503 page could not be rendered", exc_info=True)
        return (f"<!DOCTYPE html><title>503</title><p>{escape(message)}</p>", 503,
                {"Content-Type": "text/html; charset=utf-8"})


def _retry_after() -> int:
    return tk.config.get("ckanext.kg.errors.retry_after")
