"""What every answer must be, whatever was sent: never a server error,
never internal text, never a private identifier, tag, name or row, the same
answer for a private object as for one that does not exist, and always
within a time bound."""
from __future__ import annotations

import html
import json
import re
import uuid
from dataclasses import dataclass, field
from urllib.parse import unquote

from kg_fuzz.hostile import Request

TIME_BOUND_S = 10.0
SERVER_ERROR = "server error"
INTERNAL_TEXT = "internal text"
PRIVATE_LEAK = "private metadata"
EXISTENCE_ORACLE = "existence oracle"
TOO_SLOW = "too slow"
# What only the portal's insides say: Python, the database driver, the ORM,
# PostgreSQL's own error layout and the permission filter of the search query.
INTERNAL_MARKERS = (
    re.compile(r"Traceback \(most recent call last\)"),
    re.compile(r"psycopg2?\b|psycopg\.", re.IGNORECASE),
    re.compile(r"sqlalchemy", re.IGNORECASE),
    re.compile(r"Background on this error"),
    re.compile(r"\[SQL: "),
    re.compile(r"\bLINE \d+: "),
    re.compile(r"\b(?:HINT|DETAIL|CONTEXT):  "),
    re.compile(r"permission_labels:\s*\("),
    re.compile(r"\+capacity:"),
    re.compile(r"\+site_id:"),
    re.compile(r"\b_full_text\b"),
    re.compile(r'File "/[^"]+\.py", line \d+'),
)


@dataclass(frozen=True)
class Secrets:
    """What the portal holds privately, each under a name that says what it
    is. `identifiers` are those a caller may name in a request (to tell an
    existence oracle from an honest 404)."""
    values: dict[str, str]
    identifiers: tuple[str, ...]


@dataclass
class Exchange:
    surface: str  # "action package_search", "view /dataset/<id>"
    user: str  # "anonymous" or "outsider"
    request: Request
    status: int  # 0: no answer within the time bound
    body: str
    seconds: float
    twin_status: int | None = None  # the same request naming nothing that exists


@dataclass(frozen=True)
class Problem:
    kind: str
    detail: str


@dataclass
class Judged:
    exchange: Exchange
    problems: list[Problem] = field(default_factory=list)


def readable(body: str) -> str:
    """The body as a reader sees it: JSON's \\u escapes, HTML entities and
    URL quoting undone, so a disclosure cannot hide behind an encoding."""
    forms = [body, html.unescape(body), unquote(body)]
    try:
        forms.append(json.dumps(json.loads(body), ensure_ascii=False))
    except (ValueError, RecursionError):
        pass
    return "\n".join(forms)


def internal_text(exchange: Exchange) -> list[Problem]:
    sent = exchange.request.text()
    problems = []
    for marker in INTERNAL_MARKERS:
        found = marker.search(exchange.body)
        if found and not marker.search(sent):
            start = max(found.start() - 60, 0)
            problems.append(Problem(INTERNAL_TEXT, exchange.body[start:found.end() + 60]))
    return problems


def disclosures(exchange: Exchange, secrets: Secrets) -> list[Problem]:
    """Private values in the answer that the caller did not send."""
    sent, seen = exchange.request.text(), readable(exchange.body)
    return [Problem(PRIVATE_LEAK, f"{what}: {value!r}")
            for what, value in secrets.values.items()
            if value in seen and value not in sent]


def judge(exchange: Exchange, secrets: Secrets) -> Judged:
    verdict = Judged(exchange)
    if exchange.status == 0 or exchange.seconds > TIME_BOUND_S:
        verdict.problems.append(Problem(TOO_SLOW, f"{exchange.seconds:.1f} s"))
    if exchange.status >= 500:
        verdict.problems.append(Problem(SERVER_ERROR, str(exchange.status)))
    verdict.problems += internal_text(exchange)
    verdict.problems += disclosures(exchange, secrets)
    if exchange.twin_status is not None and exchange.twin_status != exchange.status:
        verdict.problems.append(Problem(
            EXISTENCE_ORACLE, f"{exchange.status} for a private object, "
            f"{exchange.twin_status} for a missing one"))
    return verdict


def stand_in(identifier: str) -> str:
    """An identifier of the same shape that names nothing."""
    try:
        uuid.UUID(identifier)
        return str(uuid.uuid5(uuid.NAMESPACE_URL, identifier))
    except ValueError:
        return "nx" + identifier[2:]


def twin(request: Request, secrets: Secrets) -> Request | None:
    """The same request with every private identifier replaced by a stand-in
    (None when it names none)."""
    text = request.text()
    named = [i for i in secrets.identifiers if i in text]
    if not named:
        return None

    def swap(value: str) -> str:
        for identifier in named:
            value = value.replace(identifier, stand_in(identifier))
        return value

    body = request.body
    if body is not None:
        body = swap(body.decode("utf-8", "surrogateescape")).encode("utf-8", "surrogateescape")
    return Request(request.method, swap(request.path),
                   tuple((swap(k), swap(v)) for k, v in request.query), body,
                   request.content_type)
