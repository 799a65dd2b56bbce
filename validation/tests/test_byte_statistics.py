"""The byte statistics give exactly what the regular expressions over the
decoded text gave, on random bytes (runs, pairs, overlapping matches)."""

from __future__ import annotations

import random
import re

import pytest

from kg_validation.byte_statistics import (
    PLAIN,
    ByteStatistics,
    byte_classes,
    high_bytes_in_runs,
)
from kg_validation.encoding import DASH, LOWER, SINGLE_BYTE_CYRILLIC, UPPER


def _chunks(seed: int) -> list[bytes]:
    generator = random.Random(seed)
    alphabet = list(range(256)) + list(b"\x80\x96\xa0\xe0\xc0\xff  ab") * 20
    return [bytes(generator.choice(alphabet) for _ in range(generator.randint(0, 400))) for _ in range(20)]


@pytest.mark.parametrize("seed", range(5))
def test_counts_are_the_regular_expressions_counts(seed):
    chunks = _chunks(seed)
    statistics = ByteStatistics()
    pairs = [(name, LOWER, UPPER) for name in SINGLE_BYTE_CYRILLIC]
    alternations = [(name, DASH, LOWER) for name in SINGLE_BYTE_CYRILLIC]
    for chunk in chunks:
        statistics.add(chunk, pairs, alternations)
    assert statistics.bytes == [0 if value in PLAIN else sum(chunk.count(bytes([value])) for chunk in chunks)
                                for value in range(256)]
    assert statistics.plain == sum(chunk.count(bytes([value])) for chunk in chunks for value in PLAIN)
    assert statistics.high == sum(len(chunk) - len(chunk.translate(None, bytes(range(0x80, 0x100))))
                                  for chunk in chunks)
    in_runs = sum(len(run) for chunk in chunks for run in re.findall(rb"[\x80-\xff]{3,}", chunk))
    assert sum(high_bytes_in_runs(chunk) for chunk in chunks) == in_runs
    assert statistics.high_bytes_in_runs_at_least <= in_runs
    for name in SINGLE_BYTE_CYRILLIC:
        texts = [chunk.decode(name, errors="replace") for chunk in chunks]
        assert statistics.pairs[(name, LOWER, UPPER)] == sum(
            len(re.findall(LOWER + UPPER, text)) for text in texts)
        assert statistics.alternations[(name, DASH, LOWER)] == sum(
            len(re.findall(f"{DASH}{LOWER}|{LOWER}{DASH}", text)) for text in texts)


def test_byte_classes_decode_to_the_class():
    assert byte_classes("cp1251", LOWER) == frozenset(range(0xE0, 0x100)) | {0xB8}
    assert byte_classes("cp866", DASH) == frozenset({0xFF})


def test_plain_bytes_are_never_counted_one_by_one():
    statistics = ByteStatistics()
    statistics.add(b"ab\t\xe0\x01", [], [])
    assert statistics.count(frozenset({0xE0, 0x01})) == 2
    with pytest.raises(ValueError):
        statistics.count(frozenset({ord("a")}))


@pytest.mark.parametrize("seed", range(3))
def test_runs_counted_while_wanted_stay_a_lower_bound(seed):
    """With ``runs_wanted``, chunks are skipped while the bound is ahead of
    the share asked for; it never exceeds the exact count, and reaches the
    share wherever counting every chunk did."""
    generator = random.Random(seed)
    words = [bytes(generator.choice(range(0xC0, 0x100)) for _ in range(generator.randint(1, 9)))
             for _ in range(50)]
    chunks = [b" ".join(generator.choice(words) for _ in range(300)) for _ in range(30)]
    every, wanted = ByteStatistics(), ByteStatistics()
    for chunk in chunks:
        every.add(chunk, [], [])
        wanted.add(chunk, [], [], runs_wanted=0.3)
    exact = sum(high_bytes_in_runs(chunk) for chunk in chunks)
    assert wanted.high_bytes_in_runs_at_least <= every.high_bytes_in_runs_at_least <= exact
    assert (wanted.high_bytes_in_runs_at_least >= 0.3 * wanted.high) is (
        every.high_bytes_in_runs_at_least >= 0.3 * every.high)
