"""The shipped code list must be exactly what its provenance note says."""

from __future__ import annotations

import csv
import json

import pytest
from kg_sources import SHARED_SOURCES

from kg_validation.codelist import admin_divisions

SOURCE = SHARED_SOURCES / "kg-admin-divisions" / "data"


def _from_source() -> dict[str, tuple]:
    if not SOURCE.is_dir():
        pytest.skip(f"real source files not present: {SOURCE} is missing")
    with (SOURCE / "all-flat.csv").open(encoding="utf-8") as handle:
        lines = [line for line in handle if not line.startswith("#")]
    divisions = {
        row["id"]: (int(row["level"]), row["parent.id"], row["name.local"], row["name.en"])
        for row in csv.DictReader(lines)
    }
    settlements = json.loads((SOURCE / "all-settlement.json").read_text(encoding="utf-8"))
    for item in settlements:
        divisions[item["id"]] = (item["level"], item["parent"]["id"],
                                 item["name"]["local"], item["name"]["en"])
    return divisions


def test_code_list_is_derived_verbatim_from_the_source():
    shipped = {
        code: (d.level, d.parent_code, d.name_ky, d.name_en) for code, d in admin_divisions().items()
    }
    assert shipped == _from_source()
