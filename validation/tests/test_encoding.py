from __future__ import annotations

import codecs

import pytest

from kg_validation.encoding import detect_encoding

REAL_ENCODINGS = {
    "085a4406_4-с-1-1.csv": ("utf-8", "в дошкольных образовательных организациях"),
    "3dc88cbf_4-1-1.csv": ("cp866", "Кыргызская Республика"),
    "54750e55_1-2-1.csv": ("utf-16-le", "Кыргызская Республика"),
    "575e4629_7-1-1.csv": ("mac_cyrillic", "Кыргызская Республика"),
    "677ed5ed_1-4-1.csv": ("utf-8", "Квинтиль благосостояния"),
    "cd84525c_8-7-1.csv": ("utf-16-le", "Джалал-Абадская область"),
    "d6208847_17-3-1-1.csv": ("utf-8", "Year,Value"),
    "d6208847_6-4-2-1.csv": ("utf-8", "Water source: Natural"),
}

RUSSIAN = (
    "Год;Территория;Значение\n2018;Кыргызская Республика;57,9\n"
    "2018;Баткенская область;44,1\n2019;Чуйская область;Мужчины и женщины\n"
)


def test_every_real_messy_file_is_covered(messy):
    assert sorted(p.name for p in messy.glob("*.csv")) == sorted(REAL_ENCODINGS)


@pytest.mark.parametrize("name", sorted(REAL_ENCODINGS))
def test_real_file_decodes_to_cyrillic(messy, name):
    expected, phrase = REAL_ENCODINGS[name]
    result = detect_encoding(messy / name)
    text = (messy / name).read_bytes().decode(result.python_codec)
    assert (result.encoding, result.ambiguous) == (expected, False)
    assert phrase in text
    assert "\ufffd" not in text


def test_mac_cyrillic_is_told_apart_from_windows_1251(messy):
    result = detect_encoding(messy / "575e4629_7-1-1.csv")
    assert [name for name, _ in result.alternatives] == ["cp1251", "cp866"]
    assert result.confidence > 0.7


@pytest.mark.parametrize("codec", ["cp1251", "mac_cyrillic", "cp866"])
def test_single_byte_cyrillic(write_bytes, codec):
    result = detect_encoding(write_bytes((RUSSIAN * 5).encode(codec)))
    assert (result.encoding, result.ambiguous) == (codec, False)


@pytest.mark.parametrize(
    "data, expected, bom",
    [
        (codecs.BOM_UTF8 + "Кыргызская Республика".encode(), "utf-8-sig", True),
        (codecs.BOM_UTF16_LE + "Ош шаары".encode("utf-16-le"), "utf-16-le", True),
        (codecs.BOM_UTF16_BE + "Ош шаары".encode("utf-16-be"), "utf-16-be", True),
        (RUSSIAN.encode("utf-16-le"), "utf-16-le", False),
        (RUSSIAN.encode("utf-16-be"), "utf-16-be", False),
        ("Бишкек, Чүй, Ысык-Көл, Тоң".encode(), "utf-8", False),
        (b"id,name\n1,plain ascii\n", "utf-8", False),
    ],
)
def test_unicode_encodings(write_bytes, data, expected, bom):
    result = detect_encoding(write_bytes(data))
    assert (result.encoding, result.bom, result.ambiguous) == (expected, bom, False)


def test_latin1_only_when_text_is_not_cyrillic(write_bytes):
    text = "city,note\nZürich,café crème\nKöln,Straße\nÅlesund,fjord\n" * 4
    result = detect_encoding(write_bytes(text.encode("latin-1")))
    assert (result.encoding, result.ambiguous) == ("latin-1", False)


def test_single_western_letter_is_ambiguous_with_cyrillic(write_bytes):
    result = detect_encoding(write_bytes("id,name\n1,Zürich\n".encode("latin-1")))
    assert (result.encoding, result.ambiguous) == ("latin-1", True)
    assert [name for name, _ in result.alternatives][:1] == ["cp1251"]


def test_short_text_that_two_codecs_read_differently_is_ambiguous(write_bytes):
    # byte 0xDF is "Я" in Windows-1251 and "я" in Mac Cyrillic
    result = detect_encoding(write_bytes("Я\n".encode("cp1251")))
    assert result.ambiguous is True
    assert result.note == "two encodings are plausible: please choose"


def test_late_cyrillic_is_found_past_the_first_megabyte(write_bytes):
    data = b"id,value\n" + b"1,2\n" * 400_000 + "9,Кыргызская Республика\n".encode("cp1251")
    result = detect_encoding(write_bytes(data), chunk_size=1 << 16)
    assert result.encoding == "cp1251"
    assert (result.ambiguous, result.alternatives[0][0]) == (False, "mac_cyrillic")


def test_codecs_that_decode_alike_are_not_ambiguous(write_bytes):
    # lower-case letters other than я are the same bytes in cp1251 and mac_cyrillic
    result = detect_encoding(write_bytes("шаар, айыл, район, облус\n".encode("cp1251")))
    assert (result.encoding, result.ambiguous) == ("cp1251", False)
    assert result.alternatives[0][0] == "mac_cyrillic"


def _russian_rows(count: int, seed: int) -> str:
    import random
    rng = random.Random(seed)
    words = ["Кыргызская", "Республика", "область", "Баткенская", "город", "Ош", "Чуй",
             "Мужчины", "женщины", "ЗНАЧЕНИЕ", "Иссык-Куль", "село", "район"]
    return "".join(f"{i};{' '.join(rng.choice(words) for _ in range(3))};{i % 97},5\n"
                   for i in range(count))


@pytest.mark.parametrize("codec", ["cp1251", "mac_cyrillic", "cp866"])
@pytest.mark.parametrize("ascii_first", [0, 300_000], ids=["cyrillic-throughout", "late-cyrillic"])
def test_letter_pairs_counted_on_a_sample_decide_as_the_whole_file_does(
        write_bytes, monkeypatch, codec, ascii_first):
    """Past `PATTERN_SAMPLE` non-ASCII bytes, only byte counts go on: the
    same encoding, confidence and alternatives as counting pairs throughout
    (the sample made small here; ASCII-only chunks never use it up)."""
    from kg_validation import encoding
    data = b"id;value\n" + b"1;2\n" * ascii_first + _russian_rows(20_000, 5).encode(codec)
    path = write_bytes(data)
    monkeypatch.setattr(encoding, "PATTERN_SAMPLE", None)
    whole = detect_encoding(path, chunk_size=1 << 16)
    monkeypatch.setattr(encoding, "PATTERN_SAMPLE", 50_000)
    sampled = detect_encoding(path, chunk_size=1 << 16)
    assert sampled.encoding == whole.encoding == codec
    assert sampled.ambiguous is whole.ambiguous is False
    assert [name for name, _ in sampled.alternatives] == [name for name, _ in whole.alternatives]
    assert sampled.confidence == pytest.approx(whole.confidence, abs=0.02)
