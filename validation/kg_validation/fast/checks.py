"""The portal's own checks (``kg-*``), vectorised: rows they may reject.

Each test marks a superset of the rows the frictionless check rejects;
frictionless describes those rows (see :mod:`.describe`).
"""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc

from ..checks import kg_inn, kg_mixed_script, kg_phone, kg_region_code
from ..codelist import admin_divisions
from .judge import NotModelled

CYRILLIC_AND_LATIN = r"[\x{0400}-\x{04FF}].*[AaBCcEeHIiJjKMOoPpSsTXxYy\x{0275}\x{019F}]|" \
    r"[AaBCcEeHIiJjKMOoPpSsTXxYy\x{0275}\x{019F}].*[\x{0400}-\x{04FF}]"


def check_suspects(check, batch: pa.RecordBatch, names: list[str]) -> pa.Array:
    def column(name: str) -> pa.Array:
        return batch.column(names.index(name))

    if isinstance(check, kg_region_code):
        cells = pc.utf8_trim_whitespace(column(check.field_name))
        codes = pa.array(sorted(admin_divisions()))
        return pc.and_(pc.not_equal(cells, ""), pc.invert(pc.is_in(cells, codes)))
    if isinstance(check, kg_inn):
        return pc.invert(pc.match_substring_regex(column(check.field_name), r"^([0-9]{14})?$"))
    if isinstance(check, kg_phone):
        return pc.invert(pc.match_substring_regex(column(check.field_name), r"^(\+996[0-9]{9})?$"))
    if isinstance(check, kg_mixed_script):
        return _any([_mixed_scripts(column(name)) for name in (check.field_names or names)])
    raise NotModelled(f"check {check.type}")


def checked_fields(checks: list) -> list[str]:
    names = []
    for check in checks:
        names += [getattr(check, "field_name", None)] + list(getattr(check, "field_names", None) or [])
    return [name for name in names if name]


def _mixed_scripts(column: pa.Array) -> pa.Array:
    """Cells holding a Cyrillic letter and a Latin look-alike: an ASCII column
    has none, and a column of few distinct values is tested value by value."""
    if pc.all(pc.string_is_ascii(column)).as_py() is not False:
        return pa.repeat(pa.scalar(False), len(column))
    encoded = pc.dictionary_encode(column)
    if len(encoded.dictionary) * 4 > len(column):
        return pc.match_substring_regex(column, CYRILLIC_AND_LATIN)
    return pc.take(pc.match_substring_regex(encoded.dictionary, CYRILLIC_AND_LATIN), encoded.indices)


def _any(masks: list[pa.Array]) -> pa.Array:
    result = masks[0]
    for mask in masks[1:]:
        result = pc.or_(result, mask)
    return result
