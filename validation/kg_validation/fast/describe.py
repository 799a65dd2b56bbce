"""frictionless describes the suspect rows; its errors get their row numbers back.

Only the rows the vectorised judges flagged are written to a small CSV and
validated by frictionless with the row-local part of the schema (no
``unique``, ``primaryKey`` or ``foreignKeys``, which :mod:`.keys` computed
over the whole table), so every error is frictionless's own.
"""

from __future__ import annotations

import copy
import csv
import tempfile
from pathlib import Path

import frictionless

from .judge import NotModelled

CHUNK_ROWS = 20_000


def describe(labels: list[str], suspects: dict[int, list[str]], descriptor: dict,
             checks: list, enough: int) -> tuple[dict[int, list], int | None]:
    """frictionless's errors of the suspect rows, keyed by real row number, and
    the last row described when the rest was left out.

    Rows are described in order, chunk by chunk, until ``enough`` errors
    (0: all rows) are known.
    """
    numbers = sorted(suspects)
    described: dict[int, list] = {}
    count = 0
    for start in range(0, len(numbers), CHUNK_ROWS):
        chunk = numbers[start:start + CHUNK_ROWS]
        for error in _validate_rows(labels, [suspects[n] for n in chunk], descriptor, checks):
            if not getattr(error, "row_number", None):
                raise NotModelled(f"table-level error {error.type}")
            error.row_number = chunk[error.row_number - 2]
            described.setdefault(error.row_number, []).append(error)
            count += 1
        if enough and count >= enough and start + CHUNK_ROWS < len(numbers):
            return described, chunk[-1]
    return described, None


def metadata_errors(labels: list[str], descriptor: dict, checks: list) -> list:
    """Errors frictionless reports before reading any row (a schema or check it
    refuses): the same for the whole table, so a header-only table tells them."""
    return [error for error in _validate_rows(labels, [], descriptor, checks)
            if isinstance(error, frictionless.errors.MetadataError)]


def _validate_rows(labels, rows, descriptor, checks) -> list:
    with tempfile.TemporaryDirectory(prefix="kg-fast-") as workdir:
        mini = Path(workdir) / "suspects.csv"
        with mini.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(labels)
            writer.writerows(rows)
        resource = frictionless.Resource(
            path=mini.name, basepath=workdir, format="csv", encoding="utf-8",
            control=frictionless.formats.CsvControl(delimiter=","),
            schema=frictionless.Schema.from_descriptor(row_local(descriptor)),
        )
        report = frictionless.validate(resource, checks=checks)
    return list(report.tasks[0].errors)


def row_local(descriptor: dict) -> dict:
    """The schema without cross-row rules (unique, primaryKey, foreignKeys)."""
    local = copy.deepcopy(descriptor)
    local.pop("primaryKey", None)
    local.pop("foreignKeys", None)
    for item in local["fields"]:
        constraints = item.get("constraints", {})
        constraints.pop("unique", None)
        if not constraints:
            item.pop("constraints", None)
    return local


def merge(described: dict[int, list], key_errors: dict[int, list]) -> list:
    """Order errors as frictionless does: cells, unique, primary key, foreign keys, checks."""
    merged = []
    for row in sorted(set(described) | set(key_errors)):
        own = described.get(row, [])
        merged.extend(error for error in own if not error.type.startswith("kg-"))
        for _, _, error in sorted(key_errors.get(row, []), key=lambda item: item[:2]):
            merged.append(error)
        merged.extend(error for error in own if error.type.startswith("kg-"))
    return merged
