"""The byte statistics give exactly what the regular expressions over the
decoded text gave, on random bytes (runs, pairs, overlapping matches)."""

from __future__ import annotations

import random
import re

import pytest

from kg_validation.byte_statistics import ByteStatistics, byte_classes, high_bytes_in_runs
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
    assert statistics.bytes == [sum(chunk.count(bytes([value])) for chunk in chunks) for value in range(256)]
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
