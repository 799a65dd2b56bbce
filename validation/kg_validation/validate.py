"""Validate an uploaded table: detect, normalise, then frictionless validation.

``validate_table`` is the one entry point. It never raises for bad input:
an unreadable file gives a :class:`TableValidation` whose ``unreadable``
names the reason (``empty-file``, ``binary-file``, ``file-too-large``...).
"""

from __future__ import annotations

import dataclasses
import itertools
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import frictionless
from frictionless import FrictionlessException

from .checks import kg_inn, kg_mixed_script, kg_phone, kg_region_code
from .dialect import Dialect, detect_dialect, read_sample
from .encoding import EncodingResult, detect_encoding, first_guess, same_reading
from .fast import fast_report
from .fast.copy_rows import CopyRows
from .filekind import DEFAULT_MAX_BYTES, UnreadableFile, inspect_file, looks_binary
from .normalise import NormalisationReport, canonical_blocks, normalise_file
from .prefetch import prefetched
from .spreadsheet import SheetLayout, sheet_to_csv, spreadsheet_format

ERROR_LIMIT = 10_000
# the normaliser's blocks when they are handed over to the fast path: fewer,
# larger blocks cost less per row to parse, re-quote and judge (the cp1251
# every-type table, 1 M rows, three runs alternating: 8.3 / 7.4 / 8.3 s of
# processor time against 9.6 s for 1 MiB blocks; peak at 10 M rows 469 MiB
# against 398 MiB)
HANDED_BLOCK = 4 << 20
SPREADSHEET_KINDS = ("zip", "ole2")


@dataclass
class CheckOptions:
    """Which columns the portal's own checks apply to."""

    region_code_field: str | None = None
    region_code_levels: list[int] = field(default_factory=lambda: [1, 2, 3])
    inn_field: str | None = None
    phone_field: str | None = None
    mixed_script: bool = True
    fast: bool = True

    def checks(self) -> list[frictionless.Check]:
        checks: list[frictionless.Check] = []
        if self.region_code_field:
            checks.append(kg_region_code(
                field_name=self.region_code_field, levels=self.region_code_levels))
        if self.inn_field:
            checks.append(kg_inn(field_name=self.inn_field))
        if self.phone_field:
            checks.append(kg_phone(field_name=self.phone_field))
        if self.mixed_script:
            checks.append(kg_mixed_script())
        return checks


@dataclass
class TableValidation:
    """Everything learnt about one table, from bytes to frictionless report."""

    path: str
    kind: str = "text"
    encoding: EncodingResult | None = None
    dialect: Dialect | None = None
    normalisation: NormalisationReport | None = None
    schema: dict | None = None
    schema_is_draft: bool = False
    report: frictionless.Report | None = None
    unreadable: UnreadableFile | None = None
    findings: list[dict] = field(default_factory=list)
    layout: SheetLayout | None = None
    engine: str = ""
    columns: list[dict] = field(default_factory=list)  # per column: vectorised or row by row
    row_by_row_reason: str = ""
    # False: the canonical file holds its first block only (``canonical_if_needed``)
    canonical_whole: bool = True

    @property
    def valid(self) -> bool:
        return self.unreadable is None and not self.findings and bool(
            self.report and self.report.valid
        )

    def flatten(self, spec: list[str]) -> list[list[Any]]:
        """Like ``frictionless.Report.flatten``; empty when nothing was validated."""
        return self.report.flatten(spec) if self.report else []


def validate_table(
    path: str | Path,
    schema: str | Path | dict | None = None,
    *,
    options: CheckOptions | None = None,
    output: str | Path | None = None,
    encoding: str | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    error_limit: int = ERROR_LIMIT,
    sheet: str | int = 1,
    header_rows: list[int] | None = None,
    copy_rows: CopyRows | None = None,
    canonical_if_needed: bool = False,
) -> TableValidation:
    """Detect, normalise (to ``output`` if given) and validate the table at ``path``.

    ``schema`` is a Table Schema (path or descriptor); without one a draft
    schema is inferred and marked ``schema_is_draft``. ``encoding`` overrides
    detection, e.g. after the detector reported two plausible encodings.
    XLSX and ODS files are read from ``sheet`` (name or 1-based number);
    ``header_rows`` (1-based sheet rows) overrides header detection.
    ``copy_rows`` (:class:`.fast.copy_rows.CopyRows`) is written in the
    fast path's own pass over the rows, and kept only if the table passes
    (else discarded: its ``finished`` raises). With ``canonical_if_needed``
    too, ``output`` is written whole only if the caller may need it to load
    the table: a table that passes without its rows for COPY written whole
    (``result.canonical_whole`` says which).
    """
    result = TableValidation(path=str(path))
    options = options or CheckOptions()
    try:
        result.kind = inspect_file(path, max_bytes).kind
        if result.kind in SPREADSHEET_KINDS and spreadsheet_format(path):
            _validate_sheet(result, Path(path), schema, options, output,
                            error_limit, sheet, header_rows, copy_rows)
        else:
            _validate(result, Path(path), schema, options, output, encoding, error_limit,
                      copy_rows, canonical_if_needed)
            if not result.canonical_whole and output is not None and result.valid \
                    and (copy_rows is None or copy_rows.written is None):
                _write_canonical(result, Path(path), Path(output))
    except UnreadableFile as error:
        result.unreadable = error
    finally:
        if copy_rows is not None and not (result.valid and copy_rows.written is not None):
            copy_rows.discard("the table did not pass, or was not read on the fast path")
    return result


def _validate_sheet(result, path, schema, options, output, error_limit, sheet, header_rows,
                    copy_rows=None):
    with tempfile.TemporaryDirectory(prefix="kg-validate-") as workdir:
        target = Path(output) if output else Path(workdir) / "canonical.csv"
        result.layout, result.normalisation = sheet_to_csv(path, target, sheet, header_rows)
        canonical = Dialect(columns=result.layout.columns)
        descriptor = _schema_descriptor(schema, target, result, canonical)
        _frictionless_report(result, target, descriptor, canonical, options, error_limit,
                             copy_rows)


def _validate(result, path, schema, options, output, encoding, error_limit, copy_rows=None,
              canonical_if_needed=False):
    if result.kind == "empty":
        raise UnreadableFile("empty-file")
    if result.kind != "text":
        raise UnreadableFile("binary-file", result.kind)
    guess = None if encoding else first_guess(path)
    if guess is None:
        result.encoding = _encoding(path, encoding)
        _validate_text(result, path, schema, options, output, error_limit, copy_rows,
                       canonical_if_needed)
        return
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="kg-encoding") as pool:
        settling = pool.submit(detect_encoding, path)
        if _validated_with_guess(result, guess, settling, path, schema, options, output,
                                 error_limit, copy_rows, canonical_if_needed):
            return
    _start_again(result)
    result.encoding = settling.result()
    _validate_text(result, path, schema, options, output, error_limit)


def _validated_with_guess(result, guess, settling, path, schema, options, output, error_limit,
                          copy_rows, canonical_if_needed) -> bool:
    """Validate the file decoded with the first guess of its encoding while
    the whole file's is settled (``settling``, in another thread): the
    detector's pass over a single-byte file is no longer a wait before the
    first row is read. True if the whole file's encoding reads it the same
    (its result then replaces the guess); else nothing of this run counts,
    its rows for COPY included (they are discarded, never ended)."""
    def settled() -> bool:
        return same_reading(guess, settling.result())

    result.encoding = guess
    rows = None if copy_rows is None else _RowsOnceSettled(copy_rows, settled)
    try:
        _validate_text(result, path, schema, options, output, error_limit, rows,
                       canonical_if_needed)
    except UnreadableFile:
        if not settled():
            return False
        result.encoding = settling.result()
        raise
    if not settled():
        return False
    result.encoding = settling.result()
    return True


def _start_again(result) -> None:
    """Forget what a run learnt of the file, but its kind."""
    for item in dataclasses.fields(result):
        if item.name not in ("path", "kind"):
            default = item.default_factory() if item.default_factory is not dataclasses.MISSING \
                else item.default
            setattr(result, item.name, default)


class _RowsOnceSettled:
    """The rows for COPY of a run decoding the file with a first guess:
    ended (whole) only if the whole file's encoding reads it the same
    (``settled``), else discarded; a reader waiting for them never gets rows
    decoded otherwise than the file."""

    def __init__(self, rows: CopyRows, settled) -> None:
        self.rows, self.settled = rows, settled

    def __getattr__(self, name: str):
        return getattr(self.rows, name)

    def end(self) -> None:
        if self.settled():
            self.rows.end()
        else:
            self.rows.discard("the whole file's encoding reads it otherwise")


def _validate_text(result, path, schema, options, output, error_limit, copy_rows=None,
                   canonical_if_needed=False):
    """Validate a text file decoded with ``result.encoding``."""
    if result.encoding.ambiguous:
        result.findings.append(_ambiguity_finding(result.encoding))
    text, complete = read_sample(path, result.encoding.python_codec)
    if looks_binary(text):
        raise UnreadableFile("binary-file", "control characters")
    result.dialect = detect_dialect(text, complete)
    if result.dialect.columns == 0:
        raise UnreadableFile("empty-file", "no rows")
    with tempfile.TemporaryDirectory(prefix="kg-validate-") as workdir:
        target = Path(output) if output else Path(workdir) / "canonical.csv"
        if schema is not None and _hands_over(options, result.dialect):
            first_block_only = output is None or (canonical_if_needed and copy_rows is not None)
            _validate_as_normalised(result, path, target, schema, options, error_limit, copy_rows,
                                    first_block_only)
            return
        result.normalisation = normalise_file(path, target, result.encoding, result.dialect)
        descriptor = _schema_descriptor(schema, target, result, result.dialect)
        _frictionless_report(result, target, descriptor, result.dialect, options, error_limit,
                             copy_rows)


def _hands_over(options: CheckOptions, dialect: Dialect) -> bool:
    """Whether the normaliser's blocks go straight to the fast path (a table
    it parsed, or the text it copied or wrote, which the fast path parses):
    a delimiter of one character, and a header row the fast path reads.
    Reading the canonical file back while it was written cost a comma file
    more (the 1 M-row table: 4.25 s against 3.98, and 6.8 s of processor
    time against 6.4 in the portal's job)."""
    return (len(dialect.delimiter) == 1 and dialect.delimiter != '"'
            and not _no_fast_path(options, dialect))


def _validate_as_normalised(result, path, target, schema, options, error_limit, copy_rows,
                            first_block_only=False):
    """Normalise and validate in one pass: each block the normaliser parsed
    is judged as it is, not parsed again from the canonical file. The same
    canonical file, report and rows for COPY as normalising first. With
    ``first_block_only``, the canonical file gets its first block only (the
    header row is read from it), unless validation must read it row by row."""
    normalisation = NormalisationReport(source_encoding=result.encoding.encoding)
    blocks = canonical_blocks(path, target, result.encoding, result.dialect, normalisation,
                              chunk_size=HANDED_BLOCK, first_block_only=first_block_only)
    result.canonical_whole = not first_block_only
    first = next(blocks, None)  # the header row is in the file from here on
    try:
        descriptor = _schema_descriptor(schema, target, result, result.dialect)
        _parsed_schema(descriptor)
    except UnreadableFile:
        _finish(blocks)  # a file the normaliser refuses says so first, as before
        result.normalisation = normalisation  # else, as normalising first, what it changed
        raise
    rest = prefetched(blocks)  # the next blocks normalised while one is judged
    handed = itertools.chain([] if first is None else [first], rest)
    try:
        outcome = fast_report(target, descriptor, options.checks(), error_limit,
                              copy_rows=copy_rows, blocks=handed)
        _finish(rest)  # the rest of the file, when the fast path stopped early
    except UnreadableFile:
        result.schema = None  # as when normalising refused the file before the schema was read
        raise
    result.normalisation = normalisation
    if outcome.report is not None:
        result.columns, result.report, result.engine = outcome.columns, outcome.report, "fast"
        return
    if not result.canonical_whole:
        _write_canonical(result, path, target)
    _frictionless_report(result, target, descriptor, result.dialect, options, error_limit,
                         copy_rows, fast_outcome=outcome)


def _write_canonical(result, path: Path, target: Path) -> None:
    """The whole canonical file, of which the first pass wrote the first
    block only (the same file, and report, as that pass)."""
    normalise_file(path, target, result.encoding, result.dialect)
    result.canonical_whole = True


def _finish(blocks) -> None:
    for _ in blocks:
        pass


def _encoding(path: Path, override: str | None) -> EncodingResult:
    if not override:
        return detect_encoding(path)
    try:
        "".encode(override)
    except LookupError:
        raise UnreadableFile("bad-encoding", override)
    return EncodingResult(override, 1.0, note="chosen by the user")


def _ambiguity_finding(encoding: EncodingResult) -> dict:
    choices = [encoding.encoding] + [name for name, _ in encoding.alternatives[:1]]
    return {"type": "encoding-ambiguous", "note": " / ".join(choices)}


def _schema_descriptor(schema, canonical: Path, result: TableValidation, dialect: Dialect) -> dict:
    if schema is None:
        result.schema_is_draft = True
        resource = _resource(canonical, None, dialect)
        resource.infer()
        descriptor = resource.schema.to_descriptor()
        declare_number_formats(descriptor, dialect)
    elif isinstance(schema, dict):
        descriptor = schema
    else:
        try:
            descriptor = frictionless.Schema(str(schema)).to_descriptor()
        except FrictionlessException as error:
            raise UnreadableFile("bad-schema", error.error.note)
    result.schema = descriptor
    return descriptor


NUMBER_FORMATS = {
    "decimal-comma": {"decimalChar": ","},
    "group-space": {"groupChar": " "},
    "group-nbsp": {"groupChar": "\u00a0"},
}


def declare_number_formats(descriptor: dict, dialect: Dialect) -> None:
    """In a draft schema, declare the one number format a text column uses.

    Only a column whose numbers are all written one way (decimal comma, or
    space/NBSP grouping) becomes ``number`` with ``decimalChar``/``groupChar``;
    the declaration is visible in the draft for the publisher to confirm.
    """
    for number, kinds in dialect.number_formats_by_field.items():
        if number > len(descriptor["fields"]) or len(kinds) != 1:
            continue
        kind = next(iter(kinds))
        field_descriptor = descriptor["fields"][number - 1]
        if kind in NUMBER_FORMATS and field_descriptor.get("type") == "string":
            field_descriptor.update(type="number", **NUMBER_FORMATS[kind])


def _resource(canonical: Path, schema, dialect: Dialect) -> frictionless.Resource:
    control = frictionless.Dialect(header_rows=[dialect.header_row], header=dialect.header)
    return frictionless.Resource(
        path=canonical.name, basepath=str(canonical.parent), format="csv",
        encoding="utf-8", dialect=control, schema=schema,
        control=frictionless.formats.CsvControl(delimiter=","),
    )


def _parsed_schema(descriptor: dict) -> frictionless.Schema:
    try:
        return frictionless.Schema.from_descriptor(descriptor)
    except FrictionlessException as error:
        raise UnreadableFile("bad-schema", error.error.note)


def _frictionless_report(result, canonical, descriptor, dialect, options, error_limit,
                         copy_rows=None, fast_outcome=None) -> None:
    """The report, from the fast path where it applies, else row by row
    (``fast_outcome``: the fast path already tried, and left it)."""
    schema = _parsed_schema(descriptor)
    reason = _no_fast_path(options, dialect)
    if fast_outcome is not None:
        result.columns, reason = fast_outcome.columns, fast_outcome.reason
    elif not reason:
        line_breaks = bool(result.layout or not result.normalisation
                           or result.normalisation.line_breaks_in_cells)  # sheets: maybe
        outcome = fast_report(canonical, descriptor, options.checks(), error_limit, line_breaks,
                              copy_rows)
        result.columns, reason = outcome.columns, outcome.reason
        if outcome.report is not None:
            result.report, result.engine = outcome.report, "fast"
            return
    resource = _resource(canonical, schema, dialect)
    result.report = frictionless.validate(resource, checks=options.checks(), limit_errors=error_limit)
    result.engine, result.row_by_row_reason = "frictionless", reason
    result.columns = [{"name": item.name, "type": item.type, "format": item.format,
                       "path": "row-by-row"} for item in schema.fields]


def _no_fast_path(options: CheckOptions, dialect: Dialect) -> str:
    if not options.fast:
        return "fast path turned off"
    if not dialect.header or dialect.header_row != 1:
        return "no header row, or title rows above it"
    return ""
