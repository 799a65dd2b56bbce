"""Detect the CSV dialect of a decoded text: delimiter, quoting, line endings,
header row, and how numbers are written.

Number formats (decimal comma, space or NBSP digit grouping) are only
*reported* as suggestions for the Table Schema (``decimalChar``,
``groupChar``); nothing here changes a value.
"""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path

DELIMITERS = (",", ";", "\t", "|")
SAMPLE_CHARS = 1 << 18
FIELD_LIMIT = 1 << 20

NUMBER = re.compile(r"^[+-]?\d+([.,]\d+)?$")
DECIMAL_COMMA = re.compile(r"^[+-]?\d+,\d+$")
THOUSANDS_COMMA = re.compile(r"^[+-]?\d{1,3}(,\d{3})+$")
DECIMAL_POINT = re.compile(r"^[+-]?\d+\.\d+$")
GROUPED = re.compile(r"^[+-]?\d{1,3}([ \u00a0\u202f]\d{3})+([.,]\d+)?$")
SPACED_DIGITS = re.compile(r"^[+-]?\d+([ \u00a0\u202f]\d+)+([.,]\d+)?$")
GROUP_NAMES = {" ": "space", "\u00a0": "no-break space", "\u202f": "narrow no-break space"}


@dataclass
class NumberFinding:
    """One way numbers are written, where it first occurs and how often."""

    kind: str
    count: int = 0
    first_row: int = 0
    first_field: int = 0
    example: str = ""

    def add(self, row: int, field_number: int, cell: str) -> None:
        if not self.count:
            self.first_row, self.first_field, self.example = row, field_number, cell
        self.count += 1


@dataclass
class Dialect:
    delimiter: str = ","
    quote_char: str = '"'
    quoted_fields: int = 0
    line_terminator: str = "\n"
    mixed_line_endings: bool = False
    header: bool = True
    header_row: int = 1
    columns: int = 0
    suggestions: dict = field(default_factory=dict)
    numbers: list[NumberFinding] = field(default_factory=list)
    number_formats_by_field: dict[int, dict[str, int]] = field(default_factory=dict)

    def to_dict(self) -> dict:
        return asdict(self)


def read_sample(path: str | Path, codec: str, size: int = SAMPLE_CHARS) -> tuple[str, bool]:
    """Return the first ``size`` characters and whether that is the whole file."""
    with open(path, encoding=codec, errors="replace", newline="") as handle:
        text = handle.read(size)
        complete = handle.read(1) == ""
    return text, complete


def detect_dialect(text: str, complete: bool = True) -> Dialect:
    """Detect the dialect of ``text`` (a sample, complete or cut at ``size``)."""
    text = text.lstrip("\ufeff")
    if not complete and ("\n" in text or "\r" in text):
        text = text[: max(text.rfind("\n"), text.rfind("\r"))]
    dialect = Dialect()
    dialect.line_terminator, dialect.mixed_line_endings = _line_endings(text)
    dialect.delimiter = _best_delimiter(text)
    rows = _parse(text, dialect.delimiter)
    dialect.quoted_fields = _count_quoted(text, dialect.delimiter)
    dialect.columns = _modal_width(rows)
    dialect.header_row = _header_row(rows, dialect.columns)
    dialect.header = _looks_like_header(rows[dialect.header_row - 1]) if rows else False
    body = rows[dialect.header_row:] if dialect.header else rows
    dialect.numbers, dialect.number_formats_by_field = _number_findings(
        body, dialect.header_row + 1 if dialect.header else 1
    )
    dialect.suggestions = _suggestions(dialect.numbers)
    return dialect


def _line_endings(text: str) -> tuple[str, bool]:
    crlf = text.count("\r\n")
    counts = {"\r\n": crlf, "\r": text.count("\r") - crlf, "\n": text.count("\n") - crlf}
    used = [ending for ending, count in counts.items() if count]
    if not used:
        return "\n", False
    return max(used, key=lambda ending: counts[ending]), len(used) > 1


def _parse(text: str, delimiter: str) -> list[list[str]]:
    csv.field_size_limit(FIELD_LIMIT)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, quotechar='"')
    try:
        return [row for row in reader]
    except csv.Error:
        return [line.split(delimiter) for line in text.splitlines()]


def _best_delimiter(text: str) -> str:
    """The delimiter that splits most rows into the same number (>1) of fields."""
    best, best_score = ",", 0.0
    for delimiter in DELIMITERS:
        rows = [row for row in _parse(text, delimiter) if row]
        width = _modal_width(rows)
        if width < 2:
            continue
        consistent = sum(1 for row in rows if len(row) == width) / len(rows)
        score = consistent + width / 1000
        if score > best_score:
            best, best_score = delimiter, score
    return best


def _modal_width(rows: list[list[str]]) -> int:
    widths = Counter(len(row) for row in rows if row)
    return widths.most_common(1)[0][0] if widths else 0


def _count_quoted(text: str, delimiter: str) -> int:
    starts = re.compile(rf'(^|[{re.escape(delimiter)}\r\n])"', re.MULTILINE)
    return len(starts.findall(text))


def _header_row(rows: list[list[str]], width: int) -> int:
    """1-based number of the first full-width row (title rows come before it)."""
    for number, row in enumerate(rows[:50], start=1):
        if len(row) == width and sum(1 for cell in row if cell.strip()) > width / 2:
            return number
    return 1


def _looks_like_header(row: list[str]) -> bool:
    cells = [cell.strip() for cell in row]
    return any(cells) and not any(NUMBER.match(cell) for cell in cells)


def _number_findings(rows: list[list[str]], first_row: int):
    """Number formats found: per kind (first position) and per field (counts)."""
    findings = {kind: NumberFinding(kind) for kind in (
        "decimal-point", "decimal-comma", "thousands-comma",
        "group-space", "group-nbsp", "irregular-grouping",
    )}
    by_field: dict[int, Counter] = {}
    for row_number, row in enumerate(rows, start=first_row):
        for field_number, cell in enumerate(row, start=1):
            kind = _number_kind(cell.strip())
            if kind:
                findings[kind].add(row_number, field_number, cell)
                by_field.setdefault(field_number, Counter())[kind] += 1
    found = [finding for finding in findings.values() if finding.count]
    return found, {number: dict(kinds) for number, kinds in sorted(by_field.items())}


def _number_kind(cell: str) -> str | None:
    if DECIMAL_POINT.match(cell):
        return "decimal-point"
    if THOUSANDS_COMMA.match(cell):
        return "thousands-comma"
    if DECIMAL_COMMA.match(cell):
        return "decimal-comma"
    if GROUPED.match(cell):
        return "group-space" if " " in cell else "group-nbsp"
    if SPACED_DIGITS.match(cell):
        return "irregular-grouping"
    return None


def _suggestions(numbers: list[NumberFinding]) -> dict:
    """Table Schema number options the data suggests; never applied here."""
    counts = {finding.kind: finding.count for finding in numbers}
    suggestions: dict = {}
    if counts.get("decimal-comma", 0) > counts.get("decimal-point", 0):
        suggestions["decimalChar"] = ","
    group_space, group_nbsp = counts.get("group-space", 0), counts.get("group-nbsp", 0)
    if group_space or group_nbsp:
        suggestions["groupChar"] = " " if group_space >= group_nbsp else "\u00a0"
    if counts.get("decimal-comma") and counts.get("decimal-point"):
        suggestions["warning"] = "both decimal comma and decimal point occur"
    if counts.get("irregular-grouping"):
        suggestions["irregularGrouping"] = (
            "digit groups that are not groups of three: the numbers cannot be read safely"
        )
    return suggestions
