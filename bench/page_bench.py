"""Benchmark: the HTML catalogue pages, rendered in process.

The `/dataset` page and the agency and group pages that share its snippets
(facet lists, filter pills, pager), as an anonymous reader, in Kyrgyz,
Russian and English, each with no filter, with a word and facets selected,
and on page 2 of a format; rendered through Flask's test client in this
process (no web server, no network), interleaved with `status_show` through
the same client as the baseline. It prints each page's p50 and p95 in ms
and as a ratio to `status_show`'s p50 in the same run. Search answers are
kept (`result_cache.py`), as on the portal: after the first round a page's
time is its rendering, which is what this measures.

The catalogue is `search_bench.py`'s generated one, in the `bench`
databases (reset on the first run; `KG_PAGE_BENCH_REUSE=1` measures the
last one again). Nothing here is a pass/fail test.

    .venv/bin/python bench/page_bench.py                   # 3,000 datasets, 30 rounds
    KG_PAGE_BENCH_REUSE=1 .venv/bin/python bench/page_bench.py
    KG_PAGE_BENCH_REUSE=1 .venv/bin/python bench/page_bench.py --profile 20
        # cProfile over 20 rounds of every page, the top functions
"""
from __future__ import annotations

import argparse
import cProfile
import importlib.util
import json
import logging
import os
import pstats
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SIZE = int(os.environ.get("KG_PAGE_BENCH_SIZE", "3000"))
ROUNDS = int(os.environ.get("KG_PAGE_BENCH_ROUNDS", "30"))
REUSE = os.environ.get("KG_PAGE_BENCH_REUSE") == "1"
STATE = ROOT / "var" / "bench" / "page-portal.json"
LANGUAGES = ("ky", "ru", "en")


def _search_bench():
    spec = importlib.util.spec_from_file_location(
        "kg_search_bench", Path(__file__).resolve().parent / "search_bench.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def build_catalogue(sb: Any) -> Path:
    """A fresh `bench` portal with SIZE generated datasets, indexed."""
    ps = sb.load_portal_script()
    ini, _ = ps.fresh_portal("bench")
    portal = sb.prepare_portal(ini)
    print(f"writing {SIZE} datasets in bulk", flush=True)
    sb.populate(ini, portal["admin_id"], 0, SIZE)
    seconds = sb.rebuild(ps, ini)
    print(f"  indexed in {seconds:.0f} s", flush=True)
    STATE.parent.mkdir(parents=True, exist_ok=True)
    STATE.write_text(json.dumps({"size": SIZE, "ini": str(ini.relative_to(ROOT))}))
    return ini


def page_addresses() -> dict[str, str]:
    """Each measured page, per language (Kyrgyz, the default, has no prefix)."""
    shapes = {
        "dataset": "/dataset/",
        "dataset q+tags+org": "/dataset/?q=калк&tags=калк&organization=agency-00",
        "dataset format page 2": "/dataset/?res_format=JSON&page=2",
        "agency": "/organization/agency-00",
        "agency format+group": "/organization/agency-00?res_format=PDF&groups=theme-01",
        "group": "/group/theme-01?tags=калк",
    }
    return {f"{shape} / {lang}": (path if lang == "ky" else f"/{lang}{path}")
            for lang in LANGUAGES for shape, path in shapes.items()}


def test_client(ini: Path) -> Any:
    from ckan.cli import CKANConfigLoader
    from ckan.config.middleware import make_app
    app = make_app(CKANConfigLoader(str(ini)).get_config())
    flask_app = app._wsgi_app if hasattr(app, "_wsgi_app") else app.apps["flask_app"]._wsgi_app
    return app, flask_app


def get(client: Any, path: str) -> float:
    began = time.perf_counter()
    response = client.get(path)
    elapsed = (time.perf_counter() - began) * 1000
    if response.status_code != 200:
        raise SystemExit(f"{path}: {response.status_code}")
    return elapsed


def measure(client: Any, pages: dict[str, str], rounds: int) -> dict[str, list[float]]:
    timings: dict[str, list[float]] = {"status_show (baseline)": []}
    for path in pages.values():  # a first round fills the kept answers
        get(client, path)
    for _ in range(rounds):
        for name, path in pages.items():
            timings["status_show (baseline)"].append(get(client, "/api/3/action/status_show"))
            timings.setdefault(name, []).append(get(client, path))
    return timings


def report(timings: dict[str, list[float]]) -> None:
    base = statistics.median(timings["status_show (baseline)"])
    print(f"{'page':<36} {'p50 ms':>8} {'p95 ms':>8} {'p50 ×':>7} {'p95 ×':>7}")
    for name, values in timings.items():
        values = sorted(values)
        p50 = statistics.median(values)
        p95 = values[min(len(values) - 1, round(0.95 * (len(values) - 1)))]
        print(f"{name:<36} {p50:8.1f} {p95:8.1f} {p50 / base:6.1f}× {p95 / base:6.1f}×")
    pages = [statistics.median(v) for k, v in timings.items() if not k.startswith("status")]
    print(f"{'all pages, mean of p50':<36} {statistics.mean(pages):8.1f} {'':>8} "
          f"{statistics.mean(pages) / base:6.1f}×")


def profile(client: Any, pages: dict[str, str], rounds: int, dump: str | None) -> None:
    for path in pages.values():
        get(client, path)
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(rounds):
        for path in pages.values():
            client.get(path)
    profiler.disable()
    if dump:
        profiler.dump_stats(dump)
    stats = pstats.Stats(profiler, stream=sys.stdout)
    stats.sort_stats("cumulative").print_stats(60)
    stats.sort_stats("tottime").print_stats(30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--profile", type=int, metavar="ROUNDS",
                        help="cProfile this many rounds instead of timing")
    parser.add_argument("--dump", metavar="FILE", help="with --profile: keep the statistics")
    parser.add_argument("--only", metavar="TEXT",
                        help="only the pages whose name contains TEXT (`dataset`)")
    args = parser.parse_args()
    sb = _search_bench()
    if REUSE:
        ini = ROOT / json.loads(STATE.read_text())["ini"]
    else:
        ini = build_catalogue(sb)
    app, flask_app = test_client(ini)
    logging.disable(logging.INFO)  # a line per request would be measured too
    client = flask_app.test_client()
    pages = {name: path for name, path in page_addresses().items()
             if not args.only or args.only in name}
    print("load average before: %.2f %.2f %.2f" % os.getloadavg())
    if args.profile:
        profile(client, pages, args.profile, args.dump)
    else:
        report(measure(client, pages, ROUNDS))
    print("load average after: %.2f %.2f %.2f" % os.getloadavg())


if __name__ == "__main__":
    sys.exit(main())
