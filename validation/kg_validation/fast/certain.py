"""Per Table Schema type: which cells are *certainly* valid, and their values.

Each test is conservative: a cell it accepts is one frictionless's reader
accepts, with the value computed here; a cell it does not accept is not
necessarily wrong, it is judged by frictionless's own reader (see
:mod:`.judge`). ``values`` serve the constraints and the keys; ``keys``
are the values as Python compares them (``Decimal("1.0") == Decimal("1")``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import frictionless
import pyarrow as pa
import pyarrow.compute as pc

from .temporal import iso_dates, iso_datetimes, iso_times

INTEGER = r"^-?[0-9]{1,18}$"
NUMBER = r"^-?[0-9]{1,15}(\.[0-9]{1,15})?$"
UUID = r"^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$"
BASE64 = r"^([A-Za-z0-9+/]{4})*([A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$"
YEAR = r"^[0-9]{4}$"
YEARMONTH = r"^[0-9]{4}-(0[1-9]|1[0-2])$"
DURATION = r"^P(?:[0-9]+Y)?(?:[0-9]+M)?(?:[0-9]+D)?(?:T(?:[0-9]+H)?(?:[0-9]+M)?(?:[0-9]+S)?)?$"
# longitude within (-180, 180), latitude within (-90, 90), as "lon, lat" or "lon,lat"
GEOPOINT = r"^-?(?:1[0-7][0-9]|[0-9]{1,2})(?:\.[0-9]{1,12})?, ?-?[0-8]?[0-9](?:\.[0-9]{1,12})?$"
NOT_BARE = r"^[^-\p{Nd}]*(-?[0-9]{1,18}(?:\.[0-9]{1,15})?)[^\p{Nd}]*$"  # \d is Nd in Python


@dataclass
class Typed:
    """``ok``: certainly valid for the type; ``values``: comparable values where ok;
    ``keys``: the values as Python compares them (computed when first asked for)."""

    ok: pa.Array
    values: pa.Array | None = None
    key_maker: Callable[[], pa.Array] | None = None
    plain: pa.Array | None = None  # numbers: the text Decimal() read (group and decimal chars resolved)

    @property
    def keys(self) -> pa.Array | None:
        return self.key_maker() if self.key_maker else None


def _kept(values: pa.Array) -> Callable[[], pa.Array]:
    return lambda: values


def typed(field: frictionless.Field, cells: pa.Array) -> Typed:
    """The vectorised reading of ``cells`` as ``field``'s type."""
    reader = READERS.get(field.type)
    result = reader(field, cells) if reader else None
    return result or Typed(_falses(len(cells)))


def _falses(count: int) -> pa.Array:
    return pa.repeat(pa.scalar(False), count)


def _trues(count: int) -> pa.Array:
    return pa.repeat(pa.scalar(True), count)


def _string(field, cells) -> Typed | None:
    if field.format == "default":
        return Typed(_trues(len(cells)), cells, _kept(cells))
    pattern = {"uuid": UUID, "binary": BASE64}.get(field.format)
    if pattern is None:
        return None  # email, uri, wkt: frictionless's reader, value by value
    return Typed(pc.match_substring_regex(cells, pattern), cells, _kept(cells))


def _any(field, cells) -> Typed:
    return Typed(_trues(len(cells)), cells, _kept(cells))


def _integer(field, cells) -> Typed:
    text = cells if field.bare_number else _bare(cells)
    ok = pc.and_(pc.ascii_is_decimal(text), pc.less_equal(pc.binary_length(text), 18))
    if pc.all(ok).as_py() is False:
        ok = pc.or_(ok, pc.fill_null(pc.match_substring_regex(text, INTEGER), False))
    ok = pc.fill_null(ok, False)
    values = pc.cast(pc.if_else(ok, text, "0"), pa.int64())
    return Typed(ok, values, _kept(values))


def _bare(cells: pa.Array) -> pa.Array:
    """What ``bareNumber: false`` keeps of a cell: the number between runs of
    non-digits (null where the cell is not of that shape)."""
    kept = pc.replace_substring_regex(cells, NOT_BARE, r"\1")
    shaped = pc.match_substring_regex(cells, NOT_BARE)
    return pc.if_else(shaped, kept, pa.scalar(None, pa.string()))


def _number(field, cells) -> Typed:
    text = cells if field.bare_number else _bare(cells)
    if field.group_char:
        text = pc.replace_substring(text, field.group_char, "")
    dot_forbidden = None
    if field.decimal_char != ".":
        dot_forbidden = pc.match_substring(text, ".")
        text = pc.replace_substring(text, field.decimal_char, ".")
    ok = pc.fill_null(pc.match_substring_regex(text, NUMBER), False)
    if dot_forbidden is not None:
        ok = pc.and_(ok, pc.invert(pc.fill_null(dot_forbidden, True)))
    plain = pc.if_else(ok, text, "0")
    values = pc.cast(plain, pa.float64())
    keys = _kept(values) if field.float_number else (lambda: canonical_decimals(plain))
    return Typed(ok, values, keys, plain)


def canonical_decimals(text: pa.Array) -> pa.Array:
    """``-?digits(.digits)?`` as ``format(Decimal(text).normalize(), "f")``, ``-0`` as ``0``."""
    text = pc.replace_substring_regex(text, r"^(-?)0+([0-9])", r"\1\2")
    text = pc.replace_substring_regex(text, r"(\.[0-9]*?)0+$", r"\1")
    text = pc.replace_substring_regex(text, r"\.$", "")
    return pc.if_else(pc.equal(text, "-0"), "0", text)


def _boolean(field, cells) -> Typed:
    values = pc.is_in(cells, pa.array(field.true_values, pa.string()))
    ok = pc.or_(values, pc.is_in(cells, pa.array(field.false_values, pa.string())))
    return Typed(ok, values, _kept(values))


def _temporal(reader):
    def read(field, cells) -> Typed | None:
        found = reader(cells, field.format)
        if found is None:
            return None
        return Typed(found[0], found[1], _kept(found[1]))
    return read


def _year(field, cells) -> Typed:
    ok = pc.match_substring_regex(cells, YEAR)
    values = pc.cast(pc.if_else(ok, cells, "0"), pa.int64())
    return Typed(ok, values, _kept(values))


def _yearmonth(field, cells) -> Typed:
    ok = pc.match_substring_regex(cells, YEARMONTH)
    text = pc.if_else(ok, cells, "0000-01")
    year = pc.cast(pc.utf8_slice_codeunits(text, 0, 4), pa.int64())
    month = pc.cast(pc.utf8_slice_codeunits(text, 5, 7), pa.int64())
    values = pc.add(pc.multiply(year, 12), month)
    return Typed(ok, values, _kept(values))


def _duration(field, cells) -> Typed:
    ok = pc.and_(pc.match_substring_regex(cells, DURATION),
                 pc.invert(pc.match_substring_regex(cells, r"^PT?$|T$")))
    return Typed(ok)


def _geopoint(field, cells) -> Typed | None:
    if field.format != "default":
        return None
    return Typed(pc.match_substring_regex(cells, GEOPOINT))


READERS = {
    "string": _string, "any": _any, "integer": _integer, "number": _number,
    "boolean": _boolean, "date": _temporal(iso_dates), "datetime": _temporal(iso_datetimes),
    "time": _temporal(iso_times), "year": _year, "yearmonth": _yearmonth,
    "duration": _duration, "geopoint": _geopoint,
    # geojson, object, array: JSON, read by frictionless value by value (see judge)
}
