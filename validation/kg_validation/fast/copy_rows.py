"""A valid table's rows as PostgreSQL's COPY reads them, written vectorised.

The publishing step loads a table whose cells PostgreSQL would read
otherwise than the Table Schema (decimal commas, custom true values, date
formats, types PostgreSQL lacks) from the rows as frictionless reads them,
each value written by the portal's ``cell`` function. This writes the same
file column by column: the types :mod:`.certain` reads give their values in
PostgreSQL's input syntax directly (integers, decimals, booleans, dates,
datetimes, times, years, text), any other column or cell is read by
frictionless's own cell reader once per distinct text and written by
``cell``. Missing values are unquoted empty fields (NULL).
"""

from __future__ import annotations

import csv
import hashlib
import tempfile
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any, Callable, Protocol

import frictionless
import pyarrow as pa
import pyarrow.compute as pc
from pyarrow import csv as pacsv

from ..blocks import array_bytes, canonical_lines, written_cell
from .certain import Typed, typed
from .judge import NotModelled, missing_values

BLOCK_SIZE = 1 << 22


def write_copy_rows(canonical: Path, descriptor: dict, target: Path, cell: Callable[[Any], Any],
                    progress: Callable[[int], None] = lambda rows: None,
                    reader: RowsReader | None = None) -> int | None:
    """Write header and rows to ``target`` (``reader`` given them too, see
    :class:`CopyRows`); the number of rows, or ``None`` (and no file) when
    the table is not one this reads."""
    schema = frictionless.Schema.from_descriptor(descriptor)
    rows = CopyRows(target, cell, reader)
    rows.begin(schema)
    for batch in _batches(canonical, len(schema.fields)):
        if not rows.add(batch.columns):
            return None
        progress(rows.rows)
    rows.end()
    return rows.rows


class NotWritten(Exception):
    """The rows for COPY were not written whole (``CopyRows.finished``)."""


class RowsReader(Protocol):
    """Given the rows for COPY as they are written, column by column: what
    reading the file back would give, without reading it (the stored
    Parquet file, in ``ckanext-kg``)."""

    def begin(self, header: bytes) -> None:
        """The file's header row, as written."""

    def add(self, texts: list[pa.Array], lines: pa.Array, line_breaks: bool) -> None:
        """A batch: each column's text for COPY ("" for a missing value,
        written unquoted), the lines written, and whether a cell holds a
        line break."""

    def end(self) -> None:
        """Every row was written."""

    def discard(self) -> None:
        """The rows will not be used."""


class CopyRows:
    """The rows for COPY, written batch by batch by whoever reads the
    table's batches: validation's own pass (:func:`.engine.fast_report`,
    which hands over the values it read) or :func:`write_copy_rows`.

    ``finished`` (a future) gives the number of rows once the file is
    whole, or raises :class:`NotWritten`: another thread can read the file
    while it grows (see ``load.datastore.GrowingFile`` in ``ckanext-kg``).
    A cell this does not read (an invalid one) stops the writing and
    removes the file. ``reader`` (a :class:`RowsReader`) is given each
    batch's columns too, as they are written.
    """

    def __init__(self, target: Path, cell: Callable[[Any], Any],
                 reader: RowsReader | None = None) -> None:
        self.target, self.cell, self.reader = Path(target), cell, reader
        self.finished: Future = Future()
        self.rows = 0
        self._digest = hashlib.sha256()  # of the bytes written, as they are written
        self._out = None
        self._columns: list[_Column] = []
        self._names: list[str] = []

    @property
    def checksum(self) -> str:
        """The hex SHA-256 of the file, once it is whole (``finished``):
        computed as it was written, so the file is not read again for it."""
        self.finished.result()
        return self._digest.hexdigest()

    @property
    def written(self) -> int | None:
        """The rows written, once the file is whole; else ``None``."""
        if not self.finished.done() or self.finished.exception() is not None:
            return None
        return self.finished.result()

    def begin(self, schema: frictionless.Schema) -> None:
        """Open the file and write the header."""
        self._names = schema.field_names
        self._columns = [_Column(item, self.cell) for item in schema.fields]
        self._out = self.target.open("wb")
        header = _header(self._names)
        self._digest.update(header)
        self._out.write(header)
        self._out.flush()
        if self.reader is not None:
            self.reader.begin(header)

    def add(self, cells: list[pa.Array], readings: list[Typed | None] | None = None,
            missing: list[pa.Array] | None = None) -> bool:
        """Write a batch's rows (its columns, with their vectorised readings
        and missing values when the caller has them); ``False`` once the
        rows cannot be written (the file is then removed)."""
        if self._out is None:
            return False
        readings = readings or [None] * len(cells)
        missing = missing or [None] * len(cells)
        try:
            both = [column.text(values, reading, absent) for column, values, reading, absent
                    in zip(self._columns, cells, readings, missing)]
        except NotModelled as reason:
            self.discard(str(reason))
            return False
        texts = [text for text, _ in both]
        lines, line_breaks = canonical_lines(pa.table(texts, names=self._names),
                                             [written for _, written in both])
        data = array_bytes(lines)
        self._digest.update(data)
        self._out.write(data)
        self._out.flush()  # a reader of the growing file sees whole batches
        self.rows += len(lines)
        if self.reader is not None:
            self.reader.add(texts, lines, line_breaks)
        return True

    def end(self) -> None:
        """Every batch is written: close the file, tell ``finished``."""
        if self._out is None:
            return
        self._out.close()
        self._out = None
        if self.reader is not None:
            self.reader.end()
        if not self.finished.done():
            self.finished.set_result(self.rows)

    def discard(self, reason: str = "not written") -> None:
        """The rows will not be used: remove the file, tell ``finished``."""
        if self._out is not None:
            self._out.close()
            self._out = None
        if self.reader is not None:
            self.reader.discard()
        self.target.unlink(missing_ok=True)
        if not self.finished.done():
            self.finished.set_exception(NotWritten(reason))


class CopyBehind:
    """A :class:`CopyRows` whose batches are written by a thread of its own,
    in their order, while validation judges the next batch: its work (the
    texts for COPY, their lines, the Parquet file's batch) is mostly
    pyarrow's, which lets go of the GIL. At most ``ahead`` batches wait.
    An error met writing a batch is raised by :meth:`end`, as it was
    raised by ``add`` before; the rows are then discarded."""

    def __init__(self, rows: CopyRows, ahead: int = 2) -> None:
        self.rows = rows
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="kg-copy-rows")
        self._room = threading.BoundedSemaphore(ahead)
        self._error: BaseException | None = None

    def begin(self, schema: frictionless.Schema) -> None:
        self.rows.begin(schema)  # the header is in the file before any batch

    def add(self, cells: list[pa.Array], readings: list[Typed | None] | None = None,
            missing: list[pa.Array] | None = None) -> bool:
        """Hand the batch over; ``False`` once writing has failed."""
        if self._error is not None:
            return False
        self._room.acquire()
        self._pool.submit(self._write, cells, readings, missing)
        return True

    def _write(self, *batch) -> None:
        try:
            if self._error is None:
                self.rows.add(*batch)
        except BaseException as error:  # raised again by `end`
            self._error = error
        finally:
            self._room.release()

    def end(self) -> None:
        """Every batch handed over: wait for their writing, then end the rows."""
        self._pool.shutdown(wait=True)
        if self._error is not None:
            self.rows.discard("the rows for COPY could not be written")
            raise self._error
        self.rows.end()

    def discard(self, reason: str = "not written") -> None:
        self._error = self._error or NotWritten(reason)  # batches not yet begun are skipped
        self._pool.shutdown(wait=True, cancel_futures=True)
        self.rows.discard(reason)


# texts of one column remembered with their reading: a table of unique
# GeoJSON or object cells would otherwise keep every one of them
_KNOWN_AT_MOST = 100_000


class _Column:
    """Turns one field's cells into PostgreSQL's input text."""

    def __init__(self, field: frictionless.Field, cell: Callable[[Any], Any]) -> None:
        self.field, self.cell = field, cell
        self.read_cell = field.create_cell_reader()
        self.missing = pa.array(missing_values(field), pa.string())
        # source text -> (its text for COPY, as csv.writer writes that, holds a line break)
        self.known: dict[str, tuple[str, str, bool]] = {}

    def text(self, cells: pa.Array, reading: Typed | None = None,
             missing: pa.Array | None = None) -> tuple[pa.Array, tuple[pa.Array, bool] | None]:
        """The cells' text for COPY (``reading``: :func:`.certain.typed` of
        ``cells``, ``missing``: which are missing, when known already), and,
        when every cell's text was read here (once per distinct text), those
        texts as ``csv.writer`` writes them, for
        :func:`..blocks.canonical_lines` (``None``: to be quoted there)."""
        missing = pc.is_in(cells, self.missing) if missing is None else missing
        absent = pc.any(missing).as_py()  # else no copy of the column just to blank nothing
        if self.field.type in ("string", "any"):  # the value is the text (the table is valid)
            return (pc.if_else(missing, "", cells) if absent else cells), None
        reading = typed(self.field, cells) if reading is None else reading
        direct = _postgres_text(self.field, cells, reading)
        if direct is None:  # every cell not missing is read by frictionless's reader
            return self._read_all(cells, missing)
        settled = pc.or_(missing, reading.ok)
        text = pc.if_else(missing, "", direct) if absent else direct
        rest = pc.invert(settled)
        if pc.any(rest).as_py():
            text = pc.if_else(rest, self._read(cells, rest)[0], text)
        return text, None

    def _read_all(self, cells: pa.Array, missing: pa.Array) -> tuple[pa.Array, tuple[pa.Array, bool]]:
        """Every cell by frictionless's reader (missing ones ""), also as written."""
        present = pc.invert(missing)
        if not pc.any(present).as_py():
            empty = pa.repeat(pa.scalar("", pa.string()), len(cells))
            return empty, (empty, False)
        if not pc.any(missing).as_py():
            text, written, breaks = self._read(cells, None)
            return text, (written, breaks)
        text, written, breaks = self._read(cells, present)
        return pc.if_else(missing, "", text), (pc.if_else(missing, "", written), breaks)

    def _read(self, cells: pa.Array, rest: pa.Array | None) -> tuple[pa.Array, pa.Array, bool]:
        """frictionless's value of each distinct unsettled text (``rest``;
        ``None``: every cell), written by ``cell``; those texts as
        ``csv.writer`` writes them; whether one holds a line break."""
        if rest is None:  # every cell: one hashing pass gives the texts and where they are
            encoded = pc.dictionary_encode(cells)
            distinct, index = encoded.dictionary, encoded.indices
        else:
            distinct = pc.unique(pc.filter(cells, rest))
            index = None
        texts, quoted, breaks = [], [], False
        for source in distinct.to_pylist():
            known = self.known.get(source)
            if known is None:
                value, notes = self.read_cell(source)
                if notes:
                    raise NotModelled(f"an invalid cell in {self.field.name}")
                written = self.cell(value)
                text = "" if written is None else str(written)
                if len(self.known) >= _KNOWN_AT_MOST:
                    self.known.clear()
                known = self.known[source] = (text, written_cell(text), "\n" in text or "\r" in text)
            texts.append(known[0])
            quoted.append(known[1])
            breaks = breaks or known[2]
        index = pc.index_in(cells, distinct) if index is None else index
        return (pc.take(pa.array(texts, pa.string()), index),
                pc.take(pa.array(quoted, pa.string()), index), breaks)


def _postgres_text(field, cells: pa.Array, reading) -> pa.Array | None:
    """The certain cells' values in PostgreSQL's syntax, as ``cell`` writes them."""
    kind = field.type
    if kind in ("integer", "year"):
        return pc.cast(reading.values, pa.string())
    if kind == "number" and not field.float_number:  # format(Decimal(text), "f")
        return pc.replace_substring_regex(reading.plain, r"^(-?)0+([0-9])", r"\1\2")
    if kind == "boolean":
        return pc.if_else(reading.values, "true", "false")
    if kind == "date":
        return pc.cast(reading.values, pa.string())
    if kind == "datetime":
        return _iso_datetimes(reading.values)
    if kind == "time" and field.format == "default":
        return cells  # HH:MM:SS, as time.isoformat() writes it
    return None


def _iso_datetimes(values: pa.Array) -> pa.Array | None:
    """``datetime.isoformat()``: seconds, and microseconds only when not zero."""
    seconds = pc.cast(values, pa.timestamp("s"), safe=False)
    if not pc.all(pc.equal(pc.cast(seconds, pa.timestamp("us")), values)).as_py():
        return None  # fractions of a second: written by ``cell``
    # Arrow writes a naive timestamp as "YYYY-MM-DD HH:MM:SS": the first
    # space is the "T" (four times cheaper than strftime, the same text)
    return pc.replace_substring(pc.cast(seconds, pa.string()), " ", "T", max_replacements=1)


def _header(names: list[str]) -> bytes:
    with tempfile.SpooledTemporaryFile(mode="w+", encoding="utf-8", newline="") as text:
        csv.writer(text, lineterminator="\n").writerow(names)
        text.seek(0)
        return text.read().encode("utf-8")


def _batches(canonical: Path, width: int):
    names = [f"c{index}" for index in range(width)]
    return pacsv.open_csv(
        canonical,
        read_options=pacsv.ReadOptions(column_names=names, skip_rows=1, block_size=BLOCK_SIZE),
        parse_options=pacsv.ParseOptions(newlines_in_values=True),
        convert_options=pacsv.ConvertOptions(
            column_types={name: pa.string() for name in names},
            strings_can_be_null=False, quoted_strings_can_be_null=False),
    )
