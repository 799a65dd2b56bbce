"""The fast canonical writer: the source in blocks of whole lines, vectorised.

Any encoding is decoded to UTF-8 chunk by chunk (Python's codecs, in C);
the UTF-8 bytes are cut into blocks of whole lines, and each block takes
the cheapest way that gives exactly what Python's ``csv`` module would
write:

- *plain*: no quote, no lone CR, nothing to change, and no comma inside a
  cell: copied as bytes (CRLF becomes LF, the delimiter a comma);
- *regular*: every field unquoted or properly quoted (checked by one RE2
  pass), rows of one width, no blank line: parsed by pyarrow's CSV reader
  and written back column by column, a cell quoted where ``csv.writer``
  quotes it;
- anything else (stray quotes, ragged rows, cells to normalise): Python's
  ``csv`` module, cell by cell (:mod:`.normalise`).
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import tempfile
import unicodedata

import pyarrow as pa
import pyarrow.compute as pc
from pyarrow import csv as pacsv

from .dialect import FIELD_LIMIT
from .encoding import utf8_array

MAX_CARRY = 1 << 24  # a quoted field running over more than this: stream with csv from there
# Bytes that never need a closer look: ASCII but NUL, quote and CR; UTF-8
# continuation bytes; lead bytes of U+0400-U+04FF (Cyrillic, which NFC leaves
# alone: a test checks every pair of these characters).
PLAIN_BYTES = (
    bytes(b for b in range(0x80) if b not in b'\x00"\r') + bytes(range(0x80, 0xC0))
    + bytes(range(0xD0, 0xD4))
)
# scripts.SCRIPT_BOUNDARY (RE2 syntax), or a Kyrgyz variant letter U+04C7-U+04CA
SCRIPT_BOUNDARY_RE2 = (
    r"[\x{0400}-\x{04FF}][A-Za-z\x{0275}\x{019F}]|[A-Za-z\x{0275}\x{019F}][\x{0400}-\x{04FF}]"
)
KYRGYZ_VARIANT_RE2 = r"[\x{04C7}-\x{04CA}]"
NEEDS_A_LOOK_RE2 = f"{SCRIPT_BOUNDARY_RE2}|{KYRGYZ_VARIANT_RE2}"  # one vectorised pass for both


def _quoted_by_csv_writer() -> str:
    """The characters that make ``csv.writer`` quote a cell (this Python's rule)."""
    found = ""
    for char in ',"\n\r':
        text = io.StringIO()
        csv.writer(text, lineterminator="\n").writerow([f"a{char}b"])
        found += char if text.getvalue().startswith('"') else ""
    return found


QUOTED_CHARS = _quoted_by_csv_writer()
# A blank line inside a block (LF, or CRLF too). Python's regular
# expressions find these two or three bytes about three times faster than
# `in` does, whose search stumbles on every line break of the block.
BLANK_LINE = re.compile(rb"\n\n")
BLANK_LINE_OR_CRLF = re.compile(rb"\n\r?\n")
# a quoted cell holding a comma or a quote, on one line (so lines are rows)
_QUOTED_CANONICALLY = '"(?:[^"\\r\\n]|"")*(?:,|"")(?:[^"\\r\\n]|"")*"'
_UNQUOTED = '[^,"\\r\\n]*'
_CELL = f"(?:{_QUOTED_CANONICALLY}|{_UNQUOTED})"
CANONICAL_LINES = f"^(?:{_CELL}(?:,{_CELL})*\\n)*$"


def utf8_chunks(handle, codec: str, chunk_size: int):
    """The file's text as UTF-8 bytes, chunk by chunk (a UTF-8 BOM skipped).
    A byte the codec refuses raises ``UnicodeDecodeError`` at its offset in
    the file, not in the chunk."""
    name = codecs.lookup(codec).name
    if name in ("utf-8", "utf-8-sig"):
        if name != "utf-8-sig" or handle.read(3) != codecs.BOM_UTF8:
            handle.seek(0)
        while chunk := handle.read(chunk_size):
            yield chunk
        return
    decoder = codecs.getincrementaldecoder(codec)("strict")
    fed = 0  # bytes given to the decoder before this chunk
    while chunk := handle.read(chunk_size):
        yield _decoded(decoder, chunk, fed)
        fed += len(chunk)
    yield _decoded(decoder, b"", fed, final=True)


def _decoded(decoder, chunk: bytes, fed: int, final: bool = False) -> bytes:
    # the bytes of a character begun in the previous chunk are decoded first
    pending = len(decoder.getstate()[0])
    try:
        return decoder.decode(chunk, final).encode("utf-8")
    except UnicodeDecodeError as error:
        raise shifted(error, fed - pending) from None


def shifted(error: UnicodeDecodeError, offset: int) -> UnicodeDecodeError:
    """The same error, its position counted ``offset`` bytes further on."""
    return UnicodeDecodeError(error.encoding, error.object, error.start + offset,
                              error.end + offset, error.reason)


def rewrite_blocks(chunks, delimiter: str, writer, rewrite_text, origin: int = 0):
    """Write canonical CSV from UTF-8 ``chunks``, yielding after each block
    written; ``rewrite_text(path)`` (a generator: the ``csv`` module) takes
    over if a quoted field runs on for ``MAX_CARRY``. Bytes that are not
    UTF-8 raise ``UnicodeDecodeError`` at their offset in the file, whose
    first chunk starts at byte ``origin`` (after a byte order mark)."""
    carry, position = b"", origin  # where `carry`, then `data`, starts in the file
    for chunk in chunks:
        data = carry + chunk if carry else chunk
        cut = data.rfind(b"\n") + 1
        carry = data[cut:]
        if cut and not _written(data[:cut], delimiter, writer, False, position):
            carry = data  # a quoted field runs on: read more before parsing
        position += len(data) - len(carry)
        yield
        if len(carry) > MAX_CARRY:
            yield from _rewrite_rest(carry, chunks, rewrite_text, position)
            return
    if carry:
        _written(carry, delimiter, writer, True, position)
        yield


def _written(data: bytes, delimiter: str, writer, final: bool, position: int) -> bool:
    try:
        return write_block(data, delimiter, writer, final)
    except UnicodeDecodeError as error:
        raise shifted(error, position) from None


def _rewrite_rest(carry: bytes, chunks, rewrite_text, origin: int):
    """The rest of the file, from ``carry`` (at byte ``origin`` of a UTF-8
    file) on, written by ``rewrite_text``; a refused byte is named by its
    offset in the file (the chunks of another codec were decoded already)."""
    with tempfile.NamedTemporaryFile(prefix="kg-rest-", suffix=".csv") as rest:
        rest.write(carry)
        for chunk in chunks:
            rest.write(chunk)
        rest.flush()
        try:
            yield from rewrite_text(rest.name)
        except UnicodeDecodeError as error:
            raise shifted(error, origin) from None


def write_block(data: bytes, delimiter: str, writer, final: bool) -> bool:
    """Write one block of whole lines; ``False`` (nothing written) if a quoted field runs past it."""
    rest = data.translate(None, PLAIN_BYTES)
    lone_cr = b"\r" in rest and data.count(b"\r") != data.count(b"\r\n")
    # the block as one Arrow string, its UTF-8 checked once for every test below
    text = None if data.isascii() else utf8_array(data)
    if not lone_cr and _block_is_clean(data, rest.translate(None, b'"\r'), text):
        if b'"' not in rest and (delimiter == "," or b"," not in data):
            writer.plain_block(_plain(data, delimiter))
            return True
        if delimiter == "," and b"\r" not in rest and _canonical(data, text):
            writer.plain_block(data)
            return True
        whole = data.endswith(b"\n")
        table = _regular_table(data if whole else data + b"\n", delimiter, text if whole else None)
        if table is not None:
            writer.table_block(table)  # written as ``canonical_lines`` gives its rows
            return True
    rows = _csv_rows(data.decode("utf-8"), delimiter, final)
    if rows is None:
        return False
    writer.rows_block(rows)
    return True


def _plain(data: bytes, delimiter: str) -> bytes:
    if b"\r" in data:
        data = data.replace(b"\r\n", b"\n")
    return data if delimiter == "," else data.replace(delimiter.encode(), b",")


def _canonical(data: bytes, text: pa.Array | None = None) -> bool:
    """Comma-separated lines, each cell as ``csv.writer`` writes it (quoted
    exactly when it holds a comma or a quote; no line break inside a cell),
    no blank line: then the block is copied as it is, one row a line.
    ``text``: :func:`.encoding.utf8_array` of ``data``, when made already."""
    if data.startswith(b"\n") or BLANK_LINE.search(data):
        return False
    text = utf8_array(data) if text is None else text
    return text is not None and pc.match_substring_regex(text, CANONICAL_LINES)[0].as_py()


def _regular_table(data: bytes, delimiter: str, text: pa.Array | None = None) -> pa.Table | None:
    """The block's rows as pyarrow reads them, if Python's ``csv`` reads them alike
    (``text``: :func:`.encoding.utf8_array` of ``data``, when made already)."""
    if data.startswith((b"\n", b"\r\n")) or BLANK_LINE_OR_CRLF.search(data):
        return None  # blank lines: csv reads no cell, pyarrow one empty cell
    text = utf8_array(data) if text is None else text
    if text is None or not pc.match_substring_regex(text, _regular_pattern(delimiter))[0].as_py():
        return None
    width = len(next(csv.reader(io.StringIO(data[:1 << 16].decode("utf-8", "ignore"), newline=""),
                                delimiter=delimiter)))
    ragged: list[int] = []
    try:
        table = pacsv.read_csv(
            pa.BufferReader(data),
            read_options=pacsv.ReadOptions(autogenerate_column_names=True, use_threads=False,
                                           block_size=len(data) + 1),
            parse_options=pacsv.ParseOptions(delimiter=delimiter, newlines_in_values=True,
                                             ignore_empty_lines=False,
                                             invalid_row_handler=lambda row: ragged.append(1) or "skip"),
            convert_options=pacsv.ConvertOptions(
                column_types={f"f{index}": pa.string() for index in range(width)},
                strings_can_be_null=False, quoted_strings_can_be_null=False),
        )
    except pa.ArrowInvalid:
        return None
    if ragged or any(column.type != pa.string() for column in table.columns):
        return None  # rows of another width: csv writes them as they are
    if len(data) >= FIELD_LIMIT and any(
            pc.max(pc.utf8_length(column)).as_py() >= FIELD_LIMIT
            for column in table.columns if _text_bytes(column) >= FIELD_LIMIT):
        return None  # csv refuses a cell this long: let it say so
    return table


def _text_bytes(column: pa.ChunkedArray) -> int:
    """The bytes of a string column's text (no cell holds more characters)."""
    return sum(len(array_bytes(chunk)) for chunk in column.chunks)


def _regular_pattern(delimiter: str) -> str:
    """Lines of fields, each unquoted (no quote, CR or LF) or wholly quoted."""
    own = f"\\x{{{ord(delimiter):02X}}}"
    field = f'(?:"(?:[^"]|"")*"|[^{own}"\\r\\n]*)'
    return f"^(?:{field}(?:{own}{field})*\\r?\\n)*$"


def canonical_lines(table: pa.Table,
                    written: list[tuple[pa.Array, bool] | None] | None = None) -> tuple[pa.Array, bool]:
    """Each row as ``csv.writer`` writes it (comma, minimal quoting, ``\\n``),
    and whether a cell holds a line break, ``\\n`` or ``\\r`` (``csv.writer``
    quotes a cell holding ``\\n``, not one holding only ``\\r``).

    ``written``, per column: its cells already as ``csv.writer`` writes them
    (:func:`written_cell`) and whether one holds a line break, or ``None``
    (quoted here)."""
    cells, line_breaks = [], False
    for number, column in enumerate(table.columns):
        known = written[number] if written else None
        done, breaks = known if known is not None else _canonical_cells(column.combine_chunks())
        cells.append(done)
        line_breaks = line_breaks or breaks
    if len(cells) == 1:  # csv.writer writes a lone empty cell as ""
        cells[0] = pc.if_else(pc.equal(table.column(0).combine_chunks(), ""), '""', cells[0])
    # the line break joined to the last cell first, then one join of the
    # row: joining the finished lines to "\n" copied the whole block again
    cells[-1] = pc.binary_join_element_wise(cells[-1], "\n", "")
    return pc.binary_join_element_wise(*cells, ","), line_breaks


def written_cell(text: str) -> str:
    """One cell as ``csv.writer`` writes it in a row of several (quoted when it
    holds a character this Python's ``csv.writer`` quotes, quotes doubled)."""
    if any(char in text for char in QUOTED_CHARS):
        return '"' + text.replace('"', '""') + '"'
    return text


def holds_a_line_break(table: pa.Table) -> bool:
    """Whether a cell of ``table`` holds CR or LF: what :func:`canonical_lines`
    says of it, without writing its lines."""
    return any(_breaks(bytes(array_bytes(chunk)))
               for column in table.columns for chunk in column.chunks)


def _breaks(text: bytes) -> bool:
    return b"\n" in text or b"\r" in text


def _canonical_cells(column: pa.Array) -> tuple[pa.Array, bool]:
    """The column's cells as ``csv.writer`` writes them, and whether one holds a
    line break (CR or LF: pyarrow ends a row at either, unless told). The
    column's text is looked at as bytes first: most columns hold none of the
    characters that are quoted, and skip the per-cell test, which looks only
    for those the column holds (a plain substring test each: cheaper than
    one regular expression of them all)."""
    text = bytes(array_bytes(column))
    breaks = _breaks(text)
    present = [char for char in QUOTED_CHARS if char.encode() in text]
    if not present:
        return column, breaks
    needs = pc.match_substring(column, present[0])
    for char in present[1:]:
        needs = pc.or_(needs, pc.match_substring(column, char))
    quoted_cells = pc.sum(needs).as_py() or 0
    if not quoted_cells:
        return column, breaks
    inner = pc.replace_substring(column, '"', '""') if b'"' in text else column
    quoted = pc.binary_join_element_wise('"', inner, '"', "")
    return (quoted if quoted_cells == len(column) else pc.if_else(needs, quoted, column)), breaks


def array_bytes(lines: pa.Array) -> memoryview:
    """The UTF-8 bytes of a string array's values, one after the other."""
    if lines.type != pa.string():
        lines = lines.cast(pa.string())
    offsets = memoryview(lines.buffers()[1]).cast("i")  # int32 offsets of a string array
    start, end = offsets[lines.offset], offsets[lines.offset + len(lines)]
    return memoryview(lines.buffers()[2])[start:end]


def _csv_rows(text: str, delimiter: str, final: bool) -> list[list[str]] | None:
    """Rows of ``text`` as ``csv.reader`` reads them; ``None`` if the last one is cut short."""
    state = {"ended": False}

    def lines():
        yield from io.StringIO(text, newline="")
        state["ended"] = True

    rows = []
    for row in csv.reader(lines(), delimiter=delimiter, quotechar='"'):
        if state["ended"] and not final:
            return None
        rows.append(row)
    return rows


def _block_is_clean(data: bytes, rest: bytes, text: pa.Array | None) -> bool:
    """No cell of the block needs a change or a flag (checked on the bytes).

    ``rest`` is the block without the plain bytes, quotes and CRs; ``text``
    the block as :func:`.encoding.utf8_array` gives it (``None`` for ASCII,
    or bytes that are not UTF-8). Also checks that the block is valid UTF-8
    (raising ``UnicodeDecodeError``).
    """
    if data.isascii():
        return b"\x00" not in rest
    if text is None:
        data.decode("utf-8")  # raises the exact error
        return False  # (Arrow and Python disagree: let Python's path decide)
    if rest:  # NUL, or characters outside ASCII and Cyrillic
        if b"\x00" in rest or (b"\xef" in rest and b"\xef\xbb\xbf" in data):
            return False
        if not unicodedata.is_normalized("NFC", data.decode("utf-8")):
            return False
    return not pc.any(pc.match_substring_regex(text, NEEDS_A_LOOK_RE2)).as_py()
