from __future__ import annotations

import csv
import zipfile

import pytest

from kg_validation.spreadsheet import check_archive, sheet_to_csv
from kg_validation.validate import validate_table

SPEC = ["rowNumber", "fieldNumber", "type"]


def _canonical(path):
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.reader(handle))


def test_title_rows_are_skipped(sdg_excel, tmp_path):
    layout, report = sheet_to_csv(sdg_excel / "1.2.1.xlsx", tmp_path / "t.csv")
    rows = _canonical(tmp_path / "t.csv")
    assert (layout.title_rows, layout.header_rows, layout.columns) == ([1, 2, 3], [4], 20)
    assert rows[0][:5] == ["Көрсөткүчтөрдүн аталышы", "Наименование показателей", "Items", "2007", "2008"]
    assert rows[1][:5] == ["Кыргыз Республикасы", "Кыргызская Республика", "Kyrgyz Republic ", "35", "31.7"]
    assert [(c.kind, c.count) for c in report.changes] == [
        ("trailing-blank-rows-removed", 6), ("title-rows-skipped", 3),
    ]


def test_merged_two_row_header_is_joined(sdg_excel, tmp_path):
    layout, report = sheet_to_csv(sdg_excel / "8.8.1.xlsx", tmp_path / "t.csv")
    header = _canonical(tmp_path / "t.csv")[0]
    assert layout.header_rows == [4, 5]
    assert header[:3] == ["Көрсөткүчтөрдүн аталышы", "Наименование показателя", "Items"]
    assert header[3].endswith(" 2007") and header[4] == "2008"
    assert report.change("header-rows-joined").count == 2


def test_sheet_starting_with_blank_row(sdg_excel, tmp_path):
    layout, _ = sheet_to_csv(sdg_excel / "17.11.1.a.xlsx", tmp_path / "t.csv")
    assert (layout.header_rows, layout.row_offset) == ([5], 4)
    assert _canonical(tmp_path / "t.csv")[0] == ["Наименование показателей", "2019", "2020", "2022", "2023"]


def test_sheet_chosen_by_name(sdg_excel, tmp_path):
    first, _ = sheet_to_csv(sdg_excel / "3.8.2.xlsx", tmp_path / "a.csv")
    second, _ = sheet_to_csv(sdg_excel / "3.8.2.xlsx", tmp_path / "b.csv", sheet="ЦУР 3.8.2 >25%")
    assert second.sheet == "ЦУР 3.8.2 >25%"
    assert _canonical(tmp_path / "a.csv") != _canonical(tmp_path / "b.csv")


def test_header_rows_given_by_the_publisher(sdg_excel, tmp_path):
    layout, _ = sheet_to_csv(sdg_excel / "8.8.1.xlsx", tmp_path / "t.csv", header_rows=[5])
    assert (layout.title_rows, layout.header_rows) == ([1, 2, 3, 4], [5])


def test_workbook_validation_reports_real_problems(sdg_excel):
    assert validate_table(sdg_excel / "3.5.2.1.xlsx").flatten(SPEC) == [
        [None, 1, "blank-label"], [None, 2, "blank-label"], [None, 3, "blank-label"],
    ]
    mixed = validate_table(sdg_excel / "1.4.1.xlsx")
    assert mixed.flatten(SPEC + ["note"]) == [[15, 3, "kg-mixed-script", "Еducation"]]
    assert mixed.layout.row_offset == 3  # sheet row 18


def test_clean_workbook_is_valid_with_draft_schema(sdg_excel):
    result = validate_table(sdg_excel / "1.1.1.xlsx")
    assert (result.valid, result.schema_is_draft, result.layout.header_rows) == (True, True, [4])


def test_ods_workbook(tmp_path):
    ezodf = pytest.importorskip("ezodf")
    path = tmp_path / "t.ods"
    document = ezodf.newdoc(doctype="ods", filename=str(path))
    sheet = ezodf.Sheet("Лист1", size=(6, 3))
    document.sheets += sheet
    values = [["Калктын саны", None, None], [None, None, None],
              ["code", "name", "population"], ["KG02000000000", "Ысык-Көл", 500],
              ["KG04000000000", "Нарын", "көп"], [None, None, None]]
    for row, cells in enumerate(values):
        for column, value in enumerate(cells):
            if value is not None:
                sheet[row, column].set_value(value)
    document.save()
    schema = {"fields": [{"name": "code", "type": "string"}, {"name": "name", "type": "string"},
                         {"name": "population", "type": "integer"}]}
    result = validate_table(path, schema)
    assert result.layout.header_rows == [3]
    assert result.flatten(SPEC) == [[3, 3, "type-error"]]


def test_zip_bomb_is_refused_before_parsing(tmp_path):
    path = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (8 * 1024**2))
    result = validate_table(path)
    assert result.unreadable.code == "zip-bomb"
    with pytest.raises(Exception):
        check_archive(path)


def test_broken_workbook(tmp_path):
    path = tmp_path / "broken.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("hello.txt", "not a workbook")
    assert validate_table(path).unreadable.code == "bad-spreadsheet"
