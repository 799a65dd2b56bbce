from __future__ import annotations

import pytest

from kg_validation.scripts import find_mixed_script_words, unify_kyrgyz_letters


@pytest.mark.parametrize(
    "variant, standard",
    [("Тоӊ", "Тоң"), ("Чоӈ-Алай", "Чоң-Алай"), ("ӇАРЫН", "ҢАРЫН"), ("ӉАРЫН", "ҢАРЫН")],
)
def test_kyrgyz_en_variants_become_en_with_descender(variant, standard):
    assert unify_kyrgyz_letters(variant) == standard


def test_standard_kyrgyz_letters_are_untouched():
    assert unify_kyrgyz_letters("Ысык-Көл, Чүй, Жаңы-Жер") == "Ысык-Көл, Чүй, Жаңы-Жер"


@pytest.mark.parametrize(
    "text, words",
    [
        ("Кыргызстaн", ["Кыргызстaн"]),  # Latin a
        ("Еducation of head", ["Еducation"]),  # Cyrillic Е, real SDG workbook 1.4.1
        ("Ысык-Кɵл", ["Кɵл"]),  # Latin barred o
        ("Бишкек Bishkek", []),
        ("a) в дошкольных", []),
        ("Wi-Fi-зона", []),
        ("", []),
    ],
)
def test_mixed_script_words(text, words):
    assert find_mixed_script_words(text) == words


@pytest.mark.parametrize(
    "text", ["Кыргызстaн", "Ысык-Кɵл", "Еducation", "Bishkek Бишкек", "a) в школе", "Wi-Fi-зона", ""],
)
def test_fast_test_agrees_with_word_list(text):
    from kg_validation.scripts import has_mixed_script_word

    assert has_mixed_script_word(text) is bool(find_mixed_script_words(text))
