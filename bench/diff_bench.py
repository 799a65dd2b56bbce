"""Benchmark: the row-level differences of two versions of a table.

Not a test. Generates two versions of a table as the portal stores them
(Parquet, the DataStore columns' types: an integer primary key, a region
code, Kyrgyz text, a year, a share, a date and a boolean), the second
with 1 % of its rows changed (one or two cells each), plus a few rows
removed and added, then, each in a fresh process, one after the other in
the same run:

- reading both Parquet files whole with pyarrow (the baseline);
- `publishing/files/diffs.compare` by the primary key (buckets of
  `BUCKET_ROWS` rows, bounded memory);
- the same without a key (whole rows compared);

and prints wall time (best of `--repeat`), peak memory (the process's
resident set above what it held before the task), the differences found (checked against what was
generated) and the ratio of each diff to reading both files::

    make bench
    python bench/diff_bench.py --rows 200000
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REGIONS = ["KG02000000000", "KG03000000000", "KG04000000000", "KG05000000000",
           "KG06000000000", "KG07000000000", "KG08000000000", "KG11000000000",
           "KG21000000000"]
ROW_GROUP = 150_000
WORDS = ["Ысык-Көл", "Нарын", "Чүй", "Талас", "Жалал-Абад", "Ош", "Баткен", "айыл",
         "шаар", "мектеп", "оорукана", "жол"]


def generate(rows: int, folder: Path, changed_share: float = 0.01) -> dict:
    """Both versions, written as Parquet; what was changed."""
    import pyarrow as pa
    import pyarrow.parquet as pq
    chooser = random.Random(20261206)
    day0 = dt.date(2000, 1, 1)
    columns = {
        "id": list(range(1, rows + 1)),
        "region": [REGIONS[i % len(REGIONS)] for i in range(rows)],
        "name": [f"{WORDS[i % 12]} {WORDS[(i * 7) % 12]} {i}" for i in range(rows)],
        "year": [2000 + i % 25 for i in range(rows)],
        "share": [round((i * 37 % 10_000) / 100, 2) for i in range(rows)],
        "day": [day0 + dt.timedelta(days=i % 9000) for i in range(rows)],
        "open": [i % 3 == 0 for i in range(rows)],
    }
    schema = pa.schema([("id", pa.int64()), ("region", pa.string()), ("name", pa.string()),
                        ("year", pa.int32()), ("share", pa.float64()),
                        ("day", pa.date32()), ("open", pa.bool_())])
    old = pa.table(columns, schema=schema)
    changed = sorted(chooser.sample(range(rows), int(rows * changed_share)))
    removed = set(chooser.sample(range(rows), max(1, rows // 1000))) - set(changed)
    for position in changed:
        columns["share"][position] = columns["share"][position] + 0.5
        if position % 2:
            columns["name"][position] = columns["name"][position] + " (өзгөрдү)"
    keep = [i for i in range(rows) if i not in removed]
    new_columns = {name: [values[i] for i in keep] for name, values in columns.items()}
    added = max(1, rows // 1000)
    for offset in range(added):
        number = rows + offset
        for name, value in (("id", number + 1), ("region", REGIONS[0]), ("name", f"жаңы {number}"),
                            ("year", 2025), ("share", 1.0), ("day", day0), ("open", True)):
            new_columns[name].append(value)
    # row groups as the portal's stored files have them: one per block of
    # the CSV read (16 MiB, about 150,000 rows of this table)
    pq.write_table(old, folder / "old.parquet", row_group_size=ROW_GROUP)
    pq.write_table(pa.table(new_columns, schema=schema), folder / "new.parquet",
                   row_group_size=ROW_GROUP)
    return {"changed": len(changed), "removed": len(removed), "added": added}


def measure(task: str, folder: Path) -> dict:
    """One task in this process: seconds and peak memory."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "ckanext-kg"))
    import pyarrow.parquet as pq

    from ckanext.kg.publishing.files import diffs
    before = _reset_peak()
    started = time.perf_counter()
    if task == "read":
        rows = pq.read_table(folder / "old.parquet").num_rows + \
            pq.read_table(folder / "new.parquet").num_rows
        found = {"rows": rows}
    else:
        key = ["id"] if task == "diff" else []
        found = diffs.compare(folder / "old.parquet", folder / "new.parquet", key,
                              folder / f"{task}.parquet")
    seconds = time.perf_counter() - started
    import pyarrow as pa
    return {"seconds": seconds, "peak_mib": _peak() - before, "found": found,
            "arrow_mib": pa.default_memory_pool().max_memory() / 2**20}


def _reset_peak() -> float:
    """Reset the process's peak resident set (Linux), so the peak measured
    is the task's, not the imports'; the resident set now (MiB)."""
    Path("/proc/self/clear_refs").write_text("5")
    return _status("VmRSS")


def _peak() -> float:
    return _status("VmHWM")


def _status(field: str) -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return float("nan")


def run(task: str, folder: Path, repeat: int) -> dict:
    best = None
    for _ in range(repeat):
        out = subprocess.run([sys.executable, __file__, "--measure", task, str(folder)],
                             check=True, capture_output=True, text=True).stdout
        result = json.loads(out)
        if best is None or result["seconds"] < best["seconds"]:
            best = result
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--measure", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(args.measure[0], Path(args.measure[1]))))
        return
    with tempfile.TemporaryDirectory(prefix="kg-diff-bench-") as work:
        folder = Path(work)
        started = time.perf_counter()
        made = generate(args.rows, folder)
        sizes = [(folder / f).stat().st_size / 2**20 for f in ("old.parquet", "new.parquet")]
        print(f"diff benchmark: {args.rows:,} rows, {made['changed']:,} changed, "
              f"{made['removed']:,} removed, {made['added']:,} added "
              f"(generated in {time.perf_counter() - started:.1f} s; "
              f"Parquet {sizes[0]:.1f} + {sizes[1]:.1f} MiB); load average "
              f"{os.getloadavg()[0]:.1f}")
        read = run("read", folder, args.repeat)
        print(f"  read both Parquet files whole  {read['seconds']:7.3f} s  "
              f"peak {read['peak_mib']:6.0f} MiB (Arrow {read['arrow_mib']:4.0f})")
        for task, label in (("diff", "diff by primary key"), ("rows", "diff by whole rows")):
            result = run(task, folder, args.repeat)
            found = result["found"]
            expected = made if task == "diff" else {
                "changed": 0, "removed": made["removed"] + made["changed"],
                "added": made["added"] + made["changed"]}
            right = all(found[k] == expected[k] for k in ("added", "removed", "changed"))
            print(f"  {label:<30} {result['seconds']:7.3f} s  peak {result['peak_mib']:6.0f} MiB "
                  f"(Arrow {result['arrow_mib']:4.0f})"
                  f"  +{found['added']:,} -{found['removed']:,} ~{found['changed']:,}"
                  f"  {'as generated' if right else 'NOT AS GENERATED'}")
            print(f"    ratio {label} / read both: {result['seconds'] / read['seconds']:.2f}")
            if not right:
                sys.exit(1)


if __name__ == "__main__":
    main()
