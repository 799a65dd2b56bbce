from __future__ import annotations

import frictionless

from kg_validation.checks import kg_phone


def test_phone_is_plus_996_and_nine_digits(tmp_path):
    (tmp_path / "t.csv").write_text(
        "id,phone\n1,+996 312 62-12-12\n2,0555123456\n3,+996 (555) 12 34 56\n4,+99655512345\n",
        encoding="utf-8",
    )
    resource = frictionless.Resource(path="t.csv", basepath=str(tmp_path))
    report = frictionless.validate(resource, checks=[kg_phone(field_name="phone")])
    assert report.flatten(["rowNumber", "fieldNumber", "type"]) == [
        [3, 2, "kg-phone"],
        [5, 2, "kg-phone"],
    ]
