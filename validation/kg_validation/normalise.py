"""Rewrite a decoded table as the canonical CSV: UTF-8, comma, ``\\n``, NFC.

Rows are streamed, so memory stays bounded. Row and field positions are kept
one to one with the source, so errors found in the canonical file point at
the same rows. Every change is recorded in a :class:`NormalisationReport`
with its count and first position; Latin look-alike letters inside Cyrillic
words are recorded as *flags* and left as they are. Numbers are never
rewritten: decimal commas and digit grouping are for the Table Schema
(``decimalChar``/``groupChar``) to declare. A NUL character makes the file
unreadable (``nul-character``, with its row and field): no text table holds
one, and dropping it could change a value unseen.
"""

from __future__ import annotations

import codecs
import collections
import csv
import io
import itertools
import re
import unicodedata
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path

from .blocks import array_bytes, canonical_lines, holds_a_line_break, rewrite_blocks, shifted, utf8_chunks
from .dialect import FIELD_LIMIT, Dialect
from .encoding import EncodingResult
from .filekind import UnreadableFile, lines_shorter_than, longest_line
from .scripts import (
    KYRGYZ_VARIANT_CHARS,
    find_mixed_script_words,
    has_mixed_script_word,
    unify_kyrgyz_letters,
)

NEEDS_CHANGE = re.compile("[\x00\ufeff\u04c7-\u04ca]")
LINE_ENDING_NAMES = {"\r\n": "CRLF", "\r": "CR", "\n": "LF"}
CELL_CHANGES = {
    "bom-inside-removed": "byte order marks (U+FEFF) inside the text removed",
    "unicode-nfc": "text put in Unicode normal form NFC",
    "kyrgyz-letter": "variant letters (U+04C7-U+04CA) replaced by Ң/ң (U+04A2/U+04A3)",
}

BLOCK_ROWS = 1024
MAX_LINE_BYTES = FIELD_LIMIT  # checked before parsing, so memory stays bounded
MAX_COLUMNS = 10_000
COPY_CHUNK = 1 << 20


@dataclass
class Change:
    """One kind of change (or flag) with how often and where it first occurred."""

    kind: str
    description: str
    count: int = 0
    first_row: int | None = None
    first_field: int | None = None
    example: str = ""
    detail: str = ""

    def add(self, row: int, field_number: int, example: str) -> None:
        if not self.count:
            self.first_row, self.first_field, self.example = row, field_number, example
        self.count += 1


@dataclass
class NormalisationReport:
    source_encoding: str
    rows: int = 0
    changes: list[Change] = field(default_factory=list)
    flags: list[Change] = field(default_factory=list)
    line_breaks_in_cells: bool = False  # a cell holds CR or LF (readers must allow it)

    def to_dict(self) -> dict:
        return asdict(self)

    def change(self, kind: str) -> Change | None:
        return next((item for item in self.changes if item.kind == kind), None)


def normalise_file(
    source: str | Path, target: str | Path, encoding: EncodingResult, dialect: Dialect,
    *, fast: bool = True, chunk_size: int = COPY_CHUNK,
) -> NormalisationReport:
    """Write ``source`` to ``target`` as canonical CSV and list every change.

    With ``fast``, the file is decoded to UTF-8 and written block by block
    (:mod:`.blocks`): copied as bytes, or parsed and written by pyarrow,
    wherever a block needs no change; other blocks, and ``fast=False``, go
    through Python's ``csv`` module. Both give the same bytes and report.
    """
    report = NormalisationReport(source_encoding=encoding.encoding)
    for _ in canonical_blocks(source, target, encoding, dialect, report, fast=fast,
                              chunk_size=chunk_size, hand_over=False):
        pass
    return report


def canonical_blocks(
    source: str | Path, target: str | Path, encoding: EncodingResult, dialect: Dialect,
    report: NormalisationReport, *, fast: bool = True, chunk_size: int = COPY_CHUNK,
    hand_over: bool = True, first_block_only: bool = False,
):
    """:func:`normalise_file` a block at a time: ``report`` is complete once
    every block was taken. With ``hand_over``, each block's rows are given
    as they are written to ``target`` (the first block once it is there): a
    ``pyarrow.Table`` of text columns where the block was parsed by pyarrow
    (:func:`.blocks.write_block`), else the canonical CSV text (bytes), so
    that the validator need not parse again what was parsed here. With
    ``first_block_only`` too, ``target`` gets the first block only (the header
    row is read from it): a caller that may need the whole file writes it
    again (:func:`normalise_file`), when it does."""
    codec = encoding.python_codec
    report.changes.extend(_file_changes(encoding, dialect))
    cell_changes = {kind: Change(kind, text) for kind, text in CELL_CHANGES.items()}
    lookalikes = Change("mixed-script", "words mixing Latin and Cyrillic look-alike letters (not changed)")
    csv.field_size_limit(FIELD_LIMIT)
    short_lines = lines_shorter_than(source, MAX_COLUMNS)
    if not short_lines and longest_line(source) > MAX_LINE_BYTES:
        raise UnreadableFile("line-too-long", f"a line is longer than {MAX_LINE_BYTES} bytes")
    blocks = fast and len(dialect.delimiter) == 1 and dialect.delimiter != '"'
    writer = _Writer(cell_changes, lookalikes, check_columns=not short_lines, hand_over=hand_over,
                     behind=blocks)
    try:
        with open(target, "wb") as out, open(source, "rb") as handle:
            writer.out = out
            try:
                if blocks:
                    steps = rewrite_blocks(utf8_chunks(handle, codec, chunk_size), dialect.delimiter,
                                           writer, lambda path: _rewrite(path, "utf-8", dialect.delimiter,
                                                                         writer),
                                           _utf8_origin(encoding))
                else:
                    steps = _rewrite(source, codec, dialect.delimiter, writer)
                first = True
                for _ in steps:
                    if writer.handed:
                        if first:  # the header row is in the file once it is handed over
                            writer.written()
                            writer.writing = not first_block_only
                            first = False
                        yield from writer.take()
                writer.written()
            finally:
                writer.close()
    except UnicodeDecodeError as error:
        raise UnreadableFile("decode-error", f"{codec}: {error.reason} at byte {error.start}")
    except csv.Error as error:
        raise UnreadableFile("csv-error", str(error))
    report.rows = writer.rows
    report.line_breaks_in_cells = writer.line_breaks
    report.changes.extend(item for item in cell_changes.values() if item.count)
    if lookalikes.count:
        report.flags.append(lookalikes)


def _utf8_origin(encoding: EncodingResult) -> int:
    """Where a UTF-8 file's text starts: after its byte order mark."""
    utf8 = codecs.lookup(encoding.python_codec).name in ("utf-8", "utf-8-sig")
    return len(codecs.BOM_UTF8) if utf8 and encoding.bom else 0


def _file_changes(encoding: EncodingResult, dialect: Dialect) -> list[Change]:
    changes = []
    if encoding.encoding not in ("utf-8", "utf-8-sig"):
        changes.append(Change("encoding", f"converted from {encoding.encoding} to UTF-8", 1,
                              detail=encoding.encoding))
    if encoding.bom:
        changes.append(Change("bom-removed", "byte order mark at the start removed", 1))
    if dialect.delimiter != ",":
        changes.append(Change("delimiter", f"delimiter {dialect.delimiter!r} replaced by ','", 1,
                              detail=dialect.delimiter))
    if dialect.line_terminator != "\n" or dialect.mixed_line_endings:
        name = LINE_ENDING_NAMES[dialect.line_terminator]
        mixed = " (mixed)" if dialect.mixed_line_endings else ""
        changes.append(Change("line-endings", f"line endings {name}{mixed} replaced by LF", 1,
                              detail=name + mixed))
    return changes


class _Writer:
    """Writes canonical rows to ``out`` (binary) and keeps count of rows and changes.

    With ``behind``, the writing (a parsed block's re-quoting and every
    write) is done by a thread of its own, in order, while the normaliser
    reads and parses the next block: re-quoting is pyarrow's work, which
    lets go of the GIL. The counts are kept as the blocks come; whether a
    cell holds a line break, and an error met writing, are known once
    :meth:`written` returns (it raises that error)."""

    # blocks given to the writing thread and not yet written, at most: one is
    # written while the next is parsed (two measured the same: 4.8 s either way)
    AHEAD = 1

    def __init__(self, cell_changes, lookalikes, check_columns: bool = True,
                 hand_over: bool = False, behind: bool = False) -> None:
        self.out = None
        self.hand_over = hand_over
        self.handed: list = []  # with hand_over: the blocks written since ``take``
        self.rows = 0
        self.breaks_in_rows = False  # a cell of ``rows_block`` holds CR or LF
        self.breaks_in_tables = False  # of ``table_block`` (set by the writing thread only)
        self.cell_changes = cell_changes
        self.lookalikes = lookalikes
        self.check_columns = check_columns
        self._behind = ThreadPoolExecutor(max_workers=1, thread_name_prefix="kg-canonical") \
            if behind else None
        self._waiting: collections.deque[Future] = collections.deque()
        self._failed = False
        self.writing = True  # else the blocks are counted and handed over, not written

    def rows_block(self, rows: list[list[str]]) -> None:
        """Rows as the ``csv`` module writes them, cell changes applied."""
        for start in range(0, len(rows), BLOCK_ROWS):
            text = io.StringIO()
            block = rows[start:start + BLOCK_ROWS]
            joined = _write_block(csv.writer(text, lineterminator="\n"), block, self.rows + 1,
                                  self.cell_changes, self.lookalikes)
            self.breaks_in_rows |= "\n" in joined or "\r" in joined
            self._write(text.getvalue().encode("utf-8"))
            self.rows += len(block)

    def table_block(self, table) -> None:
        """A block parsed by pyarrow (text columns, one row a line): written as
        :func:`.blocks.canonical_lines` gives its rows, handed over as it is."""
        if table.num_columns > MAX_COLUMNS:
            raise UnreadableFile("too-many-columns", f"a row has more than {MAX_COLUMNS} cells")
        if self.hand_over:
            self.handed.append(table)
        self.rows += table.num_rows
        if self.writing:
            self._do(self._write_table, table)
        else:
            self.breaks_in_rows |= holds_a_line_break(table)

    def _write_table(self, table) -> None:
        lines, line_breaks = canonical_lines(table)
        self.breaks_in_tables |= line_breaks
        self.out.write(array_bytes(lines))

    @property
    def line_breaks(self) -> bool:
        """Whether a cell written holds CR or LF (once :meth:`written`)."""
        return self.breaks_in_rows or self.breaks_in_tables

    def take(self) -> list:
        """The blocks handed over since the last call."""
        handed, self.handed = self.handed, []
        return handed

    def _write(self, data: bytes) -> None:
        if self.writing:
            self._do(self.out.write, data)
        if self.hand_over:
            self.handed.append(data)

    def _do(self, work, *arguments) -> None:
        """``work(*arguments)`` now, or behind, after the writing before it."""
        if self._behind is None:
            work(*arguments)
            return
        while len(self._waiting) >= self.AHEAD or (self._waiting and self._waiting[0].done()):
            self._waiting.popleft().result()  # an error met writing is raised here
        self._waiting.append(self._behind.submit(self._after_the_last, work, *arguments))

    def _after_the_last(self, work, *arguments) -> None:
        """In the writing thread: nothing is written after a block that failed."""
        if self._failed:
            return
        try:
            work(*arguments)
        except BaseException:
            self._failed = True
            raise

    def written(self) -> None:
        """Wait until every block so far is in ``out``, flushed."""
        while self._waiting:
            self._waiting.popleft().result()
        self.out.flush()

    def close(self) -> None:
        """Stop writing behind (after the block being written): nothing
        more is written to ``out``, which can then be closed."""
        if self._behind is not None:
            for waiting in self._waiting:
                waiting.cancel()
            self._behind.shutdown(wait=True)
            self._waiting.clear()

    def plain_block(self, data: bytes) -> None:
        """Whole lines with no quote and no CR: rows are the lines split at commas."""
        if self.check_columns:
            for line in data.split(b"\n"):
                if line.count(b",") >= MAX_COLUMNS:
                    raise UnreadableFile("too-many-columns", f"a row has more than {MAX_COLUMNS} cells")
        if data.endswith(b"\n"):
            self._write(data)
            self.rows += data.count(b"\n")
        else:
            self._write(data + b"\n")
            self.rows += data.count(b"\n") + 1


def _rewrite(source, codec: str, delimiter: str, writer: _Writer, offset: int = 0):
    """The general path: Python's ``csv`` module, from byte ``offset`` on,
    yielding after each block of rows written. A byte the codec refuses
    raises ``UnicodeDecodeError`` at its offset in ``source``."""
    with open(source, "rb") as raw:
        raw.seek(offset)
        reader_handle = io.TextIOWrapper(raw, encoding=codec, newline="")
        reader = csv.reader(reader_handle, delimiter=delimiter, quotechar='"')
        try:
            while block := list(itertools.islice(reader, BLOCK_ROWS)):
                writer.rows_block(block)
                yield
        except UnicodeDecodeError as error:
            # the decoder was given the bytes up to where the file is read,
            # and names the offset in what it was given (with any bytes of a
            # character begun before)
            raise shifted(error, raw.tell() - len(error.object)) from None


def _write_block(writer, block: list[list[str]], first_row: int, cell_changes, lookalikes) -> str:
    """Copy a block of rows; only a block that needs a change is looked at cell by cell.
    Returns the cells' text (joined)."""
    if max(map(len, block)) > MAX_COLUMNS:
        raise UnreadableFile("too-many-columns", f"a row has more than {MAX_COLUMNS} cells")
    joined = "\x1e".join("\x1f".join(row) for row in block)
    if _text_is_clean(joined):
        writer.writerows(block)
        return joined
    for row_number, row in enumerate(block, start=first_row):
        writer.writerow(
            [normalise_cell_text(cell, row_number, number, cell_changes, lookalikes)
             for number, cell in enumerate(row, start=1)]
        )
    return joined


def _text_is_clean(text: str) -> bool:
    """Whole-text test (a few C-level scans) so most rows skip the per-cell work."""
    if text.isascii():
        return "\x00" not in text
    return (
        NEEDS_CHANGE.search(text) is None
        and unicodedata.is_normalized("NFC", text)
        and not has_mixed_script_word(text)
    )


def normalise_cell_text(
    cell: str, row: int, number: int, changes: dict[str, Change], lookalikes: Change
) -> str:
    """Normalise one cell, recording each change (and look-alikes) at ``row``/``number``."""
    if "\x00" in cell:  # never text: a damaged file, or one in another encoding
        raise UnreadableFile("nul-character", row=row, field=number)
    if cell.isascii():
        return cell
    original = cell
    if "\ufeff" in cell:
        cell = cell.replace("\ufeff", "")
        changes["bom-inside-removed"].add(row, number, original)
    if not unicodedata.is_normalized("NFC", cell):
        cell = unicodedata.normalize("NFC", cell)
        changes["unicode-nfc"].add(row, number, original)
    if KYRGYZ_VARIANT_CHARS.search(cell):
        cell = unify_kyrgyz_letters(cell)
        changes["kyrgyz-letter"].add(row, number, original)
    words = find_mixed_script_words(cell)
    if words:
        lookalikes.add(row, number, words[0])
    return cell
