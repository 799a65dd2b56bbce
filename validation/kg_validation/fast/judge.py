"""Judge one column of a batch: missing, certainly valid, or frictionless's say.

Every cell is judged exactly as frictionless's row-by-row reader would:
missing values first, then the vectorised type and constraint tests of
:mod:`.certain` and :mod:`.constraints`; a cell those do not settle is read
by frictionless's own cell reader, once per distinct text (a cache spans
the batches). Only rows holding a cell that reader rejects become
*suspects*, described later by frictionless itself.
"""

from __future__ import annotations

import datetime
import decimal
from dataclasses import dataclass

import frictionless
import pyarrow as pa
import pyarrow.compute as pc

from .certain import Typed, typed
from .constraints import microseconds, passing

CACHE_LIMIT = 200_000


class NotModelled(Exception):
    """The fast path cannot give frictionless's exact answer for this input."""


@dataclass
class Judged:
    bad: pa.Array  # a type or constraint error (required included)
    missing: pa.Array  # a missing value (for blank rows and keys)
    keys: pa.Array | None = None  # values as Python compares them; null when missing or invalid
    reading: Typed | None = None  # the vectorised reading of the cells (for the rows for COPY)


class ColumnJudge:
    """Judges the cells of one field, batch after batch."""

    def __init__(self, field: frictionless.Field, keyed: bool = False) -> None:
        self.field = field
        self.keyed = keyed
        self.read_cell = field.create_cell_reader()
        self.missing_values = pa.array(missing_values(field), pa.string())
        self.required = bool(field.constraints.get("required"))
        self.cache: dict[str, tuple[bool, object]] = {}
        self.read_in_python = 0  # distinct texts frictionless's reader judged

    def judge(self, cells: pa.Array) -> Judged:
        missing = pc.is_in(cells, self.missing_values)
        reading = typed(self.field, cells)
        certain = pc.and_(pc.invert(missing), passing(self.field, cells, reading))
        if self.keyed and reading.key_maker is None:  # no vectorised keys: Python reads them all
            certain = pc.and_(certain, False)
        rest = pc.invert(pc.or_(missing, certain))
        bad = pc.and_(missing, self.required)
        keys = None
        if pc.any(rest).as_py():
            verdicts, python_keys = self._read_rest(cells, rest)
            bad = pc.or_(bad, pc.and_(rest, verdicts))
            if self.keyed:
                keys = self._keys(reading, certain, python_keys)
        elif self.keyed:
            keys = self._keys(reading, certain, None)
        return Judged(bad, missing, keys, reading)

    def _read_rest(self, cells: pa.Array, rest: pa.Array) -> tuple[pa.Array, pa.Array]:
        """frictionless's verdict on the unsettled cells, one call per distinct text."""
        distinct = pc.unique(pc.filter(cells, rest))
        verdicts, keys = [], []
        for text in distinct.to_pylist():
            if text not in self.cache:
                value, notes = self.read_cell(text)
                key = python_key(self.field, value) if self.keyed else None
                if self.keyed and key is None and value is not None:
                    raise NotModelled(f"values of {self.field.type} compared in a key")
                if len(self.cache) < CACHE_LIMIT:
                    self.cache[text] = (bool(notes), key)
                self.read_in_python += 1
                verdict = (bool(notes), key)
            else:
                verdict = self.cache[text]
            verdicts.append(verdict[0])
            keys.append(verdict[1])
        index = pc.index_in(cells, distinct)
        verdict_array = pc.fill_null(pc.take(pa.array(verdicts, pa.bool_()), index), False)
        return verdict_array, pc.take(self._key_array(keys), index)

    def _key_array(self, keys: list) -> pa.Array:
        kind = key_type(self.field)
        try:
            return pa.array(keys, kind)
        except (pa.ArrowInvalid, pa.ArrowTypeError, OverflowError):
            raise NotModelled(f"{self.field.type} key values beyond the vectorised type")

    def _keys(self, reading: Typed, certain: pa.Array, python_keys) -> pa.Array:
        kind = key_type(self.field)
        nulls = pa.nulls(len(certain), kind)
        vectorised = pc.cast(reading.keys, kind) if reading.keys is not None else nulls
        keys = pc.if_else(certain, vectorised, python_keys if python_keys is not None else nulls)
        return keys


def missing_values(field: frictionless.Field) -> list[str]:
    """The texts read as missing in ``field`` (its own list, else the schema's)."""
    if field.has_defined("missing_values") or not field.schema:
        return list(field.missing_values)
    return list(field.schema.missing_values)


KEY_TYPES = {"integer": pa.int64(), "year": pa.int64(), "yearmonth": pa.int64(),
             "boolean": pa.bool_(), "date": pa.date32(), "datetime": pa.timestamp("us"),
             "time": pa.int64()}


def key_type(field: frictionless.Field) -> pa.DataType:
    if field.type == "number" and field.float_number:
        return pa.float64()
    return KEY_TYPES.get(field.type, pa.string())


def python_key(field: frictionless.Field, value):
    """``value`` (as frictionless read it) as the vectorised keys hold it, or ``None``."""
    if value is None:
        return None
    return PYTHON_KEYS.get(field.type, _no_key)(field, value)


def _no_key(field, value):
    return None  # geojson, object, array: not hashable, frictionless cannot compare them


def _integer_key(field, value):
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _instance_key(kind):
    return lambda field, value: value if isinstance(value, kind) else None


def _number_key(field, value):
    if isinstance(value, bool):
        return None
    if field.float_number:
        return float(value)
    value = decimal.Decimal(value)
    if not value.is_finite():
        return None if value.is_nan() else str(value)
    return _decimal_text(value)


def _decimal_text(value: decimal.Decimal) -> str:
    text = format(value.normalize(), "f")
    return "0" if text == "-0" else text


def _time_key(field, value):
    if getattr(value, "tzinfo", None) is not None:
        return None  # aware and naive values never compare equal: not modelled
    return microseconds(value) if isinstance(value, datetime.time) else None


def _datetime_key(field, value):
    if getattr(value, "tzinfo", None) is not None:
        return None
    return value if isinstance(value, datetime.datetime) else None


def _geopoint_key(field, value) -> str:
    return ",".join(_decimal_text(decimal.Decimal(part)) for part in value)


def _duration_key(field, value) -> str | None:
    if isinstance(value, datetime.timedelta):
        return f"{value.days}:{value.seconds}:{value.microseconds}"
    years, months = getattr(value, "years", 0), getattr(value, "months", 0)
    delta = getattr(value, "tdelta", None)
    if delta is None:
        return None
    if not years and not months:
        return _duration_key(field, delta)
    return f"{years}y{months}m{_duration_key(field, delta)}"


PYTHON_KEYS = {
    "integer": _integer_key, "year": _integer_key, "number": _number_key,
    "boolean": _instance_key(bool), "date": _instance_key(datetime.date),
    "datetime": _datetime_key, "time": _time_key,
    "yearmonth": lambda field, value: value[0] * 12 + value[1],
    "string": _instance_key(str), "any": _instance_key(str),
    "duration": _duration_key, "geopoint": _geopoint_key,
}
