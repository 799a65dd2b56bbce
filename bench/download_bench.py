"""Benchmark: every download format of a whole table, once its file exists.

Not a test. Publishes the benchmarks' N-row table with every Table Schema
type (``bench_table.py``) on a fresh portal (gunicorn with one worker and
a jobs worker, as ``ingestion_bench.py`` does), waits until the files of
the other formats are made (``publishing/exports.py``), then, in the same
run, prints:

- the time to make each file (the jobs worker's log);
- each format's whole-table download through the portal, as a ratio to
  the stored CSV's download (goal: within 2x);
- the CSV download as a ratio to reading the stored file from disk;
- a filtered download (a DataStore filter, page by page) in rows per
  second, CSV and JSON.

    make bench
    python bench/download_bench.py --rows 1000000
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

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_table import schema as table_schema  # noqa: E402
from ingestion_bench import (  # noqa: E402
    DATASET,
    ORGANIZATION,
    Portal,
    allow_uploads_of,
    read_seconds,
    serve_with_worker,
    stop,
)
from search_bench import load_portal_script  # noqa: E402
from validation_bench import write_in_child  # noqa: E402

FORMATS = ("csv", "parquet", "excel", "json", "xlsx")
MADE = ("excel", "json", "xlsx")


def wait_for_files(folder: Path, timeout: float) -> dict:
    """Until `exports.json` names a file of every made format."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            pointer = json.loads((folder / "exports.json").read_text("utf-8"))
        except (OSError, ValueError):
            pointer = {}
        if all(f in pointer.get("files", {}) or f in pointer.get("refused", {})
               for f in MADE):
            return pointer
        time.sleep(0.5)
    raise SystemExit(f"the files were not made within {timeout:.0f} s")


def made_seconds(log_path: Path) -> dict[str, float]:
    text = log_path.read_text(errors="replace")
    return {fmt: float(m.group(1)) for fmt in MADE
            if (m := re.search(rf": {fmt} file made in ([0-9.]+) s", text))}


def run(rows: int) -> None:
    ps = load_portal_script()
    ps.start_postgres(ps.load_secrets())
    with tempfile.TemporaryDirectory(prefix="kg-download-bench-") as workdir:
        work = Path(workdir)
        table = work / "bench.csv"
        write_in_child(table, rows, "utf-8")
        mib = table.stat().st_size / 1024**2
        print(f"every-type table: {rows:,} rows, {mib:.1f} MiB", flush=True)
        ini, token_file = ps.fresh_portal("bench")
        allow_uploads_of(ini, mib)
        port = ps.PORTS["bench"]
        log_path = ps.LOG / "bench-download-worker.log"
        web, worker = serve_with_worker(ps, ini, port, log_path)
        try:
            portal = Portal(f"http://127.0.0.1:{port}", token_file.read_text().strip())
            portal.action("organization_create", **ORGANIZATION)
            dataset = portal.action("package_create", **DATASET)
            resource = portal.upload(table, dataset["id"], table_schema("utf-8"))
            portal.wait_until_published(resource["id"], rows, timeout=3600)
            folder = ps.storage_path("bench") / "kg" / "tables" / resource["id"]
            pointer = wait_for_files(folder, timeout=3600)
            stored_csv = folder / json.loads((folder / "current.json").read_text())[
                "files"]["csv"]
            times, sizes = {}, {}
            for fmt in FORMATS:
                target = work / f"download.{fmt}"
                times[fmt] = min(portal.download(dataset["name"], resource["id"], fmt, target)
                                 for _ in range(3))
                sizes[fmt] = target.stat().st_size / 1024**2
            disk = min(read_seconds(stored_csv) for _ in range(3))
            filtered = {}
            for fmt in ("csv", "json"):
                target = work / f"filtered.{fmt}"
                filtered[fmt] = portal.download(
                    dataset["name"], resource["id"], fmt, target,
                    {"filters": json.dumps({"paid": True})})
                filtered[f"{fmt} rows"] = _rows(target, fmt)
            report(times, sizes, disk, made_seconds(log_path), filtered, pointer)
        finally:
            stop(worker, web)


def _rows(path: Path, fmt: str) -> int:
    if fmt == "json":
        return len(json.loads(path.read_bytes()))
    import pyarrow.csv as pa_csv
    return pa_csv.read_csv(path).num_rows


def report(times, sizes, disk, made, filtered, pointer) -> None:
    print(f"machine load (1 min): {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
    for fmt in MADE:
        state = f"{made[fmt]:7.2f} s" if fmt in made else \
            ("refused" if fmt in pointer.get("refused", {}) else "     ?")
        print(f"make {fmt:6} file: {state}")
    for fmt in FORMATS:
        print(f"download {fmt:8} {sizes[fmt]:8.1f} MiB in {times[fmt]:6.2f} s: "
              f"{times[fmt] / times['csv']:6.2f}x the stored CSV's download")
    print(f"stored CSV download / reading it from disk: {times['csv'] / disk:6.2f}x "
          f"({disk:.3f} s from disk)")
    for fmt in ("csv", "json"):
        rows = filtered[f"{fmt} rows"]
        print(f"filtered {fmt:4} download (paid = true): {rows:,} rows in "
              f"{filtered[fmt]:6.2f} s, {rows / filtered[fmt]:9,.0f} rows/s")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    run(parser.parse_args().rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
