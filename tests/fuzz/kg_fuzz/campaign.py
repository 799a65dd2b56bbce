"""A fuzzing campaign: every action of CKAN's registry (GET where the API
answers GET, and POST) and every route of the Flask app, as the anonymous
reader and as the outsider; the answers' problems split into those a known
finding excuses and the rest."""
from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field

from hypothesis import strategies as st

from kg_fuzz.findings import KnownFinding, known_finding
from kg_fuzz.hostile import Request, action_requests, view_requests
from kg_fuzz.planted import Planted
from kg_fuzz.runner import Caller, SurfaceRun, fuzz_surface
from kg_fuzz.surfaces import Surfaces
from kg_fuzz.verdict import Judged, Problem

ANONYMOUS, OUTSIDER = "anonymous", "outsider"


@dataclass(frozen=True)
class Target:
    surface: str  # "action package_search", "view /dataset/<id>"
    method: str
    requests_of: st.SearchStrategy[Request]


def action_targets(surfaces: Surfaces, planted: Planted) -> Iterator[Target]:
    for action in surfaces.actions:
        # the API reads a GET's query string only for side-effect-free
        # actions; the others still answer a GET, and must answer it cleanly
        for method in ("GET", "POST"):
            yield Target(f"action {action.name}", method,
                         action_requests(action, planted.known, method))


def view_targets(surfaces: Surfaces, planted: Planted) -> Iterator[Target]:
    for view in surfaces.views:
        if view.endpoint == "api.action":  # the actions above
            continue
        for method in view.methods:
            yield Target(f"view {view.rule}", method,
                         view_requests(view, planted.known, method))


@dataclass
class Outcome:
    runs: list[SurfaceRun] = field(default_factory=list)
    unexcused: list[tuple[Judged, Problem]] = field(default_factory=list)
    excused: Counter = field(default_factory=Counter)  # KnownFinding name -> answers

    @property
    def tried(self) -> int:
        return sum(run.tried for run in self.runs)

    def add(self, run: SurfaceRun) -> None:
        self.runs.append(run)
        for verdict in run.judged:
            for problem in verdict.problems:
                finding: KnownFinding | None = known_finding(verdict.exchange, problem)
                if finding:
                    self.excused[finding.name] += 1
                else:
                    self.unexcused.append((verdict, problem))


def run_campaign(caller: Caller, targets: Iterator[Target], planted: Planted,
                 examples: int) -> Outcome:
    outcome = Outcome()
    for target in targets:
        outcome.add(fuzz_surface(caller, target.surface, target.method,
                                 target.requests_of, planted.secrets, examples))
    return outcome


def describe(verdict: Judged, problem: Problem) -> str:
    """One line a developer can reproduce from."""
    exchange, request = verdict.exchange, verdict.exchange.request
    sent = request.text()
    sent = sent if len(sent) <= 300 else sent[:300] + f"... ({len(sent)} characters)"
    return (f"{exchange.surface} as {exchange.user}: {problem.kind} ({problem.detail[:200]!r}) "
            f"answering {request.method} {sent!r} with {exchange.status}")
