from __future__ import annotations

import json
import random

import pytest

from kg_validation.cli import main


def _run(capsys, *argv):
    code = main([str(arg) for arg in argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_valid_real_file_human_report_in_kyrgyz(capsys, messy):
    code, out, _ = _run(capsys, messy / "3dc88cbf_4-1-1.csv", "--lang", "ky")
    assert code == 0
    assert "Коддолушу: cp866 (1.00)" in out
    assert out.rstrip().endswith("Таблица текшерүүдөн өттү.")


def test_json_report_and_canonical_output(capsys, messy, tmp_path):
    output = tmp_path / "out.csv"
    code, out, _ = _run(capsys, messy / "575e4629_7-1-1.csv", "--json", "--output", output)
    report = json.loads(out)
    assert code == 0
    assert (report["encoding"]["encoding"], report["dialect"]["delimiter"]) == ("mac_cyrillic", ";")
    assert [c["kind"] for c in report["normalisation"]["changes"]] == [
        "encoding", "delimiter", "line-endings",
    ]
    assert report["schema"]["draft"] is True
    assert report["frictionless"]["valid"] is True
    assert output.read_text(encoding="utf-8").count("Кыргызская Республика") == 45


def test_invalid_table_exit_1_with_capped_errors(capsys, write_bytes, tmp_path):
    schema = tmp_path / "schema.json"
    schema.write_text(json.dumps({"fields": [{"name": "id", "type": "integer"}]}))
    path = write_bytes(b"id\n" + b"x\n" * 30)
    code, out, _ = _run(capsys, path, "--schema", schema, "--json", "--limit", "5", "--lang", "ru")
    report = json.loads(out)
    assert code == 1
    assert report["totals"] == {
        "errors": 30, "shown": 5, "byType": {"type-error": 30}, "truncated": False,
    }
    assert report["errors"][0]["message"] == (
        "Строка 2, столбец 1 «id»: значение «x» не соответствует типу столбца "
        '(type is "integer/default").'
    )


def test_json_report_says_per_column_which_path_ran(capsys, write_bytes, tmp_path):
    schema = tmp_path / "schema.json"
    schema.write_text(json.dumps({"fields": [
        {"name": "id", "type": "integer"},
        {"name": "paid", "type": "boolean", "trueValues": ["да"], "falseValues": ["нет"]},
        {"name": "mail", "type": "string", "format": "email"},
    ]}))
    path = write_bytes("id,paid,mail\n1,да,a@stat.kg\n2,нет,b@stat.kg\n3,да,x\n".encode())
    code, out, _ = _run(capsys, path, "--schema", schema, "--json")
    report = json.loads(out)
    assert (code, report["engine"], report["rowByRowReason"]) == (1, "fast", None)
    assert [(c["name"], c["type"], c["path"], c["readInPython"]) for c in report["columns"]] == [
        ("id", "integer", "vectorised", 0), ("paid", "boolean", "vectorised", 0),
        ("mail", "string", "vectorised", 3),
    ]
    code, out, _ = _run(capsys, path, "--schema", schema, "--json", "--no-fast")
    report = json.loads(out)
    assert (report["engine"], report["rowByRowReason"]) == ("frictionless", "fast path turned off")
    assert {c["path"] for c in report["columns"]} == {"row-by-row"}


def test_kg_checks_from_arguments(capsys, write_bytes):
    path = write_bytes("region,inn\nKG99,123\n".encode())
    code, out, _ = _run(capsys, path, "--region-code-field", "region", "--inn-field", "inn")
    assert code == 1
    assert "[kg-region-code]" in out and "[kg-inn]" in out


@pytest.mark.parametrize(
    "data, reason",
    [
        (b"", "empty-file"),
        (b"PK\x03\x04" + b"\x00" * 100, "binary-file"),
        (bytes(range(256)) * 40, "binary-file"),
    ],
)
def test_unreadable_input_exit_2_without_traceback(capsys, write_bytes, data, reason):
    code, out, err = _run(capsys, write_bytes(data), "--json")
    assert (code, json.loads(out)["unreadable"], err) == (2, reason, "")


def test_size_limit(capsys, write_bytes):
    code, out, _ = _run(capsys, write_bytes(b"a\n1\n" * 10), "--max-bytes", "10")
    assert code == 2
    assert "The file is larger than allowed (40 > 10 bytes)." in out


def test_bad_arguments_exit_2(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["x.csv", "--lang", "de"])
    assert exit_info.value.code == 2


def test_ragged_rows(capsys, write_bytes):
    code, out, _ = _run(capsys, write_bytes(b"a,b\n1,2\n3\n4,5,6\n"), "--json")
    report = json.loads(out)
    assert code == 1
    assert [(e["type"], e["rowNumber"]) for e in report["errors"]] == [
        ("missing-cell", 3), ("extra-cell", 4),
    ]


def test_a_nul_byte_is_an_error_in_the_text_report(capsys, write_bytes):
    code, out, _ = _run(capsys, write_bytes(b"a,b\n1,2\n4,5\x00\n"), "--lang", "ru")
    assert code == 2  # unreadable
    assert "[nul-character] Строка 3, столбец 2: в файле есть символ NUL" in out


def test_workbook_errors_name_the_sheet_row(capsys, sdg_excel):
    code, out, _ = _run(capsys, sdg_excel / "1.4.1.xlsx", "--json", "--lang", "ky")
    report = json.loads(out)
    error = report["errors"][0]
    assert code == 1
    assert (error["type"], error["rowNumber"], error["sheetRowNumber"]) == ("kg-mixed-script", 15, 18)
    assert error["message"].startswith("18-сап, 3-мамыча «Items»: сөздө окшош латын жана кирилл")
    assert report["sheet"]["header_rows"] == [4]


def test_workbook_header_rows_and_sheet_arguments(capsys, sdg_excel):
    code, out, _ = _run(capsys, sdg_excel / "3.8.2.xlsx", "--json", "--sheet", "2",
                        "--header-rows", "4")
    report = json.loads(out)
    assert (code, report["sheet"]["sheet"], report["sheet"]["header_rows"]) == (1, 2, [4])
    assert [(e["type"], e["sheetRowNumber"]) for e in report["errors"]] == [("blank-row", 48)]


@pytest.mark.parametrize("rows", ["0", "a,b", ""])
def test_bad_header_rows_argument(capsys, rows):
    with pytest.raises(SystemExit) as exit_info:
        main(["x.xlsx", "--header-rows", rows])
    assert exit_info.value.code == 2


def test_mixed_script_check_can_be_switched_off(capsys, write_bytes):
    path = write_bytes("name\nКыргызстaн\n".encode())
    assert _run(capsys, path)[0] == 1
    assert _run(capsys, path, "--no-mixed-script")[0] == 0


def test_changes_and_suggestions_in_the_chosen_language(capsys, messy):
    code, out, _ = _run(capsys, messy / "cd84525c_8-7-1.csv", "--lang", "ru")
    assert code == 1  # the draft schema reads decimal commas; "(33,0)" is not a number
    assert "  - Кодировка utf-16-le преобразована в UTF-8.\n" in out
    assert "  - Разделитель «;» заменён запятой.\n" in out
    assert '  - Числа записаны с десятичной запятой: укажите в схеме decimalChar ",".\n' in out
    assert "[type-error] Строка 21, столбец 10 «Value»: значение «(33,0)»" in out


EDGE_CASES = [
    b"\xef\xbb\xbf",  # a BOM and nothing else
    b"\xff\xfe",  # a UTF-16 BOM and nothing else
    b"id,name\n",  # header only
    b"\r\n",
    b",,,\n,,,\n",
    b"\"unclosed,quote\n1,2\n",
    "id,name\n1,Ош\ufeff\n".encode("utf-16-le"),
    b"\x00" * 64,
]


def _random_bytes(seed: int, size: int = 3000) -> bytes:
    return random.Random(seed).randbytes(size)


@pytest.mark.parametrize("data", EDGE_CASES + [_random_bytes(seed) for seed in range(6)])
def test_odd_input_never_crashes(capsys, write_bytes, data):
    code, out, err = _run(capsys, write_bytes(data), "--json")
    report = json.loads(out)
    assert code in (0, 1, 2) and err == ""
    assert report["valid"] is (code == 0)
