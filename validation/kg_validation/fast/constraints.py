"""Table Schema constraints, vectorised over the values :mod:`.certain` read.

Like the type tests, each answer is conservative: a cell marked as passing
passes frictionless's check; any other cell is judged by frictionless's own
reader. ``required`` (missing values) and ``unique`` are handled by the
caller; every other constraint of the Table Schema is here.
"""

from __future__ import annotations

import datetime
import decimal

import frictionless
import pyarrow as pa
import pyarrow.compute as pc

from .certain import Typed
from .patterns import translate

BOUNDS = {"minimum": pc.greater_equal, "exclusiveMinimum": pc.greater,
          "maximum": pc.less_equal, "exclusiveMaximum": pc.less}
STRICT = {"minimum": pc.greater, "exclusiveMinimum": pc.greater,
          "maximum": pc.less, "exclusiveMaximum": pc.less}
ORDERED = {"integer", "number", "date", "datetime", "time", "year", "yearmonth"}
ENUM_TYPES = ORDERED | {"string", "any", "boolean"}


def passing(field: frictionless.Field, cells: pa.Array, typed: Typed) -> pa.Array:
    """Cells certainly of the type and within every constraint of ``field``."""
    ok = typed.ok
    read = field.create_value_reader()
    for name, constraint in field.constraints.items():
        if name in ("required", "unique"):
            continue
        if name in BOUNDS:
            ok = pc.and_(ok, _within(field, typed, name, read(constraint)))
        elif name in ("minLength", "maxLength") and field.type == "string":
            ok = pc.and_(ok, _length(cells, name, constraint))
        elif name == "pattern" and field.type == "string":
            ok = pc.and_(ok, _matching(cells, constraint))
        elif name == "enum" and field.type in ENUM_TYPES and typed.key_maker is not None:
            ok = pc.and_(ok, _listed(field, typed, [read(item) for item in constraint]))
        else:
            return pc.and_(ok, False)
    return ok


def _within(field, typed: Typed, name: str, bound) -> pa.Array:
    """The bound compared exactly; for numbers (compared as floats, which round)
    strictly, so a value equal to the bound as a float goes to frictionless."""
    scalar = comparable(field, bound)
    if field.type not in ORDERED or scalar is None or typed.values is None:
        return pc.and_(typed.ok, False)
    compare = STRICT[name] if field.type == "number" else BOUNDS[name]
    return compare(typed.values, scalar)


def comparable(field, value):
    """A Python value of ``field``'s type as an Arrow scalar of its vectorised values."""
    if value is None or isinstance(value, bool):
        return None
    kind = field.type
    if kind in ("integer", "year") and isinstance(value, int):
        return pa.scalar(value, pa.int64()) if -2**63 <= value < 2**63 else None
    if kind == "number" and isinstance(value, (int, float, decimal.Decimal)) and value == value:
        return pa.scalar(float(value), pa.float64())
    if kind == "date" and isinstance(value, datetime.date):
        return pa.scalar(value, pa.date32())
    if kind == "datetime" and isinstance(value, datetime.datetime) and value.tzinfo is None:
        return pa.scalar(value, pa.timestamp("us"))
    if kind == "time" and isinstance(value, datetime.time) and value.tzinfo is None:
        return pa.scalar(microseconds(value), pa.int64())
    if kind == "yearmonth" and isinstance(value, tuple):
        return pa.scalar(value[0] * 12 + value[1], pa.int64())
    return None


def microseconds(value: datetime.time) -> int:
    return ((value.hour * 60 + value.minute) * 60 + value.second) * 1_000_000 + value.microsecond


def _length(cells: pa.Array, name: str, limit: int) -> pa.Array:
    length = pc.utf8_length(cells)
    return pc.greater_equal(length, limit) if name == "minLength" else pc.less_equal(length, limit)


def _matching(cells: pa.Array, pattern: str) -> pa.Array:
    twin = translate(pattern)
    if twin is None:
        return pc.and_(pc.equal(cells, cells), False)
    matched = pc.match_substring_regex(cells, twin.re2)
    return pc.and_(matched, pc.string_is_ascii(cells)) if twin.ascii_only else matched


def _listed(field, typed: Typed, items: list) -> pa.Array:
    from .judge import python_key  # the same keys as the Python path

    keys = [python_key(field, item) for item in items if item is not None]
    keys = [key for key in keys if key is not None]
    if not keys:
        return pc.and_(typed.ok, False)
    try:
        return pc.is_in(typed.keys, pa.array(keys, typed.keys.type))
    except (pa.ArrowInvalid, pa.ArrowTypeError, OverflowError):
        return pc.and_(typed.ok, False)
