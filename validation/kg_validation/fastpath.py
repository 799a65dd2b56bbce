"""Vectorised (pyarrow) validation of a canonical CSV, same answer as frictionless.

The file is read in record batches, all columns as text. For every cell a
*conservative* vectorised test decides whether it is certainly valid (for
example an integer cell matching ``-?[0-9]{1,18}``). Rows with any cell that
is not certainly valid (type, ``required``, range, the ``kg-*`` checks, blank
rows) are *suspects*: frictionless validates just those rows, row by row, and
its errors are moved back to their row numbers. ``unique`` and single-field
``primaryKey`` are computed over the whole column with the same rules as
frictionless (nulls skipped; an empty key is an error; each repeat points
at the previous occurrence).

Anything this path does not model exactly (header not equal to the schema,
ragged rows, foreign keys, other types or constraints, custom missing
values, composite keys, a suspect cell inside a unique column) returns
``None``, and the caller runs frictionless on the whole file instead.
"""

from __future__ import annotations

import csv
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import frictionless
import pyarrow as pa
import pyarrow.compute as pc
from frictionless import errors as ferrors
from pyarrow import csv as pacsv

from .checks import kg_inn, kg_mixed_script, kg_phone, kg_region_code
from .codelist import admin_divisions

BLOCK_SIZE = 1 << 22
MAX_SUSPECTS = 50_000  # beyond this, frictionless (which stops at the error limit) is cheaper
SUPPORTED_TYPES = {"string", "integer", "number", "date"}
SUPPORTED_CONSTRAINTS = {"required", "unique", "minimum", "maximum", "minLength", "maxLength", "enum"}
FIELD_KEYS = {"name", "type", "format", "constraints", "title", "description", "example"}
SCHEMA_KEYS = {"fields", "primaryKey", "missingValues"}
CERTAIN = {
    "integer": r"^-?[0-9]{1,18}$",
    "number": r"^-?[1-9][0-9]*(\.[0-9]+)?$|^0(\.[0-9]+)?$",
    "date": r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$",
}
CYRILLIC_AND_LATIN = r"[\x{0400}-\x{04FF}].*[AaBCcEeHIiJjKMOoPpSsTXxYy\x{0275}\x{019F}]|" \
    r"[AaBCcEeHIiJjKMOoPpSsTXxYy\x{0275}\x{019F}].*[\x{0400}-\x{04FF}]"


class NotModelled(Exception):
    """The fast path cannot give frictionless's exact answer for this input."""


@dataclass
class _Keys:
    """Values of one unique (or primary key) column, in row order."""

    name: str
    number: int
    primary: bool = False
    values: list[pa.Array] = field(default_factory=list)


def fast_report(
    canonical: Path, descriptor: dict, checks: list, error_limit: int
) -> frictionless.Report | None:
    """A frictionless ``Report`` for ``canonical``, or ``None`` to fall back."""
    started = time.perf_counter()
    try:
        fields = _supported_fields(descriptor, checks)
        labels = _labels(canonical)
        if labels != [f["name"] for f in fields]:
            raise NotModelled("header differs from schema")
        suspects, keys = _scan(canonical, fields, descriptor, checks)
        described = _describe(canonical, labels, suspects, descriptor, checks)
        key_errors = _key_errors(keys)
    except NotModelled:
        return None
    errors = _merge(described, key_errors)
    warnings = []
    if error_limit and len(errors) >= error_limit:
        errors, warnings = errors[:error_limit], [f"reached error limit: {error_limit}"]
    resource = frictionless.Resource(path=canonical.name, basepath=str(canonical.parent))
    return frictionless.Report.from_validation_task(
        resource, time=round(time.perf_counter() - started, 3),
        labels=labels, errors=errors, warnings=warnings,
    )


def _supported_fields(descriptor: dict, checks: list) -> list[dict]:
    if set(descriptor) - SCHEMA_KEYS or descriptor.get("missingValues", [""]) != [""]:
        raise NotModelled("schema options")
    fields = descriptor["fields"]
    for item in fields:
        if set(item) - FIELD_KEYS or item.get("type", "string") not in SUPPORTED_TYPES:
            raise NotModelled(f"field {item['name']}")
        if item.get("format", "default") != "default":
            raise NotModelled("format")
        if set(item.get("constraints", {})) - SUPPORTED_CONSTRAINTS:
            raise NotModelled("constraints")
    if len(descriptor.get("primaryKey") or []) > 1:
        raise NotModelled("composite primary key")
    names = {item["name"] for item in fields}
    for check in checks:
        for name in [getattr(check, "field_name", None)] + list(getattr(check, "field_names", None) or []):
            if name and name not in names:
                raise NotModelled("check on a missing field")
    return fields


def _labels(canonical: Path) -> list[str]:
    with canonical.open(encoding="utf-8", newline="") as handle:
        return next(csv.reader(handle), [])


def _scan(canonical, fields, descriptor, checks):
    """Suspect row numbers (with their cells) and the unique-column values."""
    keys = _key_columns(fields, descriptor)
    suspects: dict[int, list[str]] = {}
    invalid_rows: list[int] = []
    names = [f"c{index}" for index in range(len(fields))]
    reader = pacsv.open_csv(
        canonical,
        read_options=pacsv.ReadOptions(column_names=names, skip_rows=1, block_size=BLOCK_SIZE,
                                       use_threads=True),
        parse_options=pacsv.ParseOptions(newlines_in_values=True, ignore_empty_lines=False,
                                         invalid_row_handler=_recorder(invalid_rows)),
        convert_options=pacsv.ConvertOptions(
            column_types={name: pa.string() for name in names},
            strings_can_be_null=False, quoted_strings_can_be_null=False),
    )
    first_row = 2
    for batch in reader:
        suspect = _suspect_mask(batch, fields, checks, keys)
        indices = pc.indices_nonzero(suspect)
        if len(suspects) + len(indices) > MAX_SUSPECTS:
            raise NotModelled("too many suspect rows")
        for index, cells in zip(indices.to_pylist(), _rows(batch.take(indices))):
            suspects[first_row + index] = cells
        for key in keys:
            column = batch.column(key.number - 1)
            key.values.append(_typed(column, fields[key.number - 1]))
        first_row += batch.num_rows
    if invalid_rows:
        raise NotModelled("ragged or blank rows")
    return suspects, keys


def _falses(count: int) -> pa.Array:
    return pa.repeat(pa.scalar(False), count)


def _rows(batch: pa.RecordBatch) -> list[list[str]]:
    columns = [column.to_pylist() for column in batch.columns]
    return [list(cells) for cells in zip(*columns)]


def _recorder(invalid_rows: list[int]):
    """pyarrow hands over rows of the wrong width; note them and skip."""

    def handler(row) -> str:
        invalid_rows.append(row.number or 0)
        return "skip"

    return handler


def _key_columns(fields: list[dict], descriptor: dict) -> list[_Keys]:
    primary = (descriptor.get("primaryKey") or [None])[0]
    keys = []
    for number, item in enumerate(fields, start=1):
        if item.get("constraints", {}).get("unique"):
            keys.append(_Keys(item["name"], number))
        if item["name"] == primary:
            keys.append(_Keys(item["name"], number, primary=True))
    return keys


def _suspect_mask(batch: pa.RecordBatch, fields, checks, keys) -> pa.Array:
    suspect = _all([pc.equal(column, "") for column in batch.columns])  # blank rows
    for number, (item, column) in enumerate(zip(fields, batch.columns), start=1):
        uncertain = _uncertain_cells(column, item)
        if any(key.number == number for key in keys) and pc.any(uncertain).as_py():
            raise NotModelled("uncertain cell in a unique column")
        suspect = pc.or_(suspect, uncertain)
    for check in checks:
        suspect = pc.or_(suspect, _check_suspects(check, batch, fields))
    return suspect


def _all(masks: list[pa.Array]) -> pa.Array:
    result = masks[0]
    for mask in masks[1:]:
        result = pc.and_(result, mask)
    return result


def _uncertain_cells(column: pa.Array, item: dict) -> pa.Array:
    """Cells that may hold a type or constraint error (a superset of them)."""
    constraints = item.get("constraints", {})
    empty = pc.equal(column, "")
    kind = item.get("type", "string")
    uncertain = pc.and_(empty, pa.scalar(bool(constraints.get("required"))))
    if kind in CERTAIN:
        wrong = pc.invert(_certainly_typed(column, kind))
        uncertain = pc.or_(uncertain, pc.and_(pc.invert(empty), wrong))
    broken = _constraint_suspects(column, item, uncertain)
    return pc.or_(uncertain, pc.and_(pc.invert(empty), broken))


def _certainly_typed(column: pa.Array, kind: str) -> pa.Array:
    """Cells matching ``CERTAIN[kind]`` (and, for dates, real calendar dates)."""
    if kind == "integer":  # plain digits first: cheaper than the regular expression
        digits = pc.and_(pc.ascii_is_decimal(column), pc.less_equal(pc.binary_length(column), 18))
        if pc.all(digits).as_py() is not False:
            return digits
        return pc.or_(digits, pc.match_substring_regex(column, CERTAIN[kind]))
    shaped = pc.match_substring_regex(column, CERTAIN[kind])
    if kind == "date":
        return pc.and_(shaped, pc.invert(_not_a_calendar_date(column, shaped)))
    return shaped


def _not_a_calendar_date(column: pa.Array, shaped: pa.Array) -> pa.Array:
    """True where a ``YYYY-MM-DD`` text (``shaped``) is not a date Python accepts.

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


def _constraint_suspects(column: pa.Array, item: dict, uncertain: pa.Array) -> pa.Array:
    """Cells that may break minimum/maximum, length or enum constraints."""
    constraints = item.get("constraints", {})
    kind = item.get("type", "string")
    broken = _falses(len(column))
    if "minimum" in constraints or "maximum" in constraints:
        if kind not in ("integer", "number"):
            return pc.invert(broken)
        values = _typed(pc.if_else(uncertain, pa.scalar("0"), column), item)
        if "minimum" in constraints:
            broken = pc.or_(broken, pc.fill_null(pc.less(values, constraints["minimum"]), False))
        if "maximum" in constraints:
            broken = pc.or_(broken, pc.fill_null(pc.greater(values, constraints["maximum"]), False))
    if "minLength" in constraints or "maxLength" in constraints:
        if kind != "string":
            return pc.invert(broken)
        length = pc.utf8_length(column)
        broken = pc.or_(broken, pc.less(length, constraints.get("minLength", 0)))
        if "maxLength" in constraints:
            broken = pc.or_(broken, pc.greater(length, constraints["maxLength"]))
    if "enum" in constraints:
        if kind != "string":
            return pc.invert(broken)
        broken = pc.or_(broken, pc.invert(pc.is_in(column, pa.array(constraints["enum"], pa.string()))))
    return broken


def _check_suspects(check, batch: pa.RecordBatch, fields: list[dict]) -> pa.Array:
    names = [item["name"] for item in fields]

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


def _mixed_scripts(column: pa.Array) -> pa.Array:
    """Cells holding a Cyrillic letter and a Latin look-alike: an ASCII column
    has none, and a column of few distinct values is tested value by value."""
    if pc.all(pc.string_is_ascii(column)).as_py() is not False:
        return _falses(len(column))
    encoded = pc.dictionary_encode(column)
    if len(encoded.dictionary) * 4 > len(column):
        return pc.match_substring_regex(column, CYRILLIC_AND_LATIN)
    return pc.take(pc.match_substring_regex(encoded.dictionary, CYRILLIC_AND_LATIN), encoded.indices)


def _any(masks: list[pa.Array]) -> pa.Array:
    result = masks[0]
    for mask in masks[1:]:
        result = pc.or_(result, mask)
    return result


def _typed(column: pa.Array, item: dict) -> pa.Array:
    """Values as frictionless compares them; empty cells become null."""
    column = pc.if_else(pc.equal(column, ""), pa.scalar(None, pa.string()), column)
    kind = item.get("type", "string")
    if kind == "integer":
        return pc.cast(column, pa.int64())
    if kind == "number":
        return pc.cast(column, pa.float64())
    if kind == "date":
        return pc.strptime(column, "%Y-%m-%d", "s")
    return column


def _describe(canonical, labels, suspects, descriptor, checks) -> dict[int, list]:
    """Frictionless errors of the suspect rows only, keyed by real row number."""
    if not suspects:
        return {}
    numbers = sorted(suspects)
    with tempfile.TemporaryDirectory(prefix="kg-fast-") as workdir:
        mini = Path(workdir) / "suspects.csv"
        with mini.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(labels)
            writer.writerows(suspects[number] for number in numbers)
        resource = frictionless.Resource(
            path=mini.name, basepath=workdir, format="csv",
            control=frictionless.formats.CsvControl(delimiter=","),
            schema=frictionless.Schema.from_descriptor(_row_local(descriptor)),
        )
        report = frictionless.validate(resource, checks=checks)
    described: dict[int, list] = {}
    for error in report.tasks[0].errors:
        if not getattr(error, "row_number", None):
            raise NotModelled(f"table-level error {error.type}")
        error.row_number = numbers[error.row_number - 2]
        described.setdefault(error.row_number, []).append(error)
    return described


def _row_local(descriptor: dict) -> dict:
    """The schema without cross-row rules (unique, primaryKey)."""
    fields = []
    for item in descriptor["fields"]:
        item = dict(item)
        constraints = {k: v for k, v in item.get("constraints", {}).items() if k != "unique"}
        item.pop("constraints", None)
        if constraints:
            item["constraints"] = constraints
        fields.append(item)
    return {"fields": fields}


def _key_errors(keys: list[_Keys]) -> dict[int, list]:
    """unique-error and primary-key errors, as frictionless emits them.

    Every row of the file is in ``values`` (ragged rows fall back), so the
    row number of position ``i`` is ``i + 2``.
    """
    found: dict[int, list] = {}
    for key in keys:
        values = pa.chunked_array(key.values) if key.values else pa.chunked_array([], pa.int64())
        key.values = []
        if key.primary:
            for index in pc.indices_nonzero(pc.is_null(values)).to_pylist():
                note = 'cells composing the primary keys are all "None"'
                found.setdefault(index + 2, []).append((2, key, note))
        for row, previous in _repeats(values):
            note = f"the same as in the row at position {previous}"
            found.setdefault(row, []).append((2 if key.primary else 1, key, note))
    return found


def _repeats(values: pa.ChunkedArray) -> list[tuple[int, int]]:
    """(row, previous row with the same value) for every repeated non-null value."""
    present = len(values) - values.null_count
    if present < 2:
        return []
    if not values.null_count and pc.all(
        pc.greater(values.slice(1), values.slice(0, len(values) - 1))
    ).as_py():
        return []  # strictly increasing (an ordered key): no value repeats
    order = pc.sort_indices(values).slice(0, present)  # a stable sort, nulls last
    ordered = values.take(order)
    same = pc.equal(ordered.slice(1), ordered.slice(0, present - 1))
    later = pc.add(pc.filter(order.slice(1), same), 2).to_pylist()
    earlier = pc.add(pc.filter(order.slice(0, present - 1), same), 2).to_pylist()
    return list(zip(later, earlier))


def _merge(described: dict[int, list], key_errors: dict[int, list]) -> list:
    """Order errors as frictionless does: baseline, unique, primary key, checks."""
    merged = []
    for row in sorted(set(described) | set(key_errors)):
        own = described.get(row, [])
        merged.extend(error for error in own if not error.type.startswith("kg-"))
        for rank, key, note in sorted(key_errors.get(row, []), key=lambda item: (item[0], item[1].number)):
            merged.append(_key_error(row, key, note))
        merged.extend(error for error in own if error.type.startswith("kg-"))
    return merged


def _key_error(row: int, key: _Keys, note: str):
    if key.primary:
        return ferrors.PrimaryKeyError(note=note, cells=[], row_number=row)
    return ferrors.UniqueError(note=note, cells=[], row_number=row, cell="",
                               field_name=key.name, field_number=key.number)
