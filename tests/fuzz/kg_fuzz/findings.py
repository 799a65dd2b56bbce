"""Findings the fuzzers know of while their fix is made on another branch.
The fuzzers pass over an answer only when one of these entries matches it
exactly: its problem, its surface, and what was sent. Nothing else is
excused.

Each entry names its regression test (tests/fuzz/test_findings.py, marked
`xfail(strict=True, reason="fixed by <branch>: ...")`) and that branch;
when the branch is merged, the entry and the mark go. Empty: every finding
so far is fixed (docs/security.md lists them).
"""
from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass

from kg_fuzz.hostile import Request
from kg_fuzz.verdict import Exchange, Problem


@dataclass(frozen=True)
class KnownFinding:
    name: str  # the regression test that reproduces it
    fixed_by: str  # the branch that fixes it
    kind: str  # a kg_fuzz.verdict problem kind
    surfaces: tuple[str, ...]
    sends: Callable[[Exchange], bool]  # which requests it answers badly

    def matches(self, exchange: Exchange, problem: Problem) -> bool:
        return (problem.kind == self.kind and self.covers(exchange.surface)
                and self.sends(exchange))

    def covers(self, surface: str) -> bool:
        return any(s == surface or (s.endswith(" *") and surface.startswith(s[:-1]))
                   for s in self.surfaces)


ANY_ACTION, ANY_VIEW = "action *", "view *"  # a finding of the request handling of all


# -- what a request sends: the vocabulary of `sends` ---------------------------------

def data_dict(request: Request) -> dict:
    """The parameters as the action or view reads them: the JSON object of
    the body, or the query string and form (the last of a repeated key)."""
    if request.body is not None:
        try:
            value = json.loads(request.body)
        except (ValueError, RecursionError):
            return {}
        return value if isinstance(value, dict) else {}
    return dict(request.query)


def nesting_depth(text: str) -> int:
    """How deep JSON arrays and objects nest in `text`, strings skipped."""
    depth = deepest = 0
    in_string = escaped = False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif char in "]}":
            depth -= 1
    return deepest


def sends_nul(exchange: Exchange) -> bool:
    """A NUL character anywhere: address, parameter or body (raw or as JSON's \\u0000)."""
    text = exchange.request.text()
    return "\x00" in text or "%00" in exchange.request.path or "\\u0000" in text


def sends_deep_json(exchange: Exchange) -> bool:
    """JSON nested deeper than Python's parser recurses (1,000 levels), in
    the body or in a parameter."""
    request = exchange.request
    texts = [value for _, value in request.query]
    if request.body is not None:
        texts.append(request.body.decode("utf-8", "replace"))
    return any(nesting_depth(text) > 500 for text in texts)


def lacks(*names: str) -> Callable[[Exchange], bool]:
    """Some of `names` missing or blank."""
    def sends(exchange: Exchange) -> bool:
        params = data_dict(exchange.request)
        return any(not str(params.get(name) or "").strip() for name in names)
    return sends


def anything(exchange: Exchange) -> bool:
    """Whatever is sent: the surface itself is at fault (its test shows how)."""
    return True


KNOWN_FINDINGS: list[KnownFinding] = []


def known_finding(exchange: Exchange, problem: Problem) -> KnownFinding | None:
    return next((f for f in KNOWN_FINDINGS if f.matches(exchange, problem)), None)
