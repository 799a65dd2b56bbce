"""Dates, times and datetimes checked vectorised, with Python's answers.

A cell is *certain* only in a form whose meaning Python's ``strptime`` and
dateutil's ``isoparse`` (what frictionless calls) cannot read otherwise:
fixed-width digits. ``%d.%m.%Y``-style formats are rewritten to ISO order
by one regular-expression pass, then checked like ISO text. Anything else
is left to frictionless's own reader (see :mod:`.judge`).
"""

from __future__ import annotations

import re

import pyarrow as pa
import pyarrow.compute as pc

ISO_DATE = r"[0-9]{4}-[0-9]{2}-[0-9]{2}"
ISO_TIME = r"([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]"
FRACTION = r"(\.[0-9]{1,6})?"
DIRECTIVES = {"Y": "[0-9]{4}", "m": "[0-9]{2}", "d": "[0-9]{2}",
              "H": "[0-9]{2}", "M": "[0-9]{2}", "S": "[0-9]{2}"}
DATE_PARTS = ("Y", "m", "d")
TIME_PARTS = ("H", "M", "S")


def iso_dates(cells: pa.Array, fmt: str) -> tuple[pa.Array, pa.Array] | None:
    """(certain mask, date32 values) for a ``date`` field, or ``None`` for a
    format this module does not read."""
    iso = cells if fmt in ("default", "%Y-%m-%d") else _as_iso(cells, fmt, DATE_PARTS)
    if iso is None:
        return None
    shaped = pc.match_substring_regex(iso, f"^{ISO_DATE}$")
    certain = pc.and_(shaped, pc.invert(_not_a_calendar_date(iso, shaped)))
    return certain, pc.cast(pc.if_else(certain, iso, "2000-01-01"), pa.date32())


def iso_datetimes(cells: pa.Array, fmt: str) -> tuple[pa.Array, pa.Array] | None:
    """(certain mask, naive timestamp[us] values) for a ``datetime`` field."""
    if fmt == "default":
        iso, pattern = cells, f"^{ISO_DATE}T{ISO_TIME}{FRACTION}$"
    else:
        iso, pattern = _as_iso(cells, fmt, DATE_PARTS + TIME_PARTS), f"^{ISO_DATE}T{ISO_TIME}$"
        if iso is None:
            return None
    shaped = pc.match_substring_regex(iso, pattern)
    dates = pc.utf8_slice_codeunits(iso, 0, 10)
    certain = pc.and_(shaped, pc.invert(_not_a_calendar_date(dates, shaped)))
    values = pc.cast(pc.if_else(certain, iso, "2000-01-01T00:00:00"), pa.timestamp("us"))
    return certain, values


def iso_times(cells: pa.Array, fmt: str) -> tuple[pa.Array, pa.Array] | None:
    """(certain mask, microseconds since midnight) for a ``time`` field."""
    if fmt == "default":
        iso = cells
    else:
        iso = _as_iso(cells, fmt, TIME_PARTS, date=False)
        if iso is None:
            return None
    certain = pc.match_substring_regex(iso, f"^{ISO_TIME}$")
    text = pc.if_else(certain, iso, "00:00:00")
    seconds = pc.add(pc.add(
        pc.multiply(_digits(text, 0, 2), 3600), pc.multiply(_digits(text, 3, 5), 60)),
        _digits(text, 6, 8))
    return certain, pc.multiply(seconds, 1_000_000)


def _digits(text: pa.Array, start: int, stop: int) -> pa.Array:
    return pc.cast(pc.utf8_slice_codeunits(text, start, stop), pa.int64())


def _as_iso(cells: pa.Array, fmt: str, parts: tuple[str, ...], date: bool = True) -> pa.Array | None:
    """Cells in ``fmt`` rewritten as ISO text (``None``: a directive not read here)."""
    pattern, order = _format_pattern(fmt)
    required = {"Y", "m", "d"} if date else {"H", "M"}
    if pattern is None or not set(order) <= set(parts) or not required <= set(order):
        return None
    group = {name: f"\\{index}" for index, name in enumerate(order, start=1)}
    pieces = []
    if date:
        pieces.append(f"{group['Y']}-{group['m']}-{group['d']}")
    if "H" in parts and (not date or len(parts) > 3):
        pieces.append(":".join(group.get(name, "00") for name in TIME_PARTS))
    replacement = "T".join(pieces)
    matched = pc.match_substring_regex(cells, pattern)
    rewritten = pc.replace_substring_regex(cells, pattern, replacement)
    return pc.if_else(matched, rewritten, "")


def _format_pattern(fmt: str) -> tuple[str | None, list[str]]:
    """A regular expression with one group per directive of a strptime format."""
    pattern, order, index = "^", [], 0
    while index < len(fmt):
        char = fmt[index]
        if char == "%" and index + 1 < len(fmt):
            directive = fmt[index + 1]
            if directive == "%":
                pattern += "%"
            elif directive in DIRECTIVES and directive not in order:
                pattern += f"({DIRECTIVES[directive]})"
                order.append(directive)
            else:
                return None, []
            index += 2
            continue
        if char.isspace() and char != " ":
            return None, []
        pattern += re.escape(char)
        index += 1
    return pattern + "$", order


def _not_a_calendar_date(column: pa.Array, shaped: pa.Array) -> pa.Array:
    """True where ``YYYY-MM-DD`` text (``shaped``) is not a date Python accepts.

    Year 0000 is always suspect (Python's ``datetime`` starts at year 1).
    Arrow's cast to ``date32`` checks month and day; when one cell fails it
    the whole column is checked with a parse and print round trip instead
    (Arrow's ``strptime`` accepts days such as 2023-02-30).
    """
    year_zero = pc.starts_with(column, "0000")
    try:
        pc.cast(pc.if_else(pc.and_(shaped, pc.invert(year_zero)), column, "2000-01-01"), pa.date32())
        return year_zero
    except pa.ArrowInvalid:
        pass
    parsed = pc.strptime(column, "%Y-%m-%d", "s", error_is_null=True)
    printed = pc.strftime(parsed, "%Y-%m-%d")
    return pc.or_(year_zero, pc.fill_null(pc.not_equal(printed, column), True))
