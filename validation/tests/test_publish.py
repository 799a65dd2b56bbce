"""kg-publish's local side: refusing before any call, and printing the
portal's report. (Against a real portal: tests/e2e/test_kg_publish.py.)"""
import json

import pytest

from kg_validation import publish
from kg_validation.report import build_report
from kg_validation.validate import validate_table

SCHEMA = {"fields": [{"name": "region", "type": "string"},
                     {"name": "population", "type": "integer"}]}


def write_package(folder, table):
    folder.mkdir()
    (folder / "datapackage.json").write_text(json.dumps({"name": "kalk", "resources": [
        {"name": "population", "path": "population.csv", "schema": SCHEMA}]}))
    (folder / "population.csv").write_text(table, encoding="utf-8")
    return folder


def test_an_invalid_table_is_refused_without_calling_the_portal(tmp_path, monkeypatch, capsys):
    folder = write_package(tmp_path / "kalk", "region,population\nНарын,көп\n")
    monkeypatch.setenv("KG_API_TOKEN", "token")

    # port 9 (discard) would fail to connect: exit 2, not 1, if it were called
    code = publish.main([str(folder), "--portal", "http://127.0.0.1:9", "--lang", "ru"])

    out, err = capsys.readouterr()
    assert code == publish.EXIT_REFUSED
    assert "population: does not pass validation" in out
    assert "[type-error] Строка 2, столбец 2 «population»: значение «көп»" in out
    assert "Nothing was sent to the portal" in err


def test_an_unreachable_portal_is_said_so(tmp_path, monkeypatch, capsys):
    folder = write_package(tmp_path / "kalk", "region,population\nНарын,301600\n")
    monkeypatch.setenv("KG_API_TOKEN", "token")

    code = publish.main([str(folder), "--portal", "http://127.0.0.1:9", "--wait", "1"])

    assert code == publish.EXIT_UNUSABLE
    assert "Cannot talk to the portal at http://127.0.0.1:9" in capsys.readouterr().err


def test_a_folder_without_a_descriptor_is_no_data_package(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("KG_API_TOKEN", "token")
    assert publish.main([str(tmp_path), "--portal", "http://127.0.0.1:9"]) == publish.EXIT_UNUSABLE
    assert "not a Data Package: cannot read datapackage.json" in capsys.readouterr().err


@pytest.mark.parametrize("path, reason", [
    ("../secret.csv", '".." leads out of the folder of datapackage.json'),
    ("{folder}/../secret.csv", 'an absolute path; a table\'s "path" is relative'),
    ("link.csv", "a symbolic link leads out of the folder of datapackage.json"),
])
def test_a_table_path_out_of_the_folder_is_refused_before_any_call(
        tmp_path, monkeypatch, capsys, path, reason):
    folder = write_package(tmp_path / "kalk", "region,population\nНарын,301600\n")
    (tmp_path / "secret.csv").write_text("region,population\nsecret,1\n", encoding="utf-8")
    (folder / "link.csv").symlink_to(tmp_path / "secret.csv")
    path = path.format(folder=folder)
    descriptor = json.loads((folder / "datapackage.json").read_text())
    descriptor["resources"][0]["path"] = path
    (folder / "datapackage.json").write_text(json.dumps(descriptor))
    monkeypatch.setenv("KG_API_TOKEN", "token")

    # port 9 (discard): exit 2 with "Cannot talk to the portal" if it were called
    code = publish.main([str(folder), "--portal", "http://127.0.0.1:9"])

    out, err = capsys.readouterr()
    assert code == publish.EXIT_UNUSABLE
    assert err.startswith(f"{folder}: not a Data Package: {path}: {reason}")
    assert out == ""  # nothing validated, nothing sent


def test_the_portals_report_is_printed_with_its_errors_and_failed_load(tmp_path):
    path = tmp_path / "population.csv"
    path.write_text("region,population\nНарын,көп\n", encoding="utf-8")
    report = build_report(validate_table(path, SCHEMA))
    report["datastore"] = {"loaded": False, "message": "could not be loaded"}

    text = publish.portal_report_text(report)

    assert '[type-error] Row 2, column 2 "population"' in text
    assert text.endswith("\n  could not be loaded")
    fetch_failure = {"valid": False, "errors": [{"type": "fetch-html", "message": "a web page"}]}
    assert publish.portal_report_text(fetch_failure) == "  [fetch-html] a web page"
