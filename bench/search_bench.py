"""Benchmark: package_search on the PostgreSQL backend at national scale.

Fills the `bench` databases with a generated catalogue (`generated_catalogue`:
Zipf-distributed words in Kyrgyz, Russian and English, 60 agencies, 15
groups, tags, formats, licences, themes, 10% private and 2% draft datasets),
written in bulk into CKAN's tables and indexed by a timed
`ckan search-index rebuild`. At each size it serves the portal with gunicorn
and measures, interleaved with a baseline request (`status_show`) on the same
server, every query shape below as an anonymous user and as a member of
three agencies with private datasets (permission labels on every query):

- the `/dataset` page with no query and its 5 facets,
- `q` with one common word, and with one rare word, each with 5 facets,
- `q` with one of the 20 most frequent words and 5 facets (the pessimistic
  case of earlier runs),
- `fq` filters (agency, format, theme), sorted by `metadata_modified`,
- sorted by `metadata_modified`, by `title_string`, and by score,
- a common word newest first (the other order its kept answer serves),
- a deep page (`start=5000`),
- the `/dataset` page right after a write (not timed) to a private dataset
  of an agency the member is not in, as an anonymous user and as the
  member (their kept answers stand), and right after a write to a private
  dataset of another agency, as a member of that agency (its answers
  change),

after `ckan kg keep-frequent-words` has kept the most frequent words
(`KG_BENCH_KEEP_WORDS=0` leaves them out: every word through the index),
and each search shape twice: on the portal as configured, which answers a
search asked before from the answers it keeps until the index changes
(`result_cache.py`), and on a second server of the same catalogue that
keeps none ("not kept": a search asked for the first time since the last
change; `KG_BENCH_UNCACHED=0` leaves it out),

then `package_create` and `package_update` through the API. It prints p50
and p95 of each as a ratio to `status_show`'s p50, and the growth between
sizes. Nothing here is a pass/fail test; the figures depend on the machine,
the ratios much less.

    make bench                                    # 1,000, 10,000, 100,000
    .venv/bin/python bench/search_bench.py --datasets 1000,10000 --requests 50
    .venv/bin/python bench/search_bench.py --reuse   # the last catalogue again
    .venv/bin/python bench/search_bench.py --help    # every option

Each option's default is the environment variable named in `--help`.
"""
from __future__ import annotations

import argparse
import importlib.util
import itertools
import json
import os
import random
import statistics
import sys
import time
from pathlib import Path
from typing import Any, Callable

import requests

ROOT = Path(__file__).resolve().parent.parent
SIZES = [int(s) for s in
         os.environ.get("KG_BENCH_SIZES", "1000,10000,100000").split(",")]
REQUESTS = int(os.environ.get("KG_BENCH_REQUESTS", "100"))
WRITES = int(os.environ.get("KG_BENCH_WRITES", "20"))
# processes indexing the generated datasets (the machine's cores, say)
INDEXERS = int(os.environ.get("KG_BENCH_INDEXERS", "1"))
# `ckan kg keep-frequent-words` after each load (0: the general path only)
KEEP_WORDS = os.environ.get("KG_BENCH_KEEP_WORDS", "1") == "1"
# every search shape also on a server that keeps no answers (result_cache.py),
# on the benchmark's port + 1000 (0: only the portal as configured)
UNCACHED = os.environ.get("KG_BENCH_UNCACHED", "1") == "1"
SEED = 20261206
RESULTS = ROOT / "var" / "bench" / "search.json"
FACETS = json.dumps(["organization", "groups", "tags", "res_format", "license_id"])
MEMBER_OF = ["agency-00", "agency-01", "agency-02"]
OTHER_AGENCY = "agency-10"  # one the member is not in
WRITING_AGENCY = "agency-05"  # another, whose own member sees its writes


def load_portal_script():
    spec = importlib.util.spec_from_file_location("kg_portal_script",
                                                  ROOT / "scripts" / "portal.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _catalogue():
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import generated_catalogue
    return generated_catalogue


def _ckan_app(ini: Path) -> Any:
    from ckan.cli import CKANConfigLoader
    from ckan.config.middleware import make_app
    app = make_app(CKANConfigLoader(str(ini)).get_config())
    return app._wsgi_app if hasattr(app, "_wsgi_app") else app.apps["flask_app"]._wsgi_app


def prepare_portal(ini: Path) -> dict[str, str]:
    """Agencies, groups and a member of three agencies; its API token."""
    import ckan.plugins.toolkit as tk
    catalogue = _catalogue()
    with _ckan_app(ini).test_request_context():
        context = {"ignore_auth": True, "user": "admin"}
        for name in catalogue.ORGANIZATIONS:
            tk.get_action("organization_create")(dict(context), {
                "name": name, "title_translated": {"ky": f"Агенттик {name[-2:]}",
                                                   "ru": f"Агентство {name[-2:]}"}})
        for name in catalogue.GROUPS:
            tk.get_action("group_create")(dict(context), {"name": name})
        tk.get_action("user_create")(dict(context), {
            "name": "bench-member", "email": "member@portal.invalid",
            "password": "bench-member-" + os.urandom(8).hex()})
        for name in MEMBER_OF:
            tk.get_action("organization_member_create")(dict(context), {
                "id": name, "username": "bench-member", "role": "member"})
        token = tk.get_action("api_token_create")(dict(context), {
            "user": "bench-member", "name": "bench"})["token"]
        admin = tk.get_action("user_show")(dict(context), {"id": "admin"})["id"]
    return {"member_token": token, "admin_id": admin}


def populate(ini: Path, admin_id: str, start: int, stop: int) -> float:
    """Write datasets start..stop-1 into CKAN's tables in bulk; seconds."""
    import psycopg2
    catalogue = _catalogue()
    began = time.perf_counter()
    connection = psycopg2.connect(_database_url(ini))
    try:
        writer = catalogue.CatalogueWriter(connection, admin_id)
        for chunk in range(start, stop, 5000):
            writer.write(catalogue.datasets(SEED, chunk, min(chunk + 5000, stop)))
    finally:
        connection.close()
    return time.perf_counter() - began


def _database_url(ini: Path) -> str:
    for line in ini.read_text().splitlines():
        if line.startswith("sqlalchemy.url"):
            return line.split("=", 1)[1].strip()
    raise SystemExit(f"no sqlalchemy.url in {ini}")


def rebuild(ps: Any, ini: Path, processes: int = INDEXERS) -> float:
    """`ckan search-index rebuild --only-missing`: the datasets just written,
    as a whole rebuild indexes each one; seconds. With more than one
    process, each indexes its share of the missing datasets with the same
    function (`ckan.lib.search.rebuild`), 1,000 to a transaction."""
    began = time.perf_counter()
    if processes <= 1:
        ps.ckan(ini, "search-index", "rebuild", "--only-missing", capture=True)
    else:
        import subprocess
        workers = [subprocess.Popen([sys.executable, __file__, "index-part", str(ini),
                                     str(k), str(processes)])
                   for k in range(processes)]
        if any(worker.wait() != 0 for worker in workers):
            raise SystemExit("an indexing process failed")
    seconds = time.perf_counter() - began
    if KEEP_WORDS:  # as an operator would after a load: the words as they are now
        began = time.perf_counter()
        kept = ps.ckan(ini, "kg", "keep-frequent-words", capture=True)
        print(f"  ckan kg keep-frequent-words: {time.perf_counter() - began:.0f} s, "
              "kept " + ", ".join(kept.split()[::2]), flush=True)
    import psycopg2
    connection = psycopg2.connect(_database_url(ini))
    connection.autocommit = True
    with connection.cursor() as cur:  # as autovacuum would, before measuring
        for table in ("kg_search_index", "kg_search_index_facet_counts",
                      "kg_search_index_facet_deltas", "kg_search_index_word_hits"):
            cur.execute(f"VACUUM ANALYZE {table}")
    connection.close()
    return seconds


def index_part(ini: Path, part: int, parts: int) -> None:
    """Index share `part` of `parts` of the datasets not yet indexed."""
    from ckan import model
    from ckan.lib import search

    from ckanext.kg.search import index_table
    with _ckan_app(ini).test_request_context():
        index_table.ensure_table(model.Session)
        indexed = {i for (i,) in model.Session.execute(
            sa_text("SELECT id FROM kg_search_index"))}
        ids = sorted(i for (i,) in model.Session.query(model.Package.id)
                     if i not in indexed)[part::parts]
        model.Session.rollback()  # hold no lock on the index while indexing
        for chunk in range(0, len(ids), 1000):
            search.rebuild(package_ids=ids[chunk:chunk + 1000], quiet=True)


def sa_text(sql: str) -> Any:
    import sqlalchemy as sa
    return sa.text(sql)


def _search(**params: Any) -> tuple[str, dict[str, Any]]:
    return "package_search", dict({"include_private": "true"}, **params)


def query_shapes(rng: random.Random) -> dict[str, Callable[[], tuple[str, dict]]]:
    """Each query shape: a function giving (action, parameters) per request."""
    catalogue = _catalogue()
    vocab = catalogue.VOCABULARIES
    langs = list(vocab)
    page = {"facet.field": FACETS, "rows": "20"}
    return {
        "dataset page": lambda: _search(fq="+dataset_type:dataset", **page),
        "q common + facets": lambda: _search(q=vocab["ky"].common(rng), **page),
        "q rare + facets": lambda: _search(
            q=vocab[rng.choice(langs)].rare(rng), **page),
        "q top-20 + facets": lambda: _search(
            q=rng.choice(catalogue.TOP_KY + catalogue.TOP_RU + catalogue.TOP_EN),
            **page),
        "fq filters": lambda: _search(
            fq=f'organization:"agency-{rng.randrange(20):02d}" '
               f'res_format:"{rng.choice(catalogue.FORMATS)}" '
               f'theme:"{rng.choice(catalogue.THEMES)}"',
            sort="metadata_modified desc"),
        "sort modified": lambda: _search(sort="metadata_modified desc", rows="20"),
        "sort title": lambda: _search(sort="title_string asc", rows="20"),
        "sort score (q common)": lambda: _search(
            q=vocab["ru"].common(rng), sort="score desc, metadata_modified desc",
            rows="20"),
        "sort modified (q common)": lambda: _search(
            q=vocab["ky"].common(rng), sort="metadata_modified desc", rows="20"),
        "deep page start=5000": lambda: _search(start="5000", rows="20"),
    }


def private_writer(base: str, admin_token: str, agency: str) -> Callable[[], None]:
    """A function that changes one of `agency`'s private datasets through
    the API, as the publishing rooms do all day."""
    session = requests.Session()
    session.headers["Authorization"] = admin_token
    found = session.get(f"{base}/api/3/action/package_search", params={
        "fq": f'organization:"{agency}" capacity:private', "rows": "1",
        "include_private": "true"}, timeout=120).json()["result"]["results"]
    if not found:
        raise SystemExit(f"no private dataset of {agency} in the catalogue")
    name, count = found[0]["name"], itertools.count()

    def write() -> None:
        response = session.post(f"{base}/api/3/action/package_patch", json={
            "id": name, "notes": f"Edited in the publishing room ({next(count)})"},
            timeout=120)
        if response.status_code != 200:
            raise SystemExit(f"package_patch: HTTP {response.status_code} "
                             f"{response.text[:300]}")
    return write


def agency_member_token(base: str, admin_token: str, agency: str) -> str:
    """An API token of a member of `agency` alone (made the first time):
    the reader whose answers a write to that agency's private datasets
    changes, apart from the benchmark's member, whose kept answers the
    other cases measure."""
    session = requests.Session()
    session.headers["Authorization"] = admin_token
    name = f"bench-member-of-{agency}"

    def call(action: str, data: dict[str, Any]) -> Any:
        response = session.post(f"{base}/api/3/action/{action}", json=data, timeout=120)
        if response.status_code != 200:
            raise SystemExit(f"{action}: HTTP {response.status_code} {response.text[:300]}")
        return response.json()["result"]

    if session.get(f"{base}/api/3/action/user_show", params={"id": name},
                   timeout=120).status_code == 404:
        call("user_create", {"name": name, "email": f"{name}@portal.invalid",
                             "password": "bench-member-" + os.urandom(8).hex()})
        call("organization_member_create", {"id": agency, "username": name,
                                            "role": "member"})
    return call("api_token_create", {"user": name, "name": "bench"})["token"]


def measure(base: str, member_token: str, n: int,
            uncached: str | None = None, admin_token: str | None = None
            ) -> dict[str, list[float]]:
    """Timings of every case, interleaved. With `uncached` (the same
    catalogue served by processes that keep no answers), each search shape
    is also asked there: what a search costs the first time it is asked
    after a change, which is also what a search nobody asked before costs.
    With `admin_token`, the dataset page is also asked right after a write
    to a private dataset (not timed): of an agency the member is not in,
    and of one that another member is in, whose answers that write changes
    (the benchmark's member is in neither, so its kept answers stay what
    the other cases measure)."""
    rng = random.Random(SEED)
    anonymous, member = requests.Session(), requests.Session()
    member.headers["Authorization"] = member_token
    Case = tuple[requests.Session, Callable, str, Callable[[], None] | None]
    cases: dict[str, Case] = {
        "status_show (baseline)": (anonymous, lambda: ("status_show", {}), base, None),
        # what a signed-in request costs before any search (token, user)
        "status_show / member": (member, lambda: ("status_show", {}), base, None)}
    for name, make in query_shapes(rng).items():
        cases[f"{name} / anon"] = (anonymous, make, base, None)
        cases[f"{name} / member"] = (member, make, base, None)
        if uncached:
            cases[f"{name} / anon, not kept"] = (anonymous, make, uncached, None)
            cases[f"{name} / member, not kept"] = (member, make, uncached, None)
    if admin_token:
        page = query_shapes(rng)["dataset page"]
        elsewhere = private_writer(base, admin_token, OTHER_AGENCY)
        own = private_writer(base, admin_token, WRITING_AGENCY)
        writers_member = requests.Session()
        writers_member.headers["Authorization"] = agency_member_token(
            base, admin_token, WRITING_AGENCY)
        cases["dataset page after a private write / anon"] = (
            anonymous, page, base, elsewhere)
        cases["dataset page after a private write / member"] = (
            member, page, base, elsewhere)
        cases["dataset page after its agency's private write / its member"] = (
            writers_member, page, base, own)
    timings: dict[str, list[float]] = {name: [] for name in cases}
    # each round in an order of its own: a case asked right after a heavy
    # one (a frequent word not kept reads 25,000 rows) finds the database's
    # cache emptied by it, and in a fixed order that was always the same case
    order = random.Random(SEED + 1)
    for round_ in range(n + 3):  # 3 rounds to warm up every worker and cache
        names = list(cases)
        order.shuffle(names)
        for name in names:  # interleaved: same noise
            session, make, server, before = cases[name]
            if before:
                before()
            action, params = make()
            began = time.perf_counter()
            response = session.get(f"{server}/api/3/action/{action}", params=params,
                                   timeout=120)
            elapsed = time.perf_counter() - began
            if response.status_code != 200:
                raise SystemExit(f"{name}: HTTP {response.status_code} "
                                 f"{response.text[:300]}")
            if round_ >= 3:
                timings[name].append(elapsed)
    return timings


def measure_writes(base: str, token: str, size: int, n: int) -> dict[str, list[float]]:
    """package_create then package_update of n datasets through the API,
    purged afterwards so the catalogue keeps its size."""
    catalogue = _catalogue()
    session = requests.Session()
    session.headers["Authorization"] = token
    timings: dict[str, list[float]] = {"package_create": [], "package_update": []}
    rng = random.Random(SEED + size)
    names = []
    for k in range(n):
        data = catalogue.dataset(rng, 900_000 + k)
        data.pop("state", None)
        data["name"] = f"bench-write-{size}-{k}"
        for action in ("package_create", "package_update"):
            if action == "package_update":
                data["title_translated"]["en"] += " updated"
            began = time.perf_counter()
            response = session.post(f"{base}/api/3/action/{action}", json=data,
                                    timeout=120)
            timings[action].append(time.perf_counter() - began)
            if response.status_code != 200:
                raise SystemExit(f"{action}: HTTP {response.status_code} "
                                 f"{response.text[:300]}")
            data["id"] = response.json()["result"]["id"]
        names.append(data["name"])
    for name in names:
        session.post(f"{base}/api/3/action/dataset_purge", json={"id": name}, timeout=120)
    return timings


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def summarise(timings: dict[str, list[float]], base: float) -> dict[str, dict]:
    return {name: {"p50_ms": statistics.median(v) * 1000,
                   "p95_ms": percentile(v, 95) * 1000,
                   "p50_x": statistics.median(v) / base,
                   "p95_x": percentile(v, 95) / base}
            for name, v in timings.items()}


def report(size: int, summary: dict[str, dict]) -> None:
    print(f"\n{size:,} datasets, {REQUESTS} requests each, through gunicorn")
    width = max(36, *(len(name) + 1 for name in summary))
    print(f"{'query':<{width}}{'p50 ms':>9}{'p95 ms':>9}{'p50 x':>8}{'p95 x':>8}")
    for name, s in summary.items():
        print(f"{name:<{width}}{s['p50_ms']:>9.1f}{s['p95_ms']:>9.1f}"
              f"{s['p50_x']:>8.2f}{s['p95_x']:>8.2f}")


def report_growth(results: dict[int, dict]) -> None:
    sizes = sorted(results)
    print("\np50 / status_show at each size, and growth of that ratio")
    width = max(36, *(len(name) + 1 for name in results[sizes[0]]["queries"]))
    print(f"{'query':<{width}}" + "".join(f"{s:>10,}" for s in sizes)
          + "".join(f"{'x' + str(b // a):>8}" for a, b in itertools.pairwise(sizes)))
    for name in results[sizes[0]]["queries"]:
        ratios = [results[s]["queries"][name]["p50_x"] for s in sizes]
        growth = [b / a for a, b in itertools.pairwise(ratios)]
        print(f"{name:<{width}}" + "".join(f"{r:>10.2f}" for r in ratios)
              + "".join(f"{g:>8.2f}" for g in growth))


PORTAL_STATE = ROOT / "var" / "bench" / "search-portal.json"


def arguments(argv: list[str]) -> argparse.Namespace:
    """The command line; each default is its environment variable's."""
    parser = argparse.ArgumentParser(
        description="package_search on the PostgreSQL backend, as a ratio to "
                    "status_show, on a generated catalogue (it empties the "
                    "`bench` databases unless --reuse is given).")
    parser.add_argument("--datasets", default=",".join(map(str, SIZES)),
                        help="catalogue sizes, one run each, growing "
                             "(KG_BENCH_SIZES; default %(default)s)")
    parser.add_argument("--requests", type=int, default=REQUESTS,
                        help="requests of each shape (KG_BENCH_REQUESTS; %(default)s)")
    parser.add_argument("--writes", type=int, default=WRITES,
                        help="package_create/update calls (KG_BENCH_WRITES; %(default)s)")
    parser.add_argument("--indexers", type=int, default=INDEXERS,
                        help="processes indexing (KG_BENCH_INDEXERS; %(default)s)")
    parser.add_argument("--reuse", action="store_true",
                        default=os.environ.get("KG_BENCH_REUSE") == "1",
                        help="measure the catalogue the last run left (KG_BENCH_REUSE=1)")
    parser.add_argument("--no-kept-words", dest="keep_words", action="store_false",
                        default=KEEP_WORDS,
                        help="keep no frequent words (KG_BENCH_KEEP_WORDS=0)")
    parser.add_argument("--no-uncached", dest="uncached", action="store_false",
                        default=UNCACHED,
                        help="no second server keeping no answers (KG_BENCH_UNCACHED=0)")
    options = parser.parse_args(argv)
    try:
        options.datasets = [int(size) for size in options.datasets.split(",")]
    except ValueError:
        parser.error(f"--datasets: not a list of numbers: {options.datasets!r}")
    if any(size <= 0 for size in options.datasets) or options.datasets != sorted(
            set(options.datasets)):
        parser.error("--datasets: sizes must be positive and growing")
    return options


def main(argv: list[str]) -> None:
    global SIZES, REQUESTS, WRITES, INDEXERS, KEEP_WORDS, UNCACHED
    options = arguments(argv)
    SIZES, REQUESTS, WRITES = options.datasets, options.requests, options.writes
    INDEXERS, KEEP_WORDS, UNCACHED = options.indexers, options.keep_words, options.uncached
    ps = load_portal_script()
    port = ps.PORTS["bench"]
    reuse = options.reuse
    if reuse:  # measure the catalogue the last run left, at its size
        ini, token_file = ROOT / "var" / "bench.ini", ps.VAR / "bench-sysadmin.token"
        portal = json.loads(PORTAL_STATE.read_text())
    else:
        ini, token_file = ps.fresh_portal("bench")
        portal = prepare_portal(ini)
        PORTAL_STATE.parent.mkdir(parents=True, exist_ok=True)
        PORTAL_STATE.write_text(json.dumps(portal))
    admin_token = token_file.read_text().strip()
    results: dict[int, dict] = {}
    created = 0
    for size in ([portal["size"]] if reuse else SIZES):
        seconds = None
        if not reuse:
            print(f"writing datasets {created}..{size - 1} in bulk", flush=True)
            elapsed = populate(ini, portal["admin_id"], created, size)
            print(f"  {size - created} datasets written in {elapsed:.0f} s")
            previous, created = created, size
            seconds = rebuild(ps, ini, INDEXERS)
            rate = (size - previous) / seconds
            print(f"  ckan search-index rebuild -o ({INDEXERS} process(es)): "
                  f"{size - previous} datasets in {seconds:.0f} s ({rate:.0f} datasets/s)",
                  flush=True)
            portal["size"] = size
            PORTAL_STATE.write_text(json.dumps(portal))
        results[size] = measure_size(ps, ini, port, portal, admin_token, size)
        if seconds:
            results[size]["rebuild_per_s"] = (size - previous) / seconds
        output = RESULTS.with_name("search-reused.json") if reuse else RESULTS
        output.write_text(json.dumps(results, indent=1))
    if len(results) >= 2:
        report_growth(results)
        print("\nwrites, p50 ms: " + ", ".join(
            f"{s:,}: create {r['writes']['package_create']['p50_ms']:.0f}, "
            f"update {r['writes']['package_update']['p50_ms']:.0f}"
            for s, r in results.items()))
    rates = [f"{s:,}: {r['rebuild_per_s']:.0f}" for s, r in results.items()
             if "rebuild_per_s" in r]
    if rates:
        print(f"rebuild -o in {INDEXERS} process(es), datasets/s: " + ", ".join(rates))


def uncached_ini(ini: Path) -> Path:
    """The benchmark's configuration with no search answers kept."""
    path = ini.with_name(f"{ini.stem}-uncached.ini")
    path.write_text(f"[app:main]\nuse = config:{ini.name}\n"
                    "ckanext.kg.search.result_cache_mb = 0\n")
    return path


def measure_size(ps: Any, ini: Path, port: int, portal: dict[str, Any],
                 admin_token: str, size: int) -> dict[str, Any]:
    proc = ps.serve(ini, port, workers=2)
    base = f"http://127.0.0.1:{port}"
    uncached = None
    if UNCACHED:
        uncached = ps.serve(uncached_ini(ini), port + 1000, workers=2)
    try:
        timings = measure(base, portal["member_token"], REQUESTS,
                          uncached and f"http://127.0.0.1:{port + 1000}", admin_token)
        baseline = statistics.median(timings["status_show (baseline)"])
        result = {"queries": summarise(timings, baseline)}
        report(size, result["queries"])
        writes = measure_writes(base, admin_token, size, WRITES)
        result["writes"] = summarise(writes, baseline)
        report(size, result["writes"])
    finally:
        for server in (proc, uncached):
            if server:
                server.terminate()
                server.wait(timeout=30)
    return result


if __name__ == "__main__":
    if sys.argv[1:2] == ["index-part"]:
        index_part(Path(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]))
    else:
        sys.exit(main(sys.argv[1:]))
