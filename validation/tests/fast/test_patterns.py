"""A pattern's RE2 twin never matches a cell Python's ``re`` does not match
(frictionless's ``^pattern$``), and matches the same ASCII cells."""

from __future__ import annotations

import random
import re

import pyarrow as pa
import pyarrow.compute as pc
import pytest

from kg_validation.fast.patterns import translate

PATTERNS = [r"KG\d{11}", r"[А-Яа-яӨөҮүҢң -]+", r"\w+@\w+\.kg", r"a{,3}b?", r"x|y\Z", r"(ab)+|c*",
            r"[^,;]+", r"\s*\S+\s*", r"\bword\b.*", r"(?:0|[1-9]\d*)(?:\.\d+)?", r".{2,4}",
            r"a+?b", r"\Aa\d", r"[a-c][^a-c]"]
ALPHABET = "ab cxyAB019_,;.-@kgKG\n\t\x1cжөҢ٣é"


@pytest.mark.parametrize("pattern", PATTERNS)
def test_rebuilt_pattern_agrees_with_python(pattern):
    generator = random.Random(pattern)
    cells = ["".join(generator.choice(ALPHABET) for _ in range(generator.randint(0, 8)))
             for _ in range(3000)] + ["KG02000000000", "Ысык-Көл", "info@stat.kg", "12.5", "word x"]
    twin = translate(pattern)
    assert twin is not None
    python = [re.compile(f"^{pattern}$").match(cell) is not None for cell in cells]
    arrow = pc.match_substring_regex(pa.array(cells), twin.re2).to_pylist()
    for cell, by_python, by_arrow in zip(cells, python, arrow):
        assert not by_arrow or by_python, (pattern, cell)  # RE2's matches are Python's
        if cell.isascii() or not twin.ascii_only:
            assert by_arrow == by_python or "\n" in cell, (pattern, cell)


@pytest.mark.parametrize("pattern", [r"(?=a)b", r"(a)\1", r"(?i)abc", r"(?<=x)y", "[a-", r"[\d\W]+"])
def test_patterns_re2_cannot_express_are_left_to_python(pattern):
    assert translate(pattern) is None
