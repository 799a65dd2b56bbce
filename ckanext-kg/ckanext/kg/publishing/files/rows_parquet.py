"""The stored Parquet file, written from the rows for COPY as validation
writes them, instead of reading their CSV back.

The Parquet file of a table loaded from the rows for COPY (kg_validation's
`CopyRows`) used to be read from that CSV by pyarrow's CSV reader, a second
parse of every row. `ParquetRows` is handed each batch's columns as they
are written (their text for COPY, "" for a missing value) and casts them to
the DataStore columns' types itself: the same values (Arrow's CSV reader
and its cast read a text with the same parsers, and an unquoted empty
field is NULL to both), in the same row groups (the rows whose line ends
in the same `BLOCK` bytes of the CSV, as the reader's blocks), so the same
file, byte for byte.

Where it could differ, it gives up and the file is read from the CSV as
before (`usable` is False): a cell holding a line break (the CSV reader
splits the row there), a table of one column (its empty cells are written
quoted), a text the cast refuses, a block of the CSV holding no line end.
"""
from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

log = logging.getLogger(__name__)
BLOCK = 1 << 24  # the CSV reader's block size (`datastore.PARQUET_READ_BLOCK`)
# a column whose first row group holds at most this share of distinct
# values is written with a dictionary (`writer`)
DICTIONARY_AT_MOST = 0.5


def arrow_schema(fields: list[dict[str, Any]]) -> pa.Schema:
    """The Parquet file's columns: the DataStore columns' types."""
    from ckanext.kg.publishing.files.downloads import ARROW_TYPES
    return pa.schema([(f["id"], pa.type_for_alias(ARROW_TYPES.get(f["type"], "string")))
                      for f in fields])


def dictionary_columns(first: pa.Table) -> list[str]:
    """The columns worth a dictionary, judged on the file's first row
    group: those repeating their values (a region code, a year, a
    category), not those whose values are mostly new (an id, a name, an
    e-mail). pyarrow's default tries a dictionary on every column and
    falls back to plain values once it grows past 1 MiB; on the
    benchmark's table of every type (1,000,000 rows) that made writing
    the file 0.72 s instead of 0.49 s, and the file 65 MiB instead of 56."""
    rows = first.num_rows
    return [name for name, column in zip(first.column_names, first.columns, strict=True)
            if pc.count_distinct(column, mode="all").as_py() <= rows * DICTIONARY_AT_MOST]


def writer(target: Path, schema: pa.Schema, first: pa.Table) -> pq.ParquetWriter:
    """The writer of a stored Parquet file whose first row group is
    `first` (an empty table for a file of no rows). Both ways of writing
    the file (`ParquetRows`, `stored.Version.write_parquet`) open it so,
    and write the same bytes."""
    return pq.ParquetWriter(target, schema, use_dictionary=dictionary_columns(first))


class ParquetRows:
    """kg_validation's `RowsReader`: the Parquet file of the rows for COPY,
    written at `target` while they are written, whole once `end` is told."""

    def __init__(self, target: Path, schema: pa.Schema, block: int = BLOCK) -> None:
        self.target, self.schema, self.block = Path(target), schema, block
        self.usable = len(schema) > 1
        self.whole = False
        self._writer = None
        self._position = 0  # bytes of the CSV written before the current batch
        self._group = 0  # the CSV block whose rows are pending
        self._pending: list[pa.Table] = []

    def begin(self, header: bytes) -> None:
        self._position = len(header)  # the file is opened with its first row group

    def add(self, texts: list[pa.Array], lines: pa.Array, line_breaks: bool) -> None:
        if not self.usable:
            return
        if not len(lines):
            return
        if line_breaks:  # \n or \r: the CSV reader ends its row there
            self._give_up("a cell holds a line break")
            return
        lengths = pc.cast(pc.binary_length(lines), pa.int64())
        ends = pc.add(pc.cumulative_sum(lengths), self._position - 1)  # each line's "\n"
        groups = pc.divide(ends, self.block)  # the CSV block each line ends in
        self._position += pc.sum(lengths).as_py()
        table = pa.table(texts, names=self.schema.names)
        first, last = groups[0].as_py(), groups[-1].as_py()
        start = 0
        for group in range(first, last + 1):  # non-decreasing: mostly one
            count = pc.sum(pc.equal(groups, group)).as_py() or 0
            if not self._take(table.slice(start, count), group, count):
                return
            start += count

    def _take(self, rows: pa.Table, group: int, count: int) -> bool:
        """Rows ending in CSV block `group`: the pending row group is
        written first when they start a new one."""
        if group != self._group:
            if not count or group != self._group + 1 or not self._pending:
                self._give_up("a block of the CSV holds no line end")
                return False
            if not self._flush():
                return False
            self._group = group
        self._pending.append(rows)
        return True

    def _flush(self) -> bool:
        if not self._pending:
            return True
        rows = pa.concat_tables(self._pending)
        self._pending = []
        try:
            columns = [_typed(rows.column(index).combine_chunks(), kind)
                       for index, kind in enumerate(self.schema.types)]
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as error:
            self._give_up(str(error))
            return False
        group = pa.Table.from_arrays(columns, schema=self.schema)
        if self._writer is None:
            self._writer = writer(self.target, self.schema, group)
        self._writer.write_table(group)
        return True

    def end(self) -> None:
        if not (self.usable and self._flush()):
            return
        if self._writer is None:  # no rows: the file of none
            self._writer = writer(self.target, self.schema, self.schema.empty_table())
        self._writer.close()
        self._writer = None
        self.whole = True

    def discard(self) -> None:
        self._give_up("")

    def _give_up(self, reason: str) -> None:
        if reason:
            log.info("%s: Parquet file to be read from the CSV (%s)", self.target, reason)
        self.usable, self.whole, self._pending = False, False, []
        if self._writer is not None:
            self._writer.close()
            self._writer = None
        self.target.unlink(missing_ok=True)


def _typed(text: pa.Array, kind: pa.DataType) -> pa.Array:
    """The column as the CSV reader gives it: "" (unquoted) is NULL. A
    column without an empty cell is not copied to null nothing (the file's
    bytes are the same either way: a test compares them)."""
    empty = pc.equal(text, "")
    values = text
    if pc.any(empty).as_py():
        values = pc.if_else(empty, pa.scalar(None, pa.string()), text)
    return values if kind == pa.string() else pc.cast(values, kind)
