"""Benchmark: publishing a table through the portal against bare COPY.

Not a test. Generates the validation benchmark's N-row table with every
Table Schema type (``bench_table.py``) in UTF-8 with commas and in cp1251
with ``;``, ``%d.%m.%Y`` dates and decimal commas (``--variants``), then,
for each, one after the other in the same run:

- bare PostgreSQL COPY of the file into a typed table of the DataStore's
  own database (`datastore_bench`);
- frictionless validation alone, and kg-validate alone (the engine);
- the portal's whole path: a fresh portal (`bench` databases) served by
  gunicorn with a jobs worker; the file uploaded through the Action API
  (`resource_create`, multipart), until `kg_validation_show` says it passed
  and `datastore_search` counts every row: validated, canonical CSV,
  typed DataStore table with its primary key and full-text column;
- then whole-table downloads from the portal: Parquet, CSV, CSV for
  Excel, XLSX and JSON (served from the stored files), and CSV, XLSX and
  JSON through the DataStore (`sort=id`), with their throughput against
  reading the same file from disk.

It prints each time and the ratios::

    make bench
    python bench/ingestion_bench.py --rows 200000 [--variants cp1251]
"""
from __future__ import annotations

import argparse
import json
import os
import re
import sys
import tempfile
import time
from pathlib import Path
from typing import Optional

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_table import schema as table_schema  # noqa: E402
from search_bench import load_portal_script  # noqa: E402
from validation_bench import (  # noqa: E402
    copy_command,
    frictionless_command,
    kg_command,
    measure,
    write_in_child,
)

ORGANIZATION = {"name": "bench-agency", "kind": "state_committee", "title_translated": {
    "ky": "Өлчөө мекемеси", "ru": "Ведомство для замеров", "en": "Benchmark agency"}}
DATASET = {
    "name": "bench-table", "private": True, "owner_org": "bench-agency",
    "title_translated": {"ky": "Өлчөө таблицасы", "ru": "Таблица для замеров"},
    "notes_translated": {"ky": "Түзүлгөн маалымат.", "ru": "Сгенерированные данные."},
    "keywords": {"ky": ["өлчөө"], "ru": ["замер"]}, "license_id": "cc-by",
    "access_level": "open", "frequency": "ANNUAL", "temporal_start": "2023-01-01",
    "spatial_divisions": ["KG02000000000"], "theme": "SOCI"}


class Portal:
    def __init__(self, base: str, token: str) -> None:
        self.base, self.session = base, requests.Session()
        self.session.headers["Authorization"] = token

    def action(self, action: str, **data):
        response = self.session.post(f"{self.base}/api/3/action/{action}", json=data)
        body = response.json()
        if not body.get("success"):
            raise SystemExit(f"{action}: {body.get('error')}")
        return body["result"]

    def upload(self, table: Path, dataset_id: str, schema: dict) -> dict:
        """As kg-publish sends it: the file streamed as it is read."""
        from kg_validation.upload import multipart_body
        with table.open("rb") as stream:
            body = multipart_body({"package_id": dataset_id, "name": "bench", "format": "CSV",
                                   "url": table.name, "schema": json.dumps(schema)},
                                  {"upload": stream})
            response = self.session.post(f"{self.base}/api/3/action/resource_create",
                                         data=body, headers={"Content-Type": body.content_type})
        return response.json()["result"]

    def wait_until_published(self, resource_id: str, rows: int, timeout: float,
                             watch: "Watch") -> dict:
        def ask():
            shown = self.action("kg_validation_show", id=resource_id)
            if shown["status"] is not None or (shown["job"] or {}).get("state") in (
                    "error", "interrupted"):
                return shown
            return None

        shown = watch.until(ask, f"validated resource {resource_id}", timeout)
        if shown is None:
            raise SystemExit("timed out waiting for validation")
        if shown["status"] != "success":
            raise SystemExit(f"not published: {shown['status']} {shown['job']}")
        total = self.action("datastore_search", resource_id=resource_id, limit=0)["total"]
        if total != rows:
            raise SystemExit(f"the DataStore holds {total} rows, not {rows}")
        return shown

    def wait_until_searchable(self, resource_id: str, timeout: float, watch: "Watch") -> None:
        """Until the job is done: the full-text search (`q`) is built."""
        def ask():
            job = self.action("kg_validation_show", id=resource_id)["job"] or {}
            if job.get("state") in ("error", "interrupted"):
                raise SystemExit(f"full-text search not built: {job}")
            return True if job.get("state") == "done" else None

        if watch.until(ask, f"resource {resource_id}: full-text search built", timeout) is None:
            raise SystemExit("timed out waiting for the full-text search")

    def download(self, dataset: str, resource_id: str, fmt: str, target: Path,
                 params: Optional[dict] = None) -> float:
        started = time.perf_counter()
        with self.session.get(f"{self.base}/dataset/{dataset}/resource/{resource_id}"
                              f"/export/{fmt}", params=params, stream=True) as response:
            response.raise_for_status()
            with target.open("wb") as out:
                for block in response.iter_content(1 << 20):
                    out.write(block)
        return time.perf_counter() - started


# name -> (format, query): whole-table downloads come from the stored files;
# a `sort` (any DataStore parameter) takes the DataStore path, for comparison
DOWNLOADS = {"parquet": ("parquet", None), "csv": ("csv", None), "excel": ("excel", None),
             "xlsx": ("xlsx", None), "json": ("json", None),
             "csv-datastore": ("csv", {"sort": "id"}),
             "xlsx-datastore": ("xlsx", {"sort": "id"}),
             "json-datastore": ("json", {"sort": "id"})}


class Watch:
    """When to ask the portal whether a job got somewhere.

    Asking (`kg_validation_show`, through gunicorn and CKAN) costs the
    portal about 10 ms of processor time each time, taken from the job it
    measures on a machine of 2 cores: asked 10 times a second, gunicorn
    used 1.0 to 1.8 s of processor time during a publication of a million
    rows. With `--poll log` (the default) the worker's log is read instead
    (a few bytes, every 20 ms, nothing asked of the portal), the portal is
    asked as soon as the job logs the line that announces the step (then
    every 0.1 s until it says so), and otherwise once a second, so a job
    that fails without that line is still seen. Every time measured still
    ends with the portal's own answer; it is late by at most 20 ms plus
    one request. `--poll api` asks 10 times a second, as before."""

    def __init__(self, log_path: Path, mode: str = "log") -> None:
        self.log_path, self.mode = log_path, mode

    def until(self, ask, line: str, timeout: float):
        """`ask()`'s first answer that is not None, or None at `timeout`."""
        deadline = time.monotonic() + timeout
        seen = self.mode == "api"
        next_ask = 0.0
        while time.monotonic() < deadline:
            seen = seen or line in self.log_path.read_text(errors="replace")
            if seen or time.monotonic() >= next_ask:
                answer = ask()
                if answer is not None:
                    return answer
                next_ask = time.monotonic() + 1.0
            time.sleep(0.1 if seen else 0.02)
        return None


def processor_seconds(pid: int) -> float:
    """User + system time of a process and of its children, living (every
    descendant) or waited for (their `cutime`, `cstime`), from /proc."""
    tick = os.sysconf("SC_CLK_TCK")
    stats = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            stats[int(entry.name)] = (int(fields[1]), sum(int(v) for v in fields[11:15]))
    tree, total = {pid}, 0
    for _ in range(8):  # descendants, a few generations deep
        tree |= {child for child, (parent, _) in stats.items() if parent in tree}
    for member in tree:
        total += stats.get(member, (0, 0))[1]
    return total / tick


def wait_for_line(path: Path, text: str, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while text not in path.read_text(errors="replace"):
        if time.monotonic() > deadline:
            raise SystemExit(f"no '{text}' in {path}")
        time.sleep(0.2)


def stage_seconds(log_path: Path) -> dict[str, float]:
    """The job's own timings of its two stages (and, within the load, of
    writing the stored files), from the worker's log."""
    text = log_path.read_text(errors="replace")
    found = {}
    for name, pattern in (("checked", r"checked in ([0-9.]+) s"),
                          ("loaded", r"rows loaded in ([0-9.]+) s"),
                          ("stored", r"stored files written in ([0-9.]+) s"),
                          ("search", r"full-text search built in ([0-9.]+) s")):
        match = re.search(pattern, text)
        if match:
            found[name] = float(match.group(1))
    return found


def datastore_dsn(admin_url: str, database: str) -> str:
    return admin_url.rsplit("/", 1)[0] + "/" + database


def read_seconds(path: Path) -> float:
    started = time.perf_counter()
    with path.open("rb") as stream:
        while stream.read(1 << 20):
            pass
    return time.perf_counter() - started


def portal_path(ps, ini: Path, token_file: Path, table: Path, rows: int, work: Path,
                schema: dict, downloads: tuple = tuple(DOWNLOADS),
                poll: str = "log") -> dict[str, float]:
    """Upload through the API until public and queryable; then downloads."""
    port = ps.PORTS["bench"]
    log_path = ps.LOG / "bench-worker.log"
    web, worker = serve_with_worker(ps, ini, port, log_path)
    try:
        portal = Portal(f"http://127.0.0.1:{port}", token_file.read_text().strip())
        portal.action("organization_create", **ORGANIZATION)
        dataset = portal.action("package_create", **DATASET)
        watch = Watch(log_path, poll)
        cpu = {"web": processor_seconds(web.pid), "worker": processor_seconds(worker.pid)}
        started = time.perf_counter()
        resource = portal.upload(table, dataset["id"], schema)
        uploaded = time.perf_counter() - started
        shown = portal.wait_until_published(resource["id"], rows, 3600, watch)
        public = time.perf_counter() - started
        cpu = {name: processor_seconds(process.pid) - cpu[name]
               for name, process in (("web", web), ("worker", worker))}
        portal.wait_until_searchable(resource["id"], 3600, watch)
        results = {"upload (API)": uploaded,
                   "upload -> public, queryable": public,
                   "web cpu": cpu["web"], "worker cpu": cpu["worker"],
                   "upload -> full-text search built": time.perf_counter() - started,
                   "engine": shown["report"].get("engine") or "?",
                   **stage_seconds(log_path)}
        for name in downloads:
            fmt, params = DOWNLOADS[name]
            target = work / f"download.{name}"
            results[f"download {name}"] = portal.download(
                dataset["name"], resource["id"], fmt, target, params)
            results[f"download {name} MiB"] = target.stat().st_size / 1024**2
        return results
    finally:
        stop(worker, web)


def serve_with_worker(ps, ini: Path, port: int, log_path: Path):
    """gunicorn (one worker) and a jobs worker, running as in production
    (the worker's log in `log_path`): (web, worker), for `stop`."""
    import subprocess
    web = ps.serve(ini, port, workers=1)
    log_path.unlink(missing_ok=True)
    with log_path.open("ab") as log:
        worker = subprocess.Popen([str(ps.VENV_BIN / "ckan"), "-c", str(ini), "jobs",
                                   "worker"], stdout=log, stderr=log)
    try:
        wait_for_line(log_path, "has started on queue")
    except BaseException:
        stop(worker, web)
        raise
    return web, worker


def stop(*processes) -> None:
    """Stop the worker and the web server; a worker still making a table's
    download files (a job after the publication) is killed after 30 s."""
    import subprocess
    for process in processes:
        process.terminate()
    for process in processes:
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(30)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--variants", default="utf-8,cp1251",
                        help="comma-separated: utf-8 (commas), cp1251 (';', decimal commas)")
    parser.add_argument("--skip-frictionless", action="store_true")
    parser.add_argument("--publish-only", action="store_true",
                        help="of the downloads, only the Parquet file")
    parser.add_argument("--load-after-validation", action="store_true",
                        help="no load while validating "
                             "(ckanext.kg.validation.load_while_validating = false)")
    parser.add_argument("--poll", choices=("log", "api"), default="log",
                        help="log: ask the portal when the worker's log says the job got "
                             "there, else once a second; api: ask 10 times a second "
                             "(see Watch)")
    args = parser.parse_args()
    for variant in args.variants.split(","):
        run_variant(args, variant)
    return 0


def allow_uploads_of(ini: Path, mib: float) -> None:
    """The bench portal accepts an upload of the table's size (the
    every-type table of a million rows is over the default 100 MB)."""
    limit = max(100, int(mib) + 1)
    ini.write_text(re.sub(r"(?m)^ckan\.max_resource_size = .*$",
                          f"ckan.max_resource_size = {limit}", ini.read_text()))


def run_variant(args, variant: str) -> None:
    """Every step on the variant's table, on a fresh portal."""
    ps = load_portal_script()
    admin_url = ps.start_postgres(ps.load_secrets())
    with tempfile.TemporaryDirectory(prefix="kg-ingest-bench-") as workdir:
        work = Path(workdir)
        table, schema = work / "bench.csv", work / "schema.json"
        descriptor = table_schema(variant)
        schema.write_text(json.dumps(descriptor), encoding="utf-8")
        write_in_child(table, args.rows, variant)
        mib = table.stat().st_size / 1024**2
        print(f"{variant}: rows {args.rows:,}, {mib:.1f} MiB", flush=True)
        ini, token_file = ps.fresh_portal("bench")  # empty bench databases
        allow_uploads_of(ini, mib)
        if args.load_after_validation:
            ini.write_text(ini.read_text().replace(
                "[app:main]\n", "[app:main]\nckanext.kg.validation.load_while_validating = false\n",
                1))
        dsn = datastore_dsn(admin_url, ps.DATABASES["bench"][1])
        times = {"COPY": measure(copy_command(dsn, table, variant=variant)),
                 "durable COPY": measure(copy_command(dsn, table, True, variant))}
        times["kg-validate"] = measure(kg_command(table, schema, work / "canonical.csv"))
        if not args.skip_frictionless:
            times["frictionless"] = measure(frictionless_command(table, schema, variant))
        full = portal_path(ps, ini, token_file, table, args.rows, work, descriptor,
                           ("parquet",) if args.publish_only else tuple(DOWNLOADS), args.poll)
        full["load"] = os.getloadavg()[0]
        disk = read_seconds(table)
    report(times, full, mib, disk)


def report(measured: dict, full: dict, mib: float, disk: float) -> None:
    for name, label in (("COPY", "bare COPY, temporary table"),
                        ("durable COPY", "bare COPY, ordinary table, committed"),
                        ("kg-validate", "kg-validate alone"),
                        ("frictionless", "frictionless validate alone")):
        if name in measured:
            seconds, peak, code, load = measured[name]
            print(f"{label:38}{seconds:8.2f} s  "
                  f"(peak {peak:.0f} MiB, exit {code}, load {load:.2f})")
    times = {name: values[0] for name, values in measured.items()}
    copy, durable = times["COPY"], times["durable COPY"]
    print(f"{'portal: upload through the API':38}{full['upload (API)']:8.2f} s")
    public = full["upload -> public, queryable"]
    print(f"{'portal: upload -> public, queryable':38}{public:8.2f} s"
          f"  (validation engine: {full['engine']}, load {full['load']:.2f})")
    print(f"{'  processor time meanwhile, web / jobs':38}{full['web cpu']:8.2f} s"
          f" / {full['worker cpu']:.2f} s  (user + sys, from the upload's start)")
    for stage, label in (("checked", "of which: validation"),
                         ("loaded", "of which: DataStore load"),
                         ("stored", "  meanwhile: stored CSV, Parquet")):
        if stage in full:
            print(f"{'  ' + label:38}{full[stage]:8.2f} s")
    print(f"{'portal: upload -> full-text search':38}"
          f"{full['upload -> full-text search built']:8.2f} s")
    if "search" in full:
        print(f"{'  of which: building it (after public)':38}{full['search']:8.2f} s")
    print(f"{'portal: then Parquet download':38}{full['download parquet']:8.2f} s"
          f"  ({full['download parquet MiB']:.1f} MiB)")
    print(f"portal publish / bare COPY (temporary) {public / copy:7.2f}")
    print(f"portal publish / bare COPY (ordinary)  {public / durable:7.2f}  (goal <= 1.5)")
    print(f"kg-validate / bare COPY (temporary)    "
          f"{times['kg-validate'] / copy:7.2f}  (goal <= 1.0)")
    print(f"portal publish + Parquet / bare COPY  "
          f"{(public + full['download parquet']) / copy:8.2f}")
    if "frictionless" in times:
        print(f"frictionless alone / bare COPY        {times['frictionless'] / copy:8.2f}")
        print(f"frictionless alone / portal publish   {times['frictionless'] / public:8.2f}")
    print(f"reading the CSV from disk: {mib / disk:8.1f} MiB/s")
    for name in (n for n in DOWNLOADS if f"download {n}" in full):
        seconds, size = full[f"download {name}"], full[f"download {name} MiB"]
        print(f"download {name:13} {size:7.1f} MiB in {seconds:7.2f} s: "
              f"{size / seconds:7.1f} MiB/s, disk / download "
              f"{(mib / disk) / (size / seconds):8.1f}")


if __name__ == "__main__":
    sys.exit(main())
