"""Turn a sheet of an XLSX or ODS workbook into the canonical CSV.

National Statistical Committee workbooks put title rows (the indicator's
name in three languages, the unit) above the header, and sometimes a header
over two rows with merged cells. Here the sheet is chosen, title rows are
skipped, merged header cells are filled and multi-row headers are joined, so
the rest of the pipeline sees one clean table. The archive is checked for
decompression bombs before any XML is parsed.
"""

from __future__ import annotations

import csv
import datetime
import zipfile
from dataclasses import asdict, dataclass, field
from pathlib import Path

import frictionless
from frictionless import FrictionlessException, formats

from .filekind import UnreadableFile
from .normalise import CELL_CHANGES, Change, NormalisationReport, normalise_cell_text

SPREADSHEET_FORMATS = {".xlsx": "xlsx", ".ods": "ods"}
MAX_UNCOMPRESSED = 512 * 1024**2
MAX_RATIO = 200
SCAN_ROWS = 50


@dataclass
class SheetLayout:
    """Where the table sits in the sheet (1-based sheet row numbers)."""

    sheet: str | int = 1
    title_rows: list[int] = field(default_factory=list)
    header_rows: list[int] = field(default_factory=list)
    columns: int = 0

    @property
    def row_offset(self) -> int:
        """Sheet row number = canonical CSV row number + ``row_offset``."""
        return self.header_rows[-1] - 1 if self.header_rows else 0

    def to_dict(self) -> dict:
        return dict(asdict(self), row_offset=self.row_offset)


def spreadsheet_format(path: str | Path) -> str | None:
    return SPREADSHEET_FORMATS.get(Path(path).suffix.lower())


def check_archive(path: str | Path, max_uncompressed: int = MAX_UNCOMPRESSED) -> None:
    """Refuse archives that would expand beyond ``max_uncompressed`` bytes."""
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError) as error:
        raise UnreadableFile("bad-spreadsheet", str(error))
    total = sum(member.file_size for member in members)
    packed = max(sum(member.compress_size for member in members), 1)
    if total > max_uncompressed or (total > 1024**2 and total / packed > MAX_RATIO):
        raise UnreadableFile("zip-bomb", f"{total} bytes uncompressed from {packed}")


def sheet_to_csv(
    path: str | Path, target: str | Path, sheet: str | int = 1,
    header_rows: list[int] | None = None,
) -> tuple[SheetLayout, NormalisationReport]:
    """Write the table of ``sheet`` to ``target`` as canonical CSV."""
    check_archive(path)
    rows = _read_cells(Path(path), sheet)
    layout = SheetLayout(sheet=sheet, columns=_table_width(rows))
    layout.header_rows = header_rows or _detect_header_rows(rows, layout.columns)
    layout.title_rows = list(range(1, layout.header_rows[0]))
    report = NormalisationReport(source_encoding=spreadsheet_format(path) or "spreadsheet")
    report.rows = _write(rows, layout, Path(target), report)
    return layout, report


def _read_cells(path: Path, sheet: str | int) -> list[list]:
    fmt = spreadsheet_format(path)
    if fmt == "xlsx":
        control = formats.ExcelControl(sheet=sheet, fill_merged_cells=True)
    else:
        control = formats.OdsControl(sheet=sheet)
    resource = frictionless.Resource(
        path=path.name, basepath=str(path.parent), format=fmt, control=control,
        dialect=frictionless.Dialect(header=False),
    )
    try:
        with resource:
            return resource.read_cells()
    except FrictionlessException as error:
        raise UnreadableFile("bad-spreadsheet", error.error.note)


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (datetime.date, datetime.datetime, datetime.time)):
        return value.isoformat()
    return str(value)


def _filled(row: list) -> list[int]:
    return [index for index, value in enumerate(row) if _text(value).strip()]


def _table_width(rows: list[list]) -> int:
    """Columns up to the last one holding any value."""
    return max((max(_filled(row), default=-1) + 1 for row in rows), default=0)


def _detect_header_rows(rows: list[list], width: int) -> list[int]:
    """The header row(s).

    With a title block (title rows, then a blank row) the header is the first
    non-blank row after it; without one, the first row filled nearly as much
    as the fullest row. Rows merged with it (a cell such as A4:A5 filled in
    both rows) join the header.
    """
    fills = [len(_filled(row[:width])) for row in rows[:SCAN_ROWS]]
    if not fills or not max(fills):
        return [1]
    start = _after_title_block(fills)
    threshold = 0.8 * max(fills) if start == 0 else 1
    first = next((n for n in range(start, len(fills)) if fills[n] >= threshold), start)
    header = [first + 1]
    while header[0] > 1 and _continues_header(rows, header[0] - 1, width):
        header.insert(0, header[0] - 1)
    while _continues_header(rows, header[-1], width):
        header.append(header[-1] + 1)
    return header


def _after_title_block(fills: list[int]) -> int:
    """Index after the blank row that ends leading title rows, or 0."""
    for index, fill in enumerate(fills[:10]):
        if fill == 0 and index > 0 and any(fills[:index]):
            return index + 1
    return 0


def _continues_header(rows: list[list], row_number: int, width: int) -> bool:
    """The next row repeats a filled (merged) header cell, e.g. A4:A5."""
    if row_number >= len(rows) or row_number - 1 >= SCAN_ROWS:
        return False
    above, below = rows[row_number - 1][:width], rows[row_number][:width]
    return any(
        _text(a).strip() and _text(a) == _text(b) for a, b in zip(above, below)
    )


def _joined_header(rows: list[list], layout: SheetLayout) -> list[str]:
    labels = []
    for column in range(layout.columns):
        parts: list[str] = []
        for number in layout.header_rows:
            row = rows[number - 1]
            text = _text(row[column]).strip() if column < len(row) else ""
            if text and text not in parts:
                parts.append(text)
        labels.append(" ".join(parts))
    return labels


def _write(rows: list[list], layout: SheetLayout, target: Path, report) -> int:
    changes = {kind: Change(kind, text) for kind, text in CELL_CHANGES.items()}
    lookalikes = Change("mixed-script", "words mixing Latin and Cyrillic look-alike letters (not changed)")
    body = rows[layout.header_rows[-1]:]
    kept = _without_trailing_blank_rows(body, layout.columns)
    if len(kept) < len(body):
        report.changes.append(Change(
            "trailing-blank-rows-removed", "blank rows after the table removed",
            len(body) - len(kept)))
    body = kept
    with target.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(_joined_header(rows, layout))
        for number, row in enumerate(body, start=2):
            cells = [_text(value) for value in row[: layout.columns]]
            cells += [""] * (layout.columns - len(cells))
            writer.writerow([
                normalise_cell_text(cell, number, column, changes, lookalikes)
                for column, cell in enumerate(cells, start=1)
            ])
    _layout_changes(layout, report)
    report.changes.extend(item for item in changes.values() if item.count)
    if lookalikes.count:
        report.flags.append(lookalikes)
    return len(body) + 1


def _without_trailing_blank_rows(body: list[list], width: int) -> list[list]:
    end = len(body)
    while end and not _filled(body[end - 1][:width]):
        end -= 1
    return body[:end]


def _layout_changes(layout: SheetLayout, report: NormalisationReport) -> None:
    if layout.title_rows:
        report.changes.append(Change(
            "title-rows-skipped", f"title rows {layout.title_rows} above the header skipped",
            len(layout.title_rows), detail=_row_list(layout.title_rows)))
    if len(layout.header_rows) > 1:
        report.changes.append(Change(
            "header-rows-joined", f"header rows {layout.header_rows} joined into one",
            len(layout.header_rows), detail=_row_list(layout.header_rows)))


def _row_list(rows: list[int]) -> str:
    return ", ".join(str(row) for row in rows)
