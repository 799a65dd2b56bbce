import pytest

from ckanext.kg import names


@pytest.mark.parametrize("title, expected", [
    ("Кыргызстан", "kyrgyzstan"),
    ("Өнүгүү", "onuguu"),
    ("Жаңы муун", "zhangy-muun"),
    ("Санарип аймак", "sanarip-aymak"),
    ("Ысык-Көл облусу", "ysyk-kol-oblusu"),
    ("Население Кыргызской Республики", "naseleniye-kyrgyzskoy-respubliki"),
    ("Чүй: калктын саны, 2020–2024", "chuy-kalktyn-sany-2020-2024"),
    ("GDP (current US$)", "gdp-current-us"),
    ("Жа\u04caы", "zhangy"),           # U+04CA 'en with tail' from real files
    ("   ", ""),
    ("!", ""),
])
def test_name_from_title_transliterates_kyrgyz_and_russian(title, expected):
    assert names.name_from_title(title) == expected


def test_long_titles_are_cut_at_a_word_boundary_within_ckans_limit():
    full = "-".join(["kalktyn-sany"] * 20)
    name = names.name_from_title("Калктын саны " * 20)
    assert 90 <= len(name) <= 100
    assert full.startswith(name + "-")


def test_unique_name_adds_the_first_free_number():
    taken = {"kyrgyzstan", "kyrgyzstan-2"}
    assert names.unique_name("kyrgyzstan", taken.__contains__) == "kyrgyzstan-3"
    assert names.unique_name("onuguu", taken.__contains__) == "onuguu"
