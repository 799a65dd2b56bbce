"""The differences between two versions of a table, row by row, computed
with pyarrow from their stored Parquet files in bounded memory.

With a primary key (both versions have its columns), a row is *added*
(its key only in the newer version), *removed* (only in the older) or
*changed* (in both, some cell differs: those columns are named). Without
one, rows are compared whole: a row is added or removed as many times as
its count differs, and nothing is "changed". Schema changes (columns
added, removed or retyped) are said apart; a retyped column's values are
compared as text, and columns in only one version are not compared.

Bounded memory: neither file is read whole. When a version has more than
`BUCKET_ROWS` rows, both are split into buckets by ranges of one column
(of the key; without one, of the row), from a sample of its values, and
written to Arrow files in a temporary folder; each bucket is then joined
and compared on its own. Rows that share that column's value always share
a bucket, so the partition column is the one with the most distinct
values in the sample. The differences are written, in the order of the
key, to a Parquet file: `key`, `change`, `changed` (the columns whose
cells differ), `old` and `new` (the row in each version; null where it
has none).

`between` keeps the differences of two versions of a stored table in
`diffs/` beside its files, named by what they were computed from, so a
page of them is read from that file (`page`); they go with the table's
folder, and are removed when a version's files are (`forget`).

No CKAN import: the caller gives the files and the key.
"""
from __future__ import annotations

import hashlib
import json
import math
import os
import shutil
import tempfile
import uuid
from pathlib import Path
from typing import Any, Iterator, Optional, Sequence

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.ipc as ipc
import pyarrow.parquet as pq

BUCKET_ROWS = 100_000  # rows of one version a bucket holds, about
BATCH_ROWS = 65_536
SAMPLE = 20_000  # values of the partition column sampled from each version
ADDED, REMOVED, CHANGED = "added", "removed", "changed"
FOLDER = "diffs"  # beside a table's stored files
FORMAT = 1  # of the kept differences: a new one computes them again


def schema_changes(old: pa.Schema, new: pa.Schema) -> dict[str, Any]:
    """Columns added, removed and retyped (`{"name", "from", "to"}`)."""
    return {"added": [n for n in new.names if n not in old.names],
            "removed": [n for n in old.names if n not in new.names],
            "retyped": [{"name": n, "from": str(old.field(n).type), "to": str(new.field(n).type)}
                        for n in old.names if n in new.names
                        and old.field(n).type != new.field(n).type]}


class Plan:
    """What is compared: the key (or none: whole rows), the columns both
    versions have, and the type each is compared as."""

    def __init__(self, old: pa.Schema, new: pa.Schema, key: Sequence[str]) -> None:
        self.old, self.new = old, new
        self.common = [n for n in old.names if n in new.names]
        self.key = [k for k in key] if key and all(k in self.common for k in key) else []
        self.compared = [n for n in self.common if n not in self.key] if self.key \
            else self.common
        self.as_type = {n: old.field(n).type if old.field(n).type == new.field(n).type
                        else pa.string() for n in self.common}

    def cast(self, table: pa.Table, names: Sequence[str]) -> list[pa.ChunkedArray]:
        return [_as(table.column(n), self.as_type[n]) for n in names]

    def result_schema(self) -> pa.Schema:
        fields = [] if not self.key else [
            pa.field("key", pa.struct([(k, self.as_type[k]) for k in self.key]))]
        compared = pa.schema([(n, self.as_type[n]) for n in self.common])
        old_row, new_row = (self.old, self.new) if self.key else (compared, compared)
        return pa.schema(fields + [
            pa.field("change", pa.string()), pa.field("changed", pa.list_(pa.string())),
            pa.field("old", pa.struct(list(old_row))), pa.field("new", pa.struct(list(new_row)))])


def _as(column: Any, arrow_type: pa.DataType) -> Any:
    return column if column.type == arrow_type else pc.cast(column, arrow_type)


def compare(old: Path, new: Path, key: Sequence[str], target: Path,
            bucket_rows: int = BUCKET_ROWS) -> dict[str, Any]:
    """Write the differences from the version in the Parquet file `old` to
    the one in `new` to `target` (Parquet), by `key` when both have its
    columns; the summary: `by` (`key` or `row`), `key`, `added`,
    `removed`, `changed`, `schema` (changes) and `rows` (in `target`)."""
    old_file, new_file = _opened(old), _opened(new)
    plan = Plan(old_file.schema_arrow, new_file.schema_arrow, key)
    counts = {ADDED: 0, REMOVED: 0, CHANGED: 0}
    rows = max(old_file.metadata.num_rows, new_file.metadata.num_rows)
    buckets = max(1, math.ceil(rows / bucket_rows))
    with pq.ParquetWriter(target, plan.result_schema()) as writer, \
            tempfile.TemporaryDirectory(prefix="kg-diff-", dir=target.parent) as work:
        for old_part, new_part in _buckets(old_file, new_file, plan, buckets, Path(work)):
            found = _compare_key(plan, old_part, new_part) if plan.key \
                else _compare_rows(plan, old_part, new_part)
            for change in found.column("change").to_pylist():
                counts[change] += 1
            if found.num_rows:
                writer.write_table(found)
            del old_part, new_part, found
            pa.default_memory_pool().release_unused()
    return {"by": "key" if plan.key else "row", "key": plan.key, **counts,
            "schema": schema_changes(plan.old, plan.new), "rows": sum(counts.values())}


def _opened(path: Path) -> pq.ParquetFile:
    """A Parquet file read a row group at a time through a 1 MiB buffer:
    pyarrow's pre-buffering would keep the column chunks read so far."""
    return pq.ParquetFile(path, pre_buffer=False, buffer_size=1 << 20)


# buckets

def _buckets(old: pq.ParquetFile, new: pq.ParquetFile, plan: Plan, count: int,
             work: Path) -> Iterator[tuple[pa.Table, pa.Table]]:
    """Both versions in `count` buckets by ranges of one column, each pair
    read whole (one bucket at a time)."""
    if count == 1:
        yield old.read(), new.read()
        return
    column = _partition_column(old, new, plan)
    bounds = _bounds(old, new, column, plan.as_type[column], count)
    names = {}
    for side, source in (("old", old), ("new", new)):
        names[side] = _split(source, column, plan.as_type[column], bounds, work / side)
    for number in range(len(bounds) + 1):
        yield tuple(_read(names[side][number], source.schema_arrow)
                    for side, source in (("old", old), ("new", new)))


def _sample(source: pq.ParquetFile, column: str, arrow_type: pa.DataType) -> pa.Array:
    step = max(1, source.metadata.num_rows // SAMPLE)
    taken = []
    for batch in source.iter_batches(batch_size=BATCH_ROWS, columns=[column]):
        values = _as(batch.column(0), arrow_type)
        taken.append(values.take(pa.array(range(0, len(values), step), pa.int64())))
    return pa.concat_arrays(taken) if taken else pa.array([], arrow_type)


def _partition_column(old: pq.ParquetFile, new: pq.ParquetFile, plan: Plan) -> str:
    """The key's (else the row's) column with the most distinct values in
    a sample of the newer version."""
    candidates = plan.key or plan.common
    if len(candidates) == 1:
        return candidates[0]
    return max(candidates, key=lambda n: pc.count_distinct(
        _sample(new, n, plan.as_type[n])).as_py())


def _bounds(old: pq.ParquetFile, new: pq.ParquetFile, column: str,
            arrow_type: pa.DataType, count: int) -> list[Any]:
    """`count - 1` boundaries between buckets: quantiles of a sample of
    both versions' values (fewer where values repeat)."""
    values = pa.concat_arrays([_sample(old, column, arrow_type),
                               _sample(new, column, arrow_type)]).drop_null()
    ordered = values.take(pc.sort_indices(values))
    if not len(ordered):
        return []
    picked = [ordered[min(len(ordered) - 1, (len(ordered) * i) // count)].as_py()
              for i in range(1, count)]
    return sorted(set(picked))


def _bucket_of(values: Any, bounds: list[Any], arrow_type: pa.DataType) -> pa.Array:
    """The bucket of each value: how many boundaries it reaches (nulls: 0)."""
    number = _filled(len(values), 0, pa.int32())
    for bound in bounds:
        reached = pc.fill_null(pc.greater_equal(values, pa.scalar(bound, arrow_type)), False)
        number = pc.add(number, pc.cast(reached, pa.int32()))
    return number


def _split(source: pq.ParquetFile, column: str, arrow_type: pa.DataType, bounds: list[Any],
           prefix: Path) -> list[Path]:
    """Write each bucket's rows of `source` to an Arrow file; their paths."""
    paths = [prefix.with_name(f"{prefix.name}.{n}.arrow") for n in range(len(bounds) + 1)]
    writers = [ipc.new_file(path, source.schema_arrow) for path in paths]
    try:
        for batch in source.iter_batches(batch_size=BATCH_ROWS):
            numbers = _bucket_of(_as(batch.column(column), arrow_type), bounds, arrow_type)
            order = pc.sort_indices(numbers)  # the batch's rows bucket by bucket
            grouped, numbers = batch.take(order), numbers.take(order)
            counts = pc.value_counts(numbers).to_pylist()
            start = 0
            for found in sorted(counts, key=lambda c: c["values"]):
                writers[found["values"]].write_batch(grouped.slice(start, found["counts"]))
                start += found["counts"]
    finally:
        for writer in writers:
            writer.close()
    return paths


def _read(path: Path, schema: pa.Schema) -> pa.Table:
    with ipc.open_file(path) as reader:
        table = reader.read_all()
    path.unlink()
    return table if table.num_rows else schema.empty_table()


# comparing one bucket

def _positions(count: int) -> pa.Array:
    """0, 1, ..., count - 1 (computed in Arrow, not from a Python range)."""
    if not count:
        return pa.array([], pa.int64())
    return pc.subtract(pc.cumulative_sum(_filled(count, 1, pa.int64())), 1)


def _filled(count: int, value: Any, arrow_type: pa.DataType) -> pa.Array:
    return pc.fill_null(pa.nulls(count, arrow_type), pa.scalar(value, arrow_type))


def _differ(a: Any, b: Any) -> Any:
    """Where two columns of the same rows differ, a null and a value too."""
    one_null = pc.xor(pc.is_null(a), pc.is_null(b))
    return pc.or_(one_null, pc.fill_null(pc.not_equal(a, b), False))


def _rows(table: pa.Table, positions: Any, schema: pa.Schema) -> pa.StructArray:
    """The rows of `table` at `positions` (null positions: null rows), as
    structs of `schema`'s columns."""
    taken = table.select(schema.names).take(positions)
    arrays = [pa.concat_arrays(c.chunks) if c.num_chunks else pa.array([], c.type)
              for c in taken.columns]
    mask = pc.is_null(positions)
    if isinstance(mask, pa.ChunkedArray):
        mask = pa.concat_arrays(mask.chunks) if mask.num_chunks else pa.array([], pa.bool_())
    return pa.StructArray.from_arrays(arrays, fields=list(schema), mask=mask)


def _compare_key(plan: Plan, old: pa.Table, new: pa.Table) -> pa.Table:
    keys = [f"k{i}" for i in range(len(plan.key))]
    old_keys = pa.table(plan.cast(old, plan.key), names=keys).append_column(
        "__old", _positions(old.num_rows))
    new_keys = pa.table(plan.cast(new, plan.key), names=keys).append_column(
        "__new", _positions(new.num_rows))
    joined = old_keys.join(new_keys, keys=keys, join_type="full outer")
    at_old, at_new = joined.column("__old"), joined.column("__new")
    pairs = joined.filter(pc.and_(pc.is_valid(at_old), pc.is_valid(at_new)))
    differs = {n: _differ(_as(old.column(n).take(pairs.column("__old")), plan.as_type[n]),
                          _as(new.column(n).take(pairs.column("__new")), plan.as_type[n]))
               for n in plan.compared}
    any_cell = pa.array([False] * pairs.num_rows)
    for mask in differs.values():
        any_cell = pc.or_(any_cell, mask)
    changed = pairs.filter(any_cell)
    parts = [(joined.filter(pc.is_null(at_old)), ADDED, None),
             (joined.filter(pc.is_null(at_new)), REMOVED, None),
             (changed, CHANGED, {n: m.filter(any_cell) for n, m in differs.items()})]
    found = pa.concat_tables([_key_part(plan, keys, old, new, *part) for part in parts])
    if not found.num_rows:
        return found
    flat = pa.table([found.column("key").combine_chunks().field(i)
                     for i in range(len(plan.key))], names=keys)
    return found.take(pc.sort_indices(flat, sort_keys=[(k, "ascending") for k in keys]))


def _key_part(plan: Plan, keys: list[str], old: pa.Table, new: pa.Table, rows: pa.Table,
              change: str, differs: Optional[dict[str, Any]]) -> pa.Table:
    """The found rows of one kind (`change`), in the result's schema."""
    count = rows.num_rows
    key = pa.StructArray.from_arrays(
        [rows.column(k).combine_chunks() for k in keys],
        fields=[pa.field(n, plan.as_type[n]) for n in plan.key])
    names = _changed_names(differs, count) if differs is not None else \
        pa.array([[]] * count, pa.list_(pa.string()))
    return pa.table({"key": key, "change": pa.array([change] * count, pa.string()),
                     "changed": names,
                     "old": _rows(old, rows.column("__old"), plan.old),
                     "new": _rows(new, rows.column("__new"), plan.new)},
                    schema=plan.result_schema())


def _changed_names(differs: dict[str, Any], rows: int) -> pa.Array:
    """For each row, the columns whose cells differ (in table order)."""
    lists: list[list[str]] = [[] for _ in range(rows)]
    for name, mask in differs.items():
        for position in pc.indices_nonzero(mask).to_pylist():
            lists[position].append(name)
    return pa.array(lists, pa.list_(pa.string()))


def _compare_rows(plan: Plan, old: pa.Table, new: pa.Table) -> pa.Table:
    """Whole rows: each distinct row's count in both versions."""
    names = [f"c{i}" for i in range(len(plan.common))]
    sides = []
    for table, sign in ((old, -1), (new, 1)):
        counted = pa.table(plan.cast(table, plan.common), names=names)
        sides.append(counted.append_column("__side", pa.array([sign] * table.num_rows,
                                                              pa.int64())))
    both = pa.concat_tables(sides)
    grouped = both.group_by(names, use_threads=False).aggregate([("__side", "sum")])
    net = grouped.column("__side_sum")
    differing = grouped.filter(pc.not_equal(net, 0))
    differing = differing.take(pc.sort_indices(
        differing, sort_keys=[(n, "ascending") for n in names]))
    repeats = [abs(n) for n in differing.column("__side_sum").to_pylist()]
    positions = pa.array([i for i, n in enumerate(repeats) for _ in range(n)], pa.int64())
    rows = differing.take(positions)
    added = pc.greater(rows.column("__side_sum"), 0)
    row_schema = pa.schema([pa.field(n, plan.as_type[n]) for n in plan.common])
    values = rows.select(names).rename_columns(plan.common)
    nothing = pa.array([None] * rows.num_rows, pa.int64())
    at = pa.array(range(rows.num_rows), pa.int64())
    found = pa.table({
        "change": pc.if_else(added, ADDED, REMOVED),
        "changed": pa.array([[] for _ in range(rows.num_rows)], pa.list_(pa.string())),
        "old": _rows(values, pc.if_else(added, nothing, at), row_schema),
        "new": _rows(values, pc.if_else(added, at, nothing), row_schema)})
    return found.cast(plan.result_schema()) if found.num_rows else \
        plan.result_schema().empty_table()


def page(path: Path, offset: int, limit: int) -> list[dict[str, Any]]:
    """Rows `offset` to `offset + limit` of a differences file, as dicts."""
    source = pq.ParquetFile(path)
    shown: list[dict[str, Any]] = []
    seen = 0
    for batch in source.iter_batches(batch_size=BATCH_ROWS):
        if seen + batch.num_rows <= offset:
            seen += batch.num_rows
            continue
        start = max(0, offset - seen)
        shown.extend(batch.slice(start, limit - len(shown)).to_pylist())
        seen += batch.num_rows
        if len(shown) >= limit:
            break
    return shown


def key_of(schema: Optional[dict[str, Any]]) -> list[str]:
    """A Table Schema's primary key as a list of column names."""
    found = (schema or {}).get("primaryKey") or []
    return [found] if isinstance(found, str) else [k for k in found if isinstance(k, str)]


def between(folder: Path, old: dict[str, Any],
            new: dict[str, Any]) -> Optional[tuple[dict[str, Any], Path]]:
    """The differences from version `old` to version `new` (`versions`
    entries) of the table whose files are in `folder`: the summary and the
    file of rows, computed once and kept. The key is the newer version's
    primary key (else the older's); None when a version has no Parquet
    file."""
    names = (old.get("files", {}).get("parquet"), new.get("files", {}).get("parquet"))
    if not all(names):
        return None
    key = key_of(new.get("schema")) or key_of(old.get("schema"))
    made_from = json.dumps([names, key, FORMAT]).encode("utf-8")
    base = folder / FOLDER / hashlib.sha256(made_from).hexdigest()[:32]
    rows, summary = base.with_suffix(".parquet"), base.with_suffix(".json")
    try:
        return json.loads(summary.read_text("utf-8")), rows
    except (OSError, ValueError):
        pass
    rows.parent.mkdir(exist_ok=True)
    partial = rows.parent / f".{uuid.uuid4().hex}.partial"
    try:
        found = compare(folder / names[0], folder / names[1], key, partial)
        os.replace(partial, rows)
    finally:
        partial.unlink(missing_ok=True)
    written = rows.parent / f".{uuid.uuid4().hex}.json.partial"
    written.write_text(json.dumps(found, ensure_ascii=False), "utf-8")
    os.replace(written, summary)
    return found, rows


def forget(folder: Path) -> None:
    """Remove the kept differences (some version's files are gone)."""
    shutil.rmtree(folder / FOLDER, ignore_errors=True)
