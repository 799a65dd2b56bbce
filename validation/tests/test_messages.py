from __future__ import annotations

import re

import pytest

from kg_validation.messages import LANGUAGES, MESSAGES, PHRASES, message, phrase

FRICTIONLESS_CODES = [
    "type-error", "constraint-error", "unique-error", "primary-key", "foreign-key",
    "missing-cell", "extra-cell", "blank-row", "duplicate-label", "blank-label",
    "incorrect-label", "missing-label", "extra-label", "blank-header", "row-constraint",
    "check-error",
]
KG_CODES = ["kg-region-code", "kg-inn", "kg-phone", "kg-mixed-script"]
CYRILLIC = re.compile("[\u0400-\u04ff]")


@pytest.mark.parametrize("code", FRICTIONLESS_CODES + KG_CODES)
def test_every_code_has_three_languages(code):
    assert set(MESSAGES[code]) == set(LANGUAGES)


@pytest.mark.parametrize("table", [MESSAGES, PHRASES])
def test_kyrgyz_and_russian_are_cyrillic_and_differ(table):
    for code, texts in table.items():
        assert CYRILLIC.search(texts["ky"]) and CYRILLIC.search(texts["ru"]), code
        assert texts["ky"] != texts["ru"] != texts["en"], code


def test_placeholders_are_the_same_in_every_language():
    for code, texts in MESSAGES.items():
        fields = {lang: set(re.findall(r"{(\w+)}", text)) for lang, text in texts.items()}
        assert fields["ky"] == fields["ru"] == fields["en"], code


def test_message_is_filled():
    values = dict(row=3, col=2, name="region", cell="KG99", note="not in the list")
    assert message("kg-region-code", "ky", **values) == (
        "3-сап, 2-мамыча «region»: «KG99» администрациялык-аймактык бирдиктин "
        "белгилүү коду эмес (not in the list)."
    )
    assert message("type-error", "ru", **values) == (
        "Строка 3, столбец 2 «region»: значение «KG99» не соответствует типу столбца "
        "(not in the list)."
    )


def test_unknown_code_falls_back_with_its_code():
    assert message("format-error", "en", note="bad format") == "Error (format-error): bad format"


def test_phrase_and_bad_language():
    assert phrase("shown", "ky", shown=100, total=2500) == "2500 катанын 100 көрсөтүлдү."
    with pytest.raises(ValueError):
        message("blank-row", "de", row=1)


def test_fixed_check_notes_are_translated():
    values = dict(row=3, col=2, name="region", cell="KG99",
                  note="not in the administrative divisions list")
    assert message("kg-region-code", "ru", **values).endswith(
        "(нет в справочнике административно-территориальных единиц)."
    )
    assert message("kg-region-code", "en", **values).endswith(
        "(not in the administrative divisions list)."
    )


def test_every_change_and_suggestion_kind_has_three_languages():
    from kg_validation.messages import CHANGES

    kinds = {
        "encoding", "bom-removed", "delimiter", "line-endings",
        "bom-inside-removed", "unicode-nfc", "kyrgyz-letter", "mixed-script",
        "title-rows-skipped", "header-rows-joined", "trailing-blank-rows-removed",
        "decimalChar", "groupChar", "warning", "irregularGrouping",
    }
    assert set(CHANGES) == kinds
    for texts in CHANGES.values():
        assert set(texts) == set(LANGUAGES)


def test_change_message():
    from kg_validation.messages import change_message

    assert change_message("encoding", "ky", detail="cp866") == "cp866 коддолушунан UTF-8ге которулду."
    assert change_message("unicode-nfc", "ru", count=3) == (
        "Текст приведён к нормальной форме Unicode NFC (ячеек: 3).")
