"""Numbers, dates and times in the reader's format, from Babel's locale data
for ky, ru and en: 2 172 300 and 1,5 for a Kyrgyz or Russian reader,
2,172,300 and 1.5 for an English one.

Only pages use these: downloads and the API keep values as they are.
Years and codes are never grouped: how a table's value is shown follows
its Table Schema field (`kind_of`), not how the value looks.
"""
from __future__ import annotations

import datetime as dt
import functools
from decimal import Decimal, InvalidOperation
from typing import Any, Optional

from babel import Locale, UnknownLocaleError
from babel import dates as babel_dates
from babel import numbers as babel_numbers

from ckanext.kg.reader_language import current_language

# how a table's values are shown (`kind_of`)
GROUPED, DATE, TIME, DATETIME, BOOLEAN, AS_GIVEN = (
    "grouped", "date", "time", "datetime", "boolean", "as-given")
_KINDS = {"integer": GROUPED, "number": GROUPED, "date": DATE, "time": TIME,
          "datetime": DATETIME, "boolean": BOOLEAN}
# an integer column with such a name is a code, an identifier or a year, not
# a quantity (a year typed "integer" rather than Table Schema's "year")
_IDENTIFIER_SUFFIXES = ("_id", "_code", "_kod", "_number", "_year")
_IDENTIFIER_NAMES = ("id", "year", "жыл", "год")


def reader_locale(language: Optional[str] = None) -> Locale:
    """The locale of `language`, else the request's; the site's default
    outside a request."""
    try:
        return Locale.parse(language or current_language())
    except (UnknownLocaleError, ValueError):
        return Locale("en")


def number(value: Any, language: Optional[str] = None) -> str:
    """A number with the reader's grouping and decimal sign, every digit kept."""
    exact = _decimal(value)
    if exact is None:
        return "" if value is None else str(value)
    return babel_numbers.format_decimal(exact, locale=reader_locale(language),
                                        decimal_quantization=False)


def count(value: Any, language: Optional[str] = None) -> str:
    """A count as `number` shows it, remembered per language: a page of
    search results shows a hundred facet counts, mostly the same few."""
    if not isinstance(value, int) or isinstance(value, bool):
        return number(value, language)
    return _count(value, language or current_language())


@functools.lru_cache(maxsize=4096)
def _count(value: int, language: str) -> str:
    return number(value, language)


def _decimal(value: Any) -> Optional[Decimal]:
    if isinstance(value, bool) or value is None:
        return None
    try:
        exact = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        return None
    return exact if exact.is_finite() else None


def date(value: Any, language: Optional[str] = None) -> str:
    """A date (`2020-01-22`, or the date of a time stamp) as the reader writes it."""
    parsed = _datetime(value)
    if parsed is None:
        return "" if value is None else str(value)
    return babel_dates.format_date(parsed.date(), "medium", locale=reader_locale(language))


def time_of_day(value: Any, language: Optional[str] = None) -> str:
    try:
        parsed = dt.time.fromisoformat(str(value))
    except ValueError:
        return "" if value is None else str(value)
    return babel_dates.format_time(parsed, "medium", locale=reader_locale(language))


def timestamp(value: Any, language: Optional[str] = None) -> str:
    """A time stamp as the reader writes it, in the time zone it was given in."""
    parsed = _datetime(value)
    if parsed is None:
        return "" if value is None else str(value)
    return babel_dates.format_datetime(parsed, "medium", tzinfo=parsed.tzinfo,
                                       locale=reader_locale(language))


def _datetime(value: Any) -> Optional[dt.datetime]:
    if isinstance(value, dt.datetime):
        return value
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day)
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        return dt.datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None


def boolean(value: Any, language: Optional[str] = None) -> str:
    """Yes or no in the request's language (a catalogue's, not Babel's)."""
    import ckan.plugins.toolkit as tk
    if value is None or value == "":
        return ""
    return tk._("Yes") if value in (True, "true", "True", 1) else tk._("No")


def kind_of(field: dict[str, Any], schema: Optional[dict[str, Any]] = None) -> str:
    """How a Table Schema field's values are shown: integers and numbers
    grouped, unless the field is a code, an identifier or a year (in the
    primary or a foreign key, unique, or named `id`, `year`, `..._id`,
    `..._code`, `..._year`); years, texts and everything else as given."""
    kind = _KINDS.get(field.get("type") or "string", AS_GIVEN)
    if kind == GROUPED and _is_identifier(field, schema or {}):
        return AS_GIVEN
    return kind


def _is_identifier(field: dict[str, Any], schema: dict[str, Any]) -> bool:
    name = str(field.get("name") or "").lower()
    if name in _IDENTIFIER_NAMES or name.endswith(_IDENTIFIER_SUFFIXES):
        return True
    if (field.get("constraints") or {}).get("unique"):
        return True
    keys = primary_key(schema)
    for foreign in schema.get("foreignKeys") or []:
        if isinstance(foreign, dict):
            keys += _as_names(foreign.get("fields"))
    return field.get("name") in keys


def primary_key(schema: dict[str, Any]) -> list[str]:
    """The names of the fields of a Table Schema's primary key."""
    return _as_names(schema.get("primaryKey"))


def _as_names(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []


_SHOW = {GROUPED: number, DATE: date, TIME: time_of_day, DATETIME: timestamp,
         BOOLEAN: boolean}


def cell(value: Any, kind: str = AS_GIVEN, language: Optional[str] = None) -> str:
    """One value of a table, shown as its field's kind says."""
    if value is None:
        return ""
    show = _SHOW.get(kind)
    return show(value, language) if show else str(value)
