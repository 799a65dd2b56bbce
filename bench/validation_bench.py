"""Benchmark: kg-validate against PostgreSQL's COPY and frictionless.

Not a test. Generates a table with every Table Schema type
(``bench_table.py``: 23 columns, an integer primary key, a region code
with an ``enum`` of the 522 real division codes, Kyrgyz and Russian text,
string formats, numbers, a boolean, dates, times, JSON...) in UTF-8 with
commas and in cp1251 with ``;`` and decimal commas, then, for each, runs
every tool in its own process, one after the other in the same run, and
prints wall time, peak memory, the machine's load average and ratios.
COPY loads the same file into a typed table on the embedded PostgreSQL
server that ``make bench`` starts (or the server given with ``--dsn``),
into a temporary table and into an ordinary committed one::

    make bench                                   # 1M rows, then 10M for growth
    python bench/validation_bench.py --rows 200000 --growth 0 --variants utf-8

``--growth 10`` also runs kg-validate and COPY on ten times the rows and
prints the time ratio (the 10M/1M growth ratio of the issue) and the peak
memory there. ``--baseline DIR`` also runs kg-validate from another copy
of the validator (``DIR`` holds its ``kg_validation``, e.g. ``git archive
main validation | tar -x -C /tmp/main``, then ``/tmp/main/validation``),
before and after this one's, for a before/after ratio in the same run.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_table import VARIANTS, copy_columns, schema  # noqa: E402

SCHEMA = schema("utf-8")  # the ingestion benchmark's table
FRICTIONLESS = (
    "import sys, json, os, frictionless as f, frictionless.formats;"
    "p, s, encoding, delimiter = sys.argv[1:5];"
    "r = f.validate(f.Resource(path=os.path.basename(p), basepath=os.path.dirname(p),"
    " encoding=encoding, control=f.formats.CsvControl(delimiter=delimiter),"
    " schema=f.Schema.from_descriptor(json.load(open(s)))));"
    "print(r.valid); sys.exit(0 if r.valid else 1)"
)
COPY = (
    "import sys, psycopg2;"
    "dsn, path, kind, columns, delimiter, encoding = sys.argv[1:7];"
    "c = psycopg2.connect(dsn); cur = c.cursor();"
    "cur.execute(\"SET DateStyle = 'ISO, DMY'\");"
    "cur.execute('CREATE ' + kind + ' TABLE kg_copy_bench (' + columns + ')');"
    "cur.copy_expert(\"COPY kg_copy_bench FROM STDIN WITH (FORMAT csv, HEADER true, DELIMITER '\""
    " + delimiter + \"', ENCODING '\" + encoding + \"')\", open(path, 'rb'));"
    "c.commit();"
    "cur.execute('DROP TABLE kg_copy_bench'); c.commit()"
)
PG_ENCODINGS = {"utf-8": "UTF8", "cp1251": "WIN1251"}


def measure(command: list[str]) -> tuple[float, float, int, float]:
    """Wall seconds, peak RSS (MiB), exit code and the 1-minute load average
    at the end, of one child process.

    The peak is the child's own high-water mark (`VmHWM`, read every 10 ms
    until it exits), not `wait4`'s `ru_maxrss`: Linux counts in that the
    memory of the process that started the child, before it ran the
    command (this benchmark's own, 850 MiB after the ingestion benchmark's
    first table)."""
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak_kib = 0
    while True:
        pid, status, _ = os.wait4(process.pid, os.WNOHANG)
        if pid:
            break
        peak_kib = max(peak_kib, high_water_kib(process.pid))
        time.sleep(0.01)
    seconds = time.perf_counter() - started
    return seconds, peak_kib / 1024, os.waitstatus_to_exitcode(status), os.getloadavg()[0]


def high_water_kib(pid: int) -> int:
    """A running process's peak resident memory so far (KiB), 0 if unknown."""
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


def copy_command(dsn: str, path: Path, durable: bool = False, variant: str = "utf-8") -> list[str]:
    """PostgreSQL's own COPY of the file into a typed table (psql's \\copy):
    a temporary table (not written to the WAL), or with `durable` an
    ordinary one, committed as a published table must be (dropped after)."""
    options = VARIANTS[variant]
    return [sys.executable, "-c", COPY, dsn, str(path), "" if durable else "TEMP",
            copy_columns(variant), options["delimiter"], PG_ENCODINGS[options["encoding"]]]


def frictionless_command(path: Path, schema_path: Path, variant: str = "utf-8") -> list[str]:
    options = VARIANTS[variant]
    return [sys.executable, "-c", FRICTIONLESS, str(path), str(schema_path),
            options["encoding"], options["delimiter"]]


def embedded_dsn() -> str:
    """The superuser URL of the portal's PostgreSQL (started if needed)."""
    import importlib.util
    root = Path(__file__).resolve().parent.parent
    spec = importlib.util.spec_from_file_location("kg_portal_script",
                                                  root / "scripts" / "portal.py")
    portal = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(portal)
    return portal.start_postgres(portal.load_secrets())


def kg_command(path: Path, schema_path: Path, output: Path, baseline: str = "") -> list[str]:
    """kg-validate's command; with ``baseline``, the validator in that folder."""
    python = [sys.executable] if not baseline else [
        "env", f"PYTHONPATH={baseline}", sys.executable]
    return python + ["-m", "kg_validation.cli", str(path), "--schema", str(schema_path),
                     "--region-code-field", "region", "--output", str(output),
                     "--max-bytes", str(1 << 40)]


def run_variant(work: Path, variant: str, rows: int, dsn: str, frictionless: bool,
                baseline: str = "") -> dict:
    """Every tool on one generated table; the table is removed afterwards.
    With ``baseline``: that validator's kg-validate before and after this one's."""
    table, schema_path = work / f"{variant}-{rows}.csv", work / f"{variant}.schema.json"
    schema_path.write_text(json.dumps(schema(variant)), encoding="utf-8")
    write_in_child(table, rows, variant)
    print(f"{variant}: {rows:,} rows, {table.stat().st_size / 1024**2:.1f} MiB", flush=True)
    canonical, results = work / "canonical.csv", {}
    if baseline:
        results["baseline 1"] = measure(kg_command(table, schema_path, canonical, baseline))
    results["kg-validate"] = measure(kg_command(table, schema_path, canonical))
    if baseline:
        results["baseline 2"] = measure(kg_command(table, schema_path, canonical, baseline))
    (work / "canonical.csv").unlink(missing_ok=True)
    if frictionless:
        results["frictionless"] = measure(frictionless_command(table, schema_path, variant))
    results["COPY"] = measure(copy_command(dsn, table, variant=variant))
    results["durable COPY"] = measure(copy_command(dsn, table, durable=True, variant=variant))
    table.unlink()
    for name, (seconds, peak, code, load) in results.items():
        print(f"  {name:14} {seconds:8.2f} s  peak {peak:7.1f} MiB  exit {code}  load {load:.2f}",
              flush=True)
    return results


def write_in_child(table: Path, rows: int, variant: str, tries: int = 5) -> None:
    """Generate the table in another process: a child forked from a parent
    that held the generator's memory would report that as its own peak.
    A generator stopped from outside (SIGTERM: the shared development
    machine's supervisor does that now and then) is started again."""
    command = [sys.executable, str(Path(__file__).resolve().with_name("bench_table.py")),
               str(table), str(rows), variant]
    for attempt in range(tries):
        code = subprocess.run(command).returncode
        if code == 0:
            return
        if code != -signal.SIGTERM or attempt == tries - 1:
            raise SystemExit(f"generating {table} failed (exit {code})")
        print("  (the table's generator was stopped from outside: generating again)", flush=True)


def ratios(results: dict) -> list[str]:
    kg = results["kg-validate"][0]
    lines = [f"  kg-validate / COPY           {kg / results['COPY'][0]:6.2f}  (goal <= 1.0)",
             f"  kg-validate / durable COPY   {kg / results['durable COPY'][0]:6.2f}"]
    if "frictionless" in results:
        lines.append(f"  frictionless / kg-validate   {results['frictionless'][0] / kg:6.2f}")
    if "baseline 1" in results:
        baseline = (results["baseline 1"][0] + results["baseline 2"][0]) / 2
        lines.append(f"  baseline / COPY              {baseline / results['COPY'][0]:6.2f}")
        lines.append(f"  kg-validate / baseline       {kg / baseline:6.2f}  (mean of its two runs)")
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--dsn", help="PostgreSQL URL for the COPY baseline "
                        "(default: the embedded server)")
    parser.add_argument("--growth", type=int, default=10,
                        help="also run kg-validate and COPY on rows × N (0: don't)")
    parser.add_argument("--variants", default="utf-8,cp1251",
                        help="comma-separated: utf-8 (commas), cp1251 (';', decimal commas)")
    parser.add_argument("--skip-frictionless", action="store_true")
    parser.add_argument("--baseline", default="",
                        help="a folder holding another kg_validation to run beside this one")
    args = parser.parse_args()
    dsn = args.dsn or embedded_dsn()
    with tempfile.TemporaryDirectory(prefix="kg-bench-") as workdir:
        work = Path(workdir)
        for variant in args.variants.split(","):
            base = run_variant(work, variant, args.rows, dsn, not args.skip_frictionless,
                               args.baseline)
            print("\n".join(ratios(base)), flush=True)
            if args.growth:
                grown = run_variant(work, variant, args.rows * args.growth, dsn, False)
                print("\n".join(ratios(grown)))
                growth = grown["kg-validate"][0] / base["kg-validate"][0]
                print(f"  kg-validate ×{args.growth} rows / ×1: {growth:.2f}"
                      f" (goal <= {args.growth}),"
                      f" peak {grown['kg-validate'][1]:.1f} MiB (goal < 500)", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
