"""``unique``, ``primaryKey`` and self-referencing ``foreignKeys``, vectorised.

The same rules as frictionless's row stream: a unique column skips nulls
and each repeat points at the previous occurrence; a primary key whose
cells are all null is an error, otherwise its tuple must not repeat; a
foreign key whose cells are not all null must be among the referenced
fields' tuples (all rows, nulls kept). Values are compared as Python
compares frictionless's values (the judges' keys). Row numbers are
positions plus two (the header is row 1; ragged files do not get here).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pyarrow as pa
import pyarrow.compute as pc
from frictionless import errors as ferrors

from .judge import NotModelled

NULL_MARK, SEPARATOR = "\x00", "\x1f"
RANK = {"unique": 1, "primary": 2, "foreign": 3}


@dataclass
class Key:
    """One rule over one or more columns (1-based numbers), its values in row order."""

    kind: str  # unique, primary or foreign
    names: list[str]
    numbers: list[int]
    reference: list[int] = field(default_factory=list)  # foreign: the referenced columns
    reference_names: list[str] = field(default_factory=list)
    values: list[pa.Array] = field(default_factory=list)
    targets: list[pa.Array] = field(default_factory=list)
    cells: list[pa.Array] = field(default_factory=list)  # unique, foreign: raw text, for the error

    def collect(self, keys: list[pa.Array | None], batch: pa.RecordBatch) -> None:
        own = [keys[number - 1] for number in self.numbers]
        self.values.append(own[0] if len(own) == 1 and self.kind != "foreign" else _joined(own))
        if self.kind == "foreign":
            self.targets.append(_joined([keys[number - 1] for number in self.reference]))
            self.cells.append(_joined([batch.column(number - 1) for number in self.numbers], ", "))
        elif self.kind == "unique":
            self.cells.append(batch.column(self.numbers[0] - 1))


def key_rules(schema, fields) -> list[Key]:
    names = [item.name for item in fields]
    rules = [Key("unique", [item.name], [number]) for number, item in enumerate(fields, 1)
             if item.constraints.get("unique")]
    if schema.primary_key:
        rules.append(Key("primary", list(schema.primary_key),
                         [names.index(name) + 1 for name in schema.primary_key]))
    for foreign in schema.foreign_keys:
        reference = foreign["reference"]
        if reference.get("resource"):
            raise NotModelled("foreign key to another resource")
        own = [names.index(name) + 1 for name in foreign["fields"]]
        referenced = [names.index(name) + 1 for name in reference["fields"]]
        if [fields[n - 1].type for n in own] != [fields[n - 1].type for n in referenced]:
            raise NotModelled("foreign key between fields of different types")
        rules.append(Key("foreign", list(foreign["fields"]), own, referenced,
                         list(reference["fields"])))
    return rules


def keyed_numbers(rules: list[Key]) -> set[int]:
    return {number for rule in rules for number in rule.numbers + rule.reference}


def _joined(columns: list[pa.Array], separator: str = SEPARATOR) -> pa.Array:
    """One text per row for a tuple of columns; nulls marked, so they compare equal."""
    texts = [pc.fill_null(pc.cast(column, pa.string()), NULL_MARK) for column in columns]
    return pc.binary_join_element_wise(*texts, separator) if len(texts) > 1 else texts[0]


def key_errors(rules: list[Key], fields) -> dict[int, list]:
    """Row number -> [(rank, field number, error)], as frictionless would add them."""
    found: dict[int, list] = {}
    for rule in rules:
        values = _chunked(rule.values)
        rule.values = []
        for row, error in _rule_errors(rule, values, fields):
            found.setdefault(row, []).append((RANK[rule.kind], rule.numbers[0], error))
    return found


def _chunked(arrays: list[pa.Array]) -> pa.ChunkedArray:
    return pa.chunked_array(arrays) if arrays else pa.chunked_array([], pa.string())


def _rule_errors(rule: Key, values: pa.ChunkedArray, fields):
    if rule.kind == "foreign":
        yield from _foreign_errors(rule, values)
        return
    if rule.kind == "primary":
        empty = pc.is_null(values) if len(rule.numbers) == 1 else pc.equal(
            values, SEPARATOR.join([NULL_MARK] * len(rule.numbers)))
        for index in pc.indices_nonzero(empty).to_pylist():
            note = 'cells composing the primary keys are all "None"'
            yield index + 2, ferrors.PrimaryKeyError(note=note, cells=[], row_number=index + 2)
        values = pc.if_else(empty, pa.scalar(None, values.type), values)
    found = repeats(values)
    if rule.kind == "unique" and found:
        cells, read = _chunked(rule.cells), fields[rule.numbers[0] - 1].create_cell_reader()
    for row, previous in found:
        note = f"the same as in the row at position {previous}"
        if rule.kind == "primary":
            yield row, ferrors.PrimaryKeyError(note=note, cells=[], row_number=row)
        else:
            cell = str(read(cells[row - 2].as_py())[0])  # frictionless shows the value read
            yield row, ferrors.UniqueError(note=note, cells=[], row_number=row, cell=cell,
                                           field_name=rule.names[0], field_number=rule.numbers[0])
    rule.cells = []


def repeats(values) -> list[tuple[int, int]]:
    """(row, previous row with the same value) for every repeated non-null value."""
    values = values.combine_chunks() if isinstance(values, pa.ChunkedArray) else values
    present = len(values) - values.null_count
    if present < 2:
        return []
    if not values.null_count and values.type != pa.bool_() and pc.all(
        pc.greater(values.slice(1), values.slice(0, len(values) - 1))
    ).as_py():
        return []  # strictly increasing (an ordered key): no value repeats
    order = pc.sort_indices(values).slice(0, present)  # a stable sort, nulls last
    ordered = values.take(order)
    same = pc.equal(ordered.slice(1), ordered.slice(0, present - 1))
    later = pc.add(pc.filter(order.slice(1), same), 2).to_pylist()
    earlier = pc.add(pc.filter(order.slice(0, present - 1), same), 2).to_pylist()
    return list(zip(later, earlier))


def _foreign_errors(rule: Key, values: pa.ChunkedArray):
    targets = _chunked(rule.targets).combine_chunks()
    cells = _chunked(rule.cells)
    rule.targets, rule.cells = [], []
    all_null = SEPARATOR.join([NULL_MARK] * len(rule.numbers))
    lookup = pc.filter(targets, pc.not_equal(targets, all_null))
    missing = pc.and_(pc.not_equal(values, all_null), pc.invert(pc.is_in(values, lookup)))
    for index in pc.indices_nonzero(missing).to_pylist():
        shown = cells[index].as_py()
        note = (f'for "{", ".join(rule.names)}": values "{shown}" not found in the lookup '
                f'table "" as "{", ".join(rule.reference_names)}"')
        yield index + 2, ferrors.ForeignKeyError(
            note=note, cells=[], row_number=index + 2, field_names=rule.names,
            field_values=shown.split(", "), reference_name="",
            reference_field_names=rule.reference_names)
