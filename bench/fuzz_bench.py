"""Benchmark: a long fuzzing run of every public action and view, through
gunicorn, as the anonymous reader and as an outsider (a user with no
membership).

Plants a private dataset (a distinctive tag, title and DataStore row) and a
public table in the `bench` databases, then sends KG_FUZZ_EXAMPLES (30)
generated requests to each action (GET and POST) and each route of the Flask
app (tests/fuzz/kg_fuzz) and prints, per kind of surface and caller, the
inputs tried, the time taken, the answers a known finding excuses
(kg_fuzz.findings, each fixed on another branch) and every other problem,
grouped by surface and kind with the shortest input that showed it. The run
is seeded: the same code sends the same requests. Exits 1 on any finding
not known.

    make bench
    KG_FUZZ_EXAMPLES=50 .venv/bin/python bench/fuzz_bench.py
"""
from __future__ import annotations

import os
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "fuzz"))

from kg_fuzz.campaign import (  # noqa: E402
    ANONYMOUS,
    OUTSIDER,
    Outcome,
    action_targets,
    describe,
    run_campaign,
    view_targets,
)
from kg_fuzz.planted import plant  # noqa: E402
from kg_fuzz.runner import Caller  # noqa: E402
from kg_fuzz.surfaces import read_surfaces  # noqa: E402

sys.path.insert(0, str(ROOT / "bench"))
from search_bench import load_portal_script  # noqa: E402

EXAMPLES = int(os.environ.get("KG_FUZZ_EXAMPLES", "30"))


def shortest_per_problem(outcome: Outcome) -> dict[tuple[str, str, str], tuple[int, str]]:
    """(surface, caller, problem kind) -> (answers, the shortest input's description)."""
    found: dict[tuple[str, str, str], list] = defaultdict(list)
    for verdict, problem in outcome.unexcused:
        key = (verdict.exchange.surface, verdict.exchange.user, problem.kind)
        found[key].append((len(verdict.exchange.request.text()), describe(verdict, problem)))
    return {key: (len(items), min(items)[1]) for key, items in sorted(found.items())}


def report(kind: str, user: str, outcome: Outcome, seconds: float) -> None:
    surfaces = len({run.surface for run in outcome.runs})
    print(f"\n{kind} as {user}: {surfaces} surfaces, {len(outcome.runs)} surface-methods, "
          f"{outcome.tried:,} inputs in {seconds:.0f} s "
          f"({outcome.tried / max(seconds, 1e-9):.0f} inputs/s)")
    slowest = sorted(outcome.runs, key=lambda run: -run.seconds / max(run.tried, 1))[:3]
    print("  slowest: " + ", ".join(f"{run.method} {run.surface} "
                                    f"{1000 * run.seconds / max(run.tried, 1):.0f} ms"
                                    for run in slowest))
    for name, answers in sorted(outcome.excused.items()):
        print(f"  known, fixed elsewhere: {name}: {answers} answers")
    for (surface, _user, problem), (answers, example) in shortest_per_problem(outcome).items():
        print(f"  FINDING {surface}: {problem}, {answers} answers; shortest: {example}")
    if not outcome.unexcused:
        print("  no finding beyond the known ones")


def main() -> None:
    import ckanapi
    ps = load_portal_script()
    ini, token_file = ps.fresh_portal("bench")
    port = ps.PORTS["bench"]
    proc = ps.serve(ini, port, workers=2)
    base = f"http://127.0.0.1:{port}"
    unexcused = 0
    try:
        planted = plant(ckanapi.RemoteCKAN(base, apikey=token_file.read_text().strip()))
        surfaces = read_surfaces(ini)
        print(f"fuzzing {len(surfaces.actions)} actions and {len(surfaces.views)} routes, "
              f"{EXAMPLES} inputs per surface, method and caller")
        for user, token in ((ANONYMOUS, None), (OUTSIDER, planted.outsider_token)):
            for kind, targets in (("actions", action_targets), ("views", view_targets)):
                started = time.monotonic()
                outcome = run_campaign(Caller(base, user, token),
                                       targets(surfaces, planted), planted, EXAMPLES)
                report(kind, user, outcome, time.monotonic() - started)
                unexcused += len(outcome.unexcused)
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    sys.exit(1 if unexcused else 0)


if __name__ == "__main__":
    main()
