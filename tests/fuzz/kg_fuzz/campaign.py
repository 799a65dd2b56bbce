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
from kg_fuzz.runner import Caller, SurfaceRun, generate, send_all
from kg_fuzz.surfaces import Surfaces
from kg_fuzz.verdict import Judged, Problem

ANONYMOUS, OUTSIDER = "anonymous", "outsider"
CONNECTIONS = 2  # the portal's web workers (KG_WEB_WORKERS)


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
    seen = set()
    for view in surfaces.views:
        # api.action: the actions above; a rule registered twice (CKAN's
        # `resource` and `dataset_resource` blueprints) is served by its first view
        if view.endpoint == "api.action" or view.rule in seen:
            continue
        seen.add(view.rule)
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
                 examples: int, connections: int = CONNECTIONS) -> Outcome:
    """`examples` requests to each target, sent `connections` at a time."""
    runs = [(SurfaceRun(t.surface, caller.user, t.method),
             generate(t.surface, caller.user, t.method, t.requests_of, examples))
            for t in targets]
    send_all(caller, runs, planted.secrets, connections)
    outcome = Outcome()
    for run, _drawn in runs:
        outcome.add(run)
    return outcome


def describe(verdict: Judged, problem: Problem) -> str:
    """One line a developer can reproduce from."""
    exchange, request = verdict.exchange, verdict.exchange.request
    sent = request.text()
    sent = sent if len(sent) <= 300 else sent[:300] + f"... ({len(sent)} characters)"
    return (f"{exchange.surface} as {exchange.user}: {problem.kind} ({problem.detail[:200]!r}) "
            f"answering {request.method} {sent!r} with {exchange.status}")
