"""The plans of the main search shapes on the benchmark's catalogue.

Runs each shape through `package_search` in process (as an anonymous user,
or with `--member` as the benchmark's member of three agencies; permission
labels included) against `var/bench.ini`, and prints
`EXPLAIN (ANALYZE, BUFFERS)` of the statement the PostgreSQL backend ran.
Run it after `bench/search_bench.py` has filled the catalogue:

    .venv/bin/python bench/search_explain.py            # every shape
    .venv/bin/python bench/search_explain.py "dataset page"
    .venv/bin/python bench/search_explain.py --member "dataset page"
"""
from __future__ import annotations

import random
import sys
from pathlib import Path

import search_bench

ROOT = Path(__file__).resolve().parent.parent


def explained(statement_filter: str = "kg_search_index") -> list[str]:
    """Wraps the session's execute to EXPLAIN the search statement."""
    import sqlalchemy as sa
    from ckan import model

    from ckanext.kg.search import prepared
    plans: list[str] = []
    original = model.Session.execute

    def explain(statement, *args, **kwargs):
        text = str(statement)
        if (text.lstrip().startswith(("WITH", "EXECUTE kg_search_"))
                and statement_filter in prepared.statement_of(model.Session, text)):
            plans.extend(row[0] for row in original(
                sa.text("EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) " + text),
                *args, **kwargs))
        return original(statement, *args, **kwargs)

    model.Session.execute = explain
    return plans


def main(wanted: list[str], member: bool = False) -> None:
    import ckan.plugins.toolkit as tk
    from ckan import model
    app = search_bench._ckan_app(ROOT / "var" / "bench.ini")
    shapes = search_bench.query_shapes(random.Random(search_bench.SEED))
    with app.test_request_context():
        for name, make in shapes.items():
            if wanted and name not in wanted:
                continue
            _action, params = make()
            if not member:
                params = {k: v for k, v in params.items() if k != "include_private"}
            original = model.Session.execute
            plans = explained()
            try:
                reader = model.User.by_name("bench-member") if member else None
                tk.get_action("package_search")(
                    {"user": reader.name if reader else "", "auth_user_obj": reader,
                     "ignore_auth": False}, dict(params))
            finally:
                model.Session.execute = original
            print(f"\n### {name}: {params}\n")
            print("\n".join(plans))


if __name__ == "__main__":
    arguments = sys.argv[1:]
    main([a for a in arguments if a != "--member"], "--member" in arguments)
