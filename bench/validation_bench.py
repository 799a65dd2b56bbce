"""Benchmark: kg-validate against PostgreSQL's COPY and frictionless.

Not a test. Generates an N-row CSV (integer primary key, ISO dates, decimals,
region codes checked against the code list, Kyrgyz/Russian text), then runs
each tool in its own process, one after the other in the same run, and
prints wall time, peak memory and ratios. COPY loads the same file into a
typed table on the embedded PostgreSQL server that `make bench` starts (or
the server given with --dsn)::

    make bench                                   # 1M rows, then 10M for growth
    python bench/validation_bench.py --rows 200000 --growth 0

``--growth 10`` also runs kg-validate on ten times the rows and prints the
time ratio (the 10M/1M growth ratio of the issue).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REGIONS = ["KG02000000000", "KG03000000000", "KG04000000000", "KG05000000000",
           "KG06000000000", "KG07000000000", "KG08000000000", "KG11000000000", "KG21000000000"]
TEXTS = ["Ысык-Көл облусу", "Жалал-Абад облусу", "Нарын облусу", "Баткенская область",
         "Ошская область", "Таласская область", "Чүй облусу", "Бишкек шаары", "Ош шаары"]
SCHEMA = {
    "fields": [
        {"name": "id", "type": "integer"},
        {"name": "date", "type": "date"},
        {"name": "amount", "type": "number", "constraints": {"minimum": 0}},
        {"name": "region", "type": "string", "constraints": {"required": True}},
        {"name": "name", "type": "string"},
        {"name": "note", "type": "string"},
    ],
    "primaryKey": ["id"],
}
FRICTIONLESS = (
    "import sys, json, frictionless as f;"
    "p, s = sys.argv[1], json.load(open(sys.argv[2]));"
    "import os;"
    "r = f.validate(f.Resource(path=os.path.basename(p), basepath=os.path.dirname(p),"
    " schema=f.Schema.from_descriptor(s)));"
    "print(r.valid)"
)


def write_table(path: Path, rows: int, seed: int = 1) -> None:
    """Stream ``rows`` generated rows to ``path`` (bounded memory)."""
    generator = random.Random(seed)
    with path.open("w", encoding="utf-8", newline="") as handle:
        handle.write("id,date,amount,region,name,note\n")
        for number in range(1, rows + 1):
            handle.write(
                f"{number},2023-{number % 12 + 1:02d}-{number % 28 + 1:02d},"
                f"{generator.randint(0, 999999)}.{generator.randint(0, 99):02d},"
                f"{REGIONS[number % 9]},{TEXTS[generator.randrange(9)]},"
                f"маалымат {number % 1000}\n"
            )


def measure(command: list[str]) -> tuple[float, float, int]:
    """Wall seconds, peak RSS (MiB) and exit code of one child process."""
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    return seconds, usage.ru_maxrss / 1024, os.waitstatus_to_exitcode(status)


COPY = (
    "import sys, psycopg2;"
    "c = psycopg2.connect(sys.argv[1]); cur = c.cursor();"
    "cur.execute('CREATE ' + sys.argv[3] + ' TABLE kg_copy_bench (id integer PRIMARY KEY,"
    " date date, amount numeric, region text NOT NULL, name text, note text)');"
    "cur.copy_expert('COPY kg_copy_bench FROM STDIN WITH (FORMAT csv, HEADER true)',"
    " open(sys.argv[2], 'rb'));"
    "c.commit();"
    "cur.execute('DROP TABLE kg_copy_bench'); c.commit()"
)


def copy_command(dsn: str, path: Path, durable: bool = False) -> list[str]:
    """PostgreSQL's own COPY of the file into a typed table (psql's \\copy):
    a temporary table (not written to the WAL), or with `durable` an
    ordinary one, committed as a published table must be (dropped after)."""
    return [sys.executable, "-c", COPY, dsn, str(path), "" if durable else "TEMP"]


def embedded_dsn() -> str:
    """The superuser URL of the portal's PostgreSQL (started if needed)."""
    import importlib.util
    root = Path(__file__).resolve().parent.parent
    spec = importlib.util.spec_from_file_location("kg_portal_script",
                                                  root / "scripts" / "portal.py")
    portal = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(portal)
    return portal.start_postgres(portal.load_secrets())


def kg_command(path: Path, schema: Path, output: Path) -> list[str]:
    return [sys.executable, "-m", "kg_validation.cli", str(path), "--schema", str(schema),
            "--region-code-field", "region", "--output", str(output)]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--dsn", help="PostgreSQL URL for the COPY baseline "
                        "(default: the embedded server)")
    parser.add_argument("--growth", type=int, default=10,
                        help="also run kg-validate on rows × N (0: don't)")
    parser.add_argument("--skip-frictionless", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="kg-bench-") as workdir:
        work = Path(workdir)
        table, schema, output = work / "bench.csv", work / "schema.json", work / "canonical.csv"
        schema.write_text(json.dumps(SCHEMA), encoding="utf-8")
        write_table(table, args.rows)
        print(f"rows {args.rows}, {table.stat().st_size / 1024**2:.1f} MiB")
        results = {"kg-validate": measure(kg_command(table, schema, output))}
        if not args.skip_frictionless:
            results["frictionless"] = measure(
                [sys.executable, "-c", FRICTIONLESS, str(table), str(schema)])
        results["COPY"] = measure(copy_command(args.dsn or embedded_dsn(), table))
        for name, (seconds, peak, code) in results.items():
            print(f"{name:14} {seconds:8.2f} s  peak {peak:7.1f} MiB  exit {code}")
        _ratios(results)
        if args.growth:
            _growth(work, args.rows, args.growth, results["kg-validate"][0], schema)
    return 0


def _ratios(results: dict) -> None:
    kg = results["kg-validate"][0]
    if "COPY" in results:
        print(f"kg-validate / COPY       {kg / results['COPY'][0]:.2f}")
    if "frictionless" in results:
        print(f"frictionless / kg-validate {results['frictionless'][0] / kg:.2f}")


def _growth(work: Path, rows: int, factor: int, base_seconds: float, schema: Path) -> None:
    big = work / "bench-big.csv"
    write_table(big, rows * factor)
    seconds, peak, _ = measure(kg_command(big, schema, work / "canonical-big.csv"))
    print(f"kg-validate ×{factor} rows {seconds:.2f} s, peak {peak:.1f} MiB, "
          f"growth ratio {seconds / base_seconds:.2f}")


if __name__ == "__main__":
    sys.exit(main())
