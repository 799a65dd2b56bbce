"""Benchmark: package_search on the PostgreSQL backend, through gunicorn.

Indexes generated datasets (Kyrgyz, Russian and English text, tags,
organizations, resources) into the `bench` databases, then measures, in one
run and interleaved with a baseline request (`status_show`) on the same
server:

- package_search with `q` only,
- with `q` and 5 facets,
- with `fq` filters,

at 1,000 and at 10,000 datasets, and prints p50/p95 latency, the ratio of
each p50 to the baseline's p50, and the 10k/1k growth ratio. Nothing here is
a pass/fail test; the figures depend on the machine, the ratios much less.

    make bench                     # 1,000 then 10,000 datasets
    KG_BENCH_SIZES=200,1000 make bench
"""
from __future__ import annotations

import importlib.util
import os
import random
import statistics
import sys
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
SIZES = [int(s) for s in os.environ.get("KG_BENCH_SIZES", "1000,10000").split(",")]
REQUESTS = int(os.environ.get("KG_BENCH_REQUESTS", "200"))
SEED = 20261126

WORDS_KY = ["калк", "саны", "облус", "район", "айыл", "чарба", "билим", "берүү",
            "саламаттык", "өнүгүү", "санарип", "эмгек", "маяна", "жумушсуздук",
            "бюджет", "салык", "экспорт", "импорт", "туризм", "энергетика"]
WORDS_RU = ["население", "численность", "область", "район", "сельское",
            "хозяйство", "образование", "здравоохранение", "развитие", "цифровой",
            "труд", "зарплата", "безработица", "бюджет", "налог", "экспорт",
            "импорт", "туризм", "энергетика", "статистика"]
WORDS_EN = ["population", "region", "district", "agriculture", "education",
            "health", "development", "digital", "labour", "wages",
            "unemployment", "budget", "tax", "exports", "imports", "tourism",
            "energy", "statistics", "census", "prices"]
# Not tables: a table cannot be public until its file has passed validation.
FORMATS = ["JSON", "XML", "PDF", "ZIP", "API"]
LICENSES = ["cc-by", "cc-zero", "odc-by", "odc-odbl", "odc-pddl"]


def load_portal_script():
    spec = importlib.util.spec_from_file_location("kg_portal_script",
                                                  ROOT / "scripts" / "portal.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def sentence(rng: random.Random, words: list[str], n: int) -> str:
    return " ".join(rng.choice(words) for _ in range(n))


REGION_CODES = ["KG02000000000", "KG03000000000", "KG04000000000", "KG05000000000",
                "KG06000000000", "KG07000000000", "KG08000000000", "KG11000000000"]
THEMES = ["AGRI", "ECON", "EDUC", "ENER", "ENVI", "GOVE", "HEAL", "SOCI", "TRAN"]


def dataset(rng: random.Random, i: int, orgs: list[str], groups: list[str]) -> dict:
    """A dataset that meets the data-exchange code (so it can be public)."""
    return {
        "name": f"bench-{i:06d}",
        "title_translated": {"ky": sentence(rng, WORDS_KY, 3).capitalize(),
                             "ru": sentence(rng, WORDS_RU, 3).capitalize(),
                             "en": sentence(rng, WORDS_EN, 3).capitalize()},
        "notes_translated": {"ky": sentence(rng, WORDS_KY, 25),
                             "ru": sentence(rng, WORDS_RU, 25),
                             "en": sentence(rng, WORDS_EN, 25)},
        "keywords": {"ky": sorted({rng.choice(WORDS_KY) for _ in range(2)}),
                     "ru": sorted({rng.choice(WORDS_RU) for _ in range(2)})},
        "owner_org": rng.choice(orgs),
        "groups": [{"name": g} for g in rng.sample(groups, rng.randint(0, 2))],
        "contact_name": "Open data desk",
        "contact_email": "open-data@example.invalid",
        "license_id": rng.choice(LICENSES),
        "access_level": "open",
        "frequency": rng.choice(["ANNUAL", "QUARTERLY", "MONTHLY"]),
        "temporal_start": f"{rng.randint(2000, 2023)}-01-01",
        "spatial_divisions": rng.sample(REGION_CODES, rng.randint(1, 3)),
        "theme": rng.choice(THEMES),
        "private": rng.random() < 0.1,
        "resources": [{"url": f"http://example.invalid/{i}/{k}",
                       "name": sentence(rng, WORDS_EN, 2),
                       "format": rng.choice(FORMATS)}
                      for k in range(rng.randint(1, 3))],
    }


def populate(ini: Path, start: int, stop: int) -> float:
    """Create datasets start..stop-1 through CKAN's actions, in process."""
    import ckan.plugins.toolkit as tk
    from ckan.cli import CKANConfigLoader
    from ckan.config.middleware import make_app

    app = make_app(CKANConfigLoader(str(ini)).get_config())
    flask_app = app._wsgi_app if hasattr(app, "_wsgi_app") else app.apps["flask_app"]._wsgi_app
    rng = random.Random(SEED + start)
    orgs = [f"agency-{k:02d}" for k in range(20)]
    groups = [f"theme-{k:02d}" for k in range(10)]
    began = time.perf_counter()
    with flask_app.test_request_context():
        context = {"ignore_auth": True, "user": "admin"}
        existing = set(tk.get_action("organization_list")(dict(context), {}))
        for name in orgs:
            if name not in existing:
                tk.get_action("organization_create")(dict(context), {
                    "name": name, "title_translated": {"ky": f"Агенттик {name[-2:]}",
                                                       "ru": f"Агентство {name[-2:]}"}})
        existing = set(tk.get_action("group_list")(dict(context), {}))
        for name in groups:
            if name not in existing:
                tk.get_action("group_create")(dict(context), {"name": name})
        for i in range(start, stop):
            tk.get_action("package_create")(dict(context), dataset(rng, i, orgs, groups))
            if (i + 1) % 500 == 0:
                print(f"  indexed {i + 1} datasets", flush=True)
    return time.perf_counter() - began


def measure(base: str, n: int) -> dict[str, list[float]]:
    rng = random.Random(SEED)
    session = requests.Session()
    cases = {
        "status_show (baseline)": lambda: ("status_show", {}),
        "q only": lambda: ("package_search", {
            "q": f"{rng.choice(WORDS_KY)} {rng.choice(WORDS_RU)}"}),
        "q + 5 facets": lambda: ("package_search", {
            "q": rng.choice(WORDS_KY + WORDS_RU + WORDS_EN),
            "facet.field": '["organization","groups","tags","res_format","theme"]',
            "facet.limit": "20"}),
        "fq filters": lambda: ("package_search", {
            "fq": f'organization:"agency-{rng.randrange(20):02d}" '
                  f'res_format:"{rng.choice(FORMATS)}" theme:"{rng.choice(THEMES)}"',
            "sort": "metadata_modified desc"}),
    }
    timings: dict[str, list[float]] = {name: [] for name in cases}
    for _ in range(5):  # warm up every worker and cache
        for make in cases.values():
            action, params = make()
            session.get(f"{base}/api/3/action/{action}", params=params, timeout=60)
    for _ in range(n):
        for name, make in cases.items():  # interleaved: same noise for all
            action, params = make()
            began = time.perf_counter()
            response = session.get(f"{base}/api/3/action/{action}", params=params,
                                   timeout=60)
            timings[name].append(time.perf_counter() - began)
            if response.status_code != 200:
                raise SystemExit(f"{name}: HTTP {response.status_code} {response.text[:200]}")
    return timings


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def report(size: int, timings: dict[str, list[float]]) -> dict[str, float]:
    base = statistics.median(timings["status_show (baseline)"])
    print(f"\n{size:,} datasets, {REQUESTS} requests each, through gunicorn")
    print(f"{'query':<24}{'p50 ms':>9}{'p95 ms':>9}{'p50 / status_show':>20}")
    medians = {}
    for name, values in timings.items():
        p50, p95 = statistics.median(values), percentile(values, 95)
        medians[name] = p50
        print(f"{name:<24}{p50 * 1000:>9.1f}{p95 * 1000:>9.1f}{p50 / base:>20.2f}")
    return medians


def main() -> None:
    ps = load_portal_script()
    ini, _token = ps.fresh_portal("bench")
    port = ps.PORTS["bench"]
    results: dict[int, dict[str, float]] = {}
    created = 0
    for size in SIZES:
        print(f"creating datasets {created}..{size - 1}", flush=True)
        seconds = populate(ini, created, size)
        print(f"  {size - created} datasets created and indexed in {seconds:.0f} s "
              f"({(size - created) / seconds:.0f}/s)")
        created = size
        proc = ps.serve(ini, port, workers=2)
        try:
            results[size] = report(size, measure(f"http://127.0.0.1:{port}", REQUESTS))
        finally:
            proc.terminate()
            proc.wait(timeout=30)
    if len(SIZES) >= 2:
        small, large = SIZES[0], SIZES[-1]
        print(f"\ngrowth of p50 from {small:,} to {large:,} datasets "
              f"({large // small}x the data)")
        for name in results[small]:
            print(f"{name:<24}{results[large][name] / results[small][name]:>9.2f}x")


if __name__ == "__main__":
    sys.exit(main())
