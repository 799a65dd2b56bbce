from __future__ import annotations

import frictionless

from kg_validation.checks import kg_region_code
from kg_validation.codelist import admin_divisions


def _validate(tmp_path, text, **options):
    (tmp_path / "t.csv").write_text(text, encoding="utf-8")
    resource = frictionless.Resource(path="t.csv", basepath=str(tmp_path))
    report = frictionless.validate(resource, checks=[kg_region_code(**options)])
    return report.flatten(["rowNumber", "fieldNumber", "type", "note"])


def test_code_list_holds_every_division_of_the_source():
    divisions = admin_divisions()
    levels = [division.level for division in divisions.values()]
    assert (levels.count(1), levels.count(2), levels.count(3)) == (9, 53, 460)
    assert divisions["KG11000000000"].name_ky == "Бишкек ш."
    assert divisions["KG02205000000"].parent_code == "KG02000000000"


def test_unknown_and_wrong_level_codes(tmp_path):
    text = (
        "id,region\n"
        "1,KG02000000000\n"  # Issyk-Kul region
        "2,KG99000000000\n"  # no such code
        "3,KG02205000000\n"  # a district
        "4,\n"  # empty: left to required/constraints
    )
    assert _validate(tmp_path, text, field_name="region", levels=[1]) == [
        [3, 2, "kg-region-code", "not in the administrative divisions list"],
        [4, 2, "kg-region-code", "a district code where region is expected"],
    ]


def test_missing_field_is_a_check_error(tmp_path):
    rows = _validate(tmp_path, "id\n1\n", field_name="region")
    assert rows == [[None, None, "check-error", 'kg-region-code requires field "region"']]
