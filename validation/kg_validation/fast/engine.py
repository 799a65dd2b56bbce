"""The fast path's entry point: judge every column vectorised, batch by batch.

The canonical CSV is read by pyarrow in record batches, every column as
text. Each column's :class:`~.judge.ColumnJudge` marks the cells with an
error (vectorised, or by frictionless's own reader once per distinct
text); the ``kg-*`` checks mark the rows they may reject; keys are
collected for :mod:`.keys`. frictionless then describes the suspect rows
only. What this path does not model (a header that is not the schema's,
ragged rows, a foreign key to another resource...) raises
:class:`~.judge.NotModelled`, and the caller validates row by row.
"""

from __future__ import annotations

import csv
import time
from dataclasses import dataclass, field
from pathlib import Path

import frictionless
import pyarrow as pa
import pyarrow.compute as pc
from pyarrow import csv as pacsv

from .checks import check_suspects, checked_fields
from .copy_rows import CopyBehind, CopyRows
from .describe import describe, merge, metadata_errors
from .judge import ColumnJudge, NotModelled
from .keys import key_errors, key_rules, keyed_numbers

BLOCK_SIZE = 1 << 21  # small blocks: pyarrow reads several ahead, and memory follows


@dataclass
class FastOutcome:
    """The report (``None``: validate row by row instead, for ``reason``) and,
    per column, how it was checked."""

    report: frictionless.Report | None
    columns: list[dict] = field(default_factory=list)
    reason: str = ""


def fast_report(canonical: Path, descriptor: dict, checks: list, error_limit: int,
                line_breaks_in_cells: bool = True, copy_rows: CopyRows | None = None,
                blocks=None) -> FastOutcome:
    """Validate ``canonical`` (a canonical CSV with a header row) like frictionless.

    Without ``line_breaks_in_cells`` (the normaliser saw none), pyarrow reads
    the file's blocks in parallel. ``copy_rows`` is given each batch's
    columns with the values read to judge them, so the rows for COPY are
    written in this same pass; it is ended if every row was read, else
    discarded (the caller discards it too if the table fails).
    ``blocks``: the rows as the normaliser writes ``canonical``, block by
    block (:func:`..normalise.canonical_blocks`, its header row written
    already), read from there instead of from the file."""
    started = time.perf_counter()
    schema = frictionless.Schema.from_descriptor(descriptor)
    judges: list[ColumnJudge] = []
    try:
        labels = _labels(canonical)
        if labels != schema.field_names:
            raise NotModelled("header differs from the schema")
        if set(checked_fields(checks)) - set(labels):
            raise NotModelled("check on a missing field")
        refused = metadata_errors(labels, descriptor, checks)
        if refused:
            return FastOutcome(_report(canonical, labels, refused, [], started),
                               _columns(schema, [ColumnJudge(item) for item in schema.fields]))
        rules = key_rules(schema, schema.fields)
        keyed = keyed_numbers(rules)
        judges = [ColumnJudge(item, number in keyed) for number, item in enumerate(schema.fields, 1)]
        suspects, more = _scan(canonical, schema, judges, rules, checks, labels, error_limit,
                               line_breaks_in_cells, copy_rows, blocks)
        described, last = describe(labels, suspects, descriptor, checks, error_limit)
        errors = merge(described, key_errors(rules, schema.fields))
        errors = _complete_part(errors, last or (max(suspects) if more else None), error_limit)
    except NotModelled as reason:
        return FastOutcome(None, _columns(schema, None), str(reason))
    warnings = []
    if error_limit and len(errors) >= error_limit:
        errors, warnings = errors[:error_limit], [f"reached error limit: {error_limit}"]
    return FastOutcome(_report(canonical, labels, errors, warnings, started), _columns(schema, judges))


def _report(canonical: Path, labels, errors, warnings, started: float) -> frictionless.Report:
    resource = frictionless.Resource(path=canonical.name, basepath=str(canonical.parent))
    return frictionless.Report.from_validation_task(
        resource, time=round(time.perf_counter() - started, 3),
        labels=labels, errors=errors, warnings=warnings,
    )


def _complete_part(errors: list, last_row: int | None, error_limit: int) -> list:
    """Errors up to ``last_row``, where suspect rows after it were not described;
    enough to fill the report, or the table is validated row by row."""
    if last_row is None:
        return errors
    errors = [error for error in errors if error.row_number <= last_row]
    if len(errors) < error_limit:
        raise NotModelled("more suspect rows than kept")
    return errors


def _columns(schema: frictionless.Schema, judges: list[ColumnJudge] | None) -> list[dict]:
    """Per column: vectorised, or row by row (the whole table fell back)."""
    columns = []
    for number, item in enumerate(schema.fields):
        column = {"name": item.name, "type": item.type, "format": item.format}
        if judges:
            column.update(path="vectorised", readInPython=judges[number].read_in_python)
        else:
            column.update(path="row-by-row")
        columns.append(column)
    return columns


def _labels(canonical: Path) -> list[str]:
    """The header row."""
    with canonical.open(encoding="utf-8", newline="") as handle:
        return next(csv.reader(handle), [])


def _scan(canonical, schema, judges, rules, checks, labels, error_limit, line_breaks_in_cells,
          copy_rows: CopyRows | None = None, blocks=None):
    """Suspect rows (number -> cells, the first ones only) and whether more were left out;
    the rows for COPY written meanwhile, by a thread of their own (``copy_rows``), ended
    only if every row was read."""
    copying = CopyBehind(copy_rows) if copy_rows is not None else _NoCopy()
    copying.begin(schema)
    try:
        suspects, more = _judge_batches(canonical, judges, rules, checks, labels, error_limit,
                                        line_breaks_in_cells, copying, blocks)
    except BaseException:
        copying.discard("validation stopped")
        raise
    copying.end()
    return suspects, more


class _NoCopy:
    """No rows for COPY asked for."""

    def begin(self, schema) -> None:
        pass

    def add(self, *columns) -> bool:
        return False

    def end(self) -> None:
        pass

    def discard(self, reason: str) -> None:
        pass


def _judge_batches(canonical, judges, rules, checks, labels, error_limit, line_breaks_in_cells,
                   copying, blocks=None):
    suspects: dict[int, list[str]] = {}
    keep = error_limit * 2 if error_limit else None
    more = False
    invalid_rows: list[int] = []
    first_row = 2
    if blocks is not None:
        batches = _handed_batches(blocks, len(labels), invalid_rows)
    else:
        batches = _batches(canonical, len(labels), invalid_rows, line_breaks_in_cells)
    for batch in batches:
        judged = [judge.judge(column) for judge, column in zip(judges, batch.columns)]
        copying.add(batch.columns, [item.reading for item in judged], [item.missing for item in judged])
        suspect = _any([item.bad for item in judged] + [_all([item.missing for item in judged])])
        for check in checks:
            suspect = pc.or_(suspect, check_suspects(check, batch, labels))
        indices = pc.indices_nonzero(suspect)
        if keep is not None and len(suspects) + len(indices) > keep:
            more = True
            indices = indices.slice(0, max(keep - len(suspects), 0))
        for index, cells in zip(indices.to_pylist(), _rows(batch.take(indices))):
            suspects[first_row + index] = cells
        keys = [item.keys for item in judged]
        for rule in rules:
            rule.collect(keys, batch)
        first_row += batch.num_rows
    if invalid_rows:
        raise NotModelled("ragged or blank rows")
    return suspects, more


def _batches(canonical, width: int, invalid_rows: list[int], line_breaks_in_cells: bool):
    """The rows of ``canonical`` in batches, every column as text; read by
    several threads where no cell holds a line break."""
    names = [f"c{index}" for index in range(width)]
    return pacsv.open_csv(
        canonical,
        read_options=pacsv.ReadOptions(
            column_names=names, skip_rows=1, block_size=BLOCK_SIZE,
            use_threads=not line_breaks_in_cells),
        parse_options=pacsv.ParseOptions(newlines_in_values=line_breaks_in_cells,
                                         ignore_empty_lines=False,
                                         invalid_row_handler=_recorder(invalid_rows)),
        convert_options=pacsv.ConvertOptions(
            column_types={name: pa.string() for name in names},
            strings_can_be_null=False, quoted_strings_can_be_null=False),
    )


def _handed_batches(blocks, width: int, invalid_rows: list[int]):
    """Record batches of the rows the normaliser hands over (the first
    block's first row, the header, left out): a table it parsed, renamed; the
    text it wrote, parsed here as :func:`_batches` parses the file."""
    names = [f"c{index}" for index in range(width)]
    first = True
    for block in blocks:
        if isinstance(block, pa.Table):
            table = block.slice(1) if first else block
            if table.num_columns != width:  # every row of another width
                invalid_rows.extend(range(table.num_rows))
                table = None
        else:
            table = _parsed(block, names, skip_header=first, invalid_rows=invalid_rows)
        first = False
        if table is not None and table.num_rows:
            yield from table.rename_columns(names).to_batches()


def _parsed(text: bytes, names: list[str], skip_header: bool, invalid_rows: list[int]):
    if not text:
        return None
    return pacsv.read_csv(
        pa.BufferReader(text),
        read_options=pacsv.ReadOptions(column_names=names, skip_rows=1 if skip_header else 0,
                                       block_size=len(text) + 1, use_threads=False),
        parse_options=pacsv.ParseOptions(newlines_in_values=b'"' in text, ignore_empty_lines=False,
                                         invalid_row_handler=_recorder(invalid_rows)),
        convert_options=pacsv.ConvertOptions(
            column_types={name: pa.string() for name in names},
            strings_can_be_null=False, quoted_strings_can_be_null=False),
    )


def _recorder(invalid_rows: list[int]):
    """pyarrow hands over rows of the wrong width; note them and skip."""

    def handler(row) -> str:
        invalid_rows.append(row.number or 0)
        return "skip"

    return handler


def _rows(batch: pa.RecordBatch) -> list[list[str]]:
    columns = [column.to_pylist() for column in batch.columns]
    return [list(cells) for cells in zip(*columns)]


def _all(masks: list[pa.Array]) -> pa.Array:
    result = masks[0]
    for mask in masks[1:]:
        result = pc.and_(result, mask)
    return result


def _any(masks: list[pa.Array]) -> pa.Array:
    result = masks[0]
    for mask in masks[1:]:
        result = pc.or_(result, mask)
    return result
