from __future__ import annotations

import frictionless

from kg_validation.checks import kg_mixed_script


def _validate(tmp_path, **options):
    (tmp_path / "t.csv").write_text(
        "id,name,note\n1,Кыргызстaн,Ош\n2,Бишкек,Ысык-Кɵл жана Нaрын\n3,Bishkek,a) в школе\n",
        encoding="utf-8",
    )
    resource = frictionless.Resource(path="t.csv", basepath=str(tmp_path))
    report = frictionless.validate(resource, checks=[kg_mixed_script(**options)])
    return report.flatten(["rowNumber", "fieldNumber", "type", "note"])


def test_all_text_fields_are_checked(tmp_path):
    assert _validate(tmp_path) == [
        [2, 2, "kg-mixed-script", "Кыргызстaн"],
        [3, 3, "kg-mixed-script", "Кɵл, Нaрын"],
    ]


def test_only_named_fields(tmp_path):
    assert _validate(tmp_path, field_names=["note"]) == [
        [3, 3, "kg-mixed-script", "Кɵл, Нaрын"],
    ]
