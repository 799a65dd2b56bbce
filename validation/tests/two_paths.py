"""One file validated by two of the engine's paths (a switch of
``kg_validation.validate`` said yes, then no), for the tests that compare
what each path gave."""

from __future__ import annotations

from pathlib import Path

from fast.test_copy_rows_in_pass import cell

from kg_validation import validate
from kg_validation.fast.copy_rows import CopyRows
from kg_validation.validate import validate_table

SPEC = ["rowNumber", "fieldNumber", "type", "cell", "note"]


def both_ways(monkeypatch, switch: str, source: Path, tmp_path: Path, schema, **options):
    """What validating ``source`` gave with ``validate.<switch>`` on, then off."""
    outcomes = []
    for on in (True, False):
        monkeypatch.setattr(validate, switch, lambda *args, on=on: on)
        canonical, rows_path = tmp_path / f"canonical-{on}.csv", tmp_path / f"rows-{on}.csv"
        rows = CopyRows(rows_path, cell)
        result = validate_table(source, schema, output=canonical, copy_rows=rows, **options)
        outcomes.append({
            "valid": result.valid, "engine": result.engine, "report": result.flatten(SPEC),
            "normalisation": result.normalisation and result.normalisation.to_dict(),
            "columns": result.columns, "reason": result.row_by_row_reason,
            "unreadable": result.unreadable and (result.unreadable.code, str(result.unreadable)),
            "schema": result.schema,
            # a refused file's partial copy is no product (and is cut where
            # the normaliser's blocks, of another size when handed over, end)
            "canonical": canonical.read_bytes() if canonical.exists() and not result.unreadable
            else None,
            "rows for COPY": rows_path.read_bytes() if rows_path.exists() else None,
        })
    return outcomes
