from __future__ import annotations

import frictionless

from kg_validation.checks import kg_inn


def test_inn_is_exactly_fourteen_digits(tmp_path):
    (tmp_path / "t.csv").write_text(
        "id,inn\n"
        "1,01234567890123\n"  # leading zero kept although the column looks numeric
        "2,2010119901234\n"  # 13 digits
        "3,2010119901234X\n"
        "4,\n"
        "5,20101199012345\n",
        encoding="utf-8",
    )
    resource = frictionless.Resource(path="t.csv", basepath=str(tmp_path))
    report = frictionless.validate(resource, checks=[kg_inn(field_name="inn")])
    assert report.flatten(["rowNumber", "fieldNumber", "type", "note"]) == [
        [3, 2, "kg-inn", "13 characters"],
        [4, 2, "kg-inn", "contains non-digits"],
    ]
