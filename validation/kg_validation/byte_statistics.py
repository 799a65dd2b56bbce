"""What the encoding detector counts, from the bytes themselves.

In a single-byte codec every byte is one character, so how many characters
of a class a chunk decodes to is a sum over the chunk's byte counts
(pyarrow's ``value_counts``), and a two-character pattern is counted on the
chunk translated to one symbol per class (``bytes.translate``, then
``bytes.count`` or a regular expression over those symbols): no chunk is
decoded. Printable ASCII, tab and line breaks (``PLAIN``: every codec
decodes them alike, and none is evidence for or against one) are counted
together only: ``value_counts`` is given the chunk without them, a fifth or
less of a Cyrillic table's bytes, which made counting three times faster.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

import pyarrow as pa
import pyarrow.compute as pc

HIGH = bytes(ord("h") if value >= 0x80 else ord(".") for value in range(256))
PLAIN = bytes(range(0x20, 0x7F)) + b"\t\n\x0c\r"  # counted together, in ``plain``


@dataclass
class ByteStatistics:
    """Counts over a file, chunk by chunk (patterns never span two chunks)."""

    bytes: list[int] = field(default_factory=lambda: [0] * 256)  # 0 for each byte of PLAIN
    plain: int = 0  # the bytes of PLAIN, all together
    high: int = 0  # the bytes >= 0x80
    high_bytes_in_runs_at_least: int = 0  # a lower bound: 3 * non-overlapping runs of three
    pairs: dict[tuple, int] = field(default_factory=dict)  # (codec, first, second) -> pairs
    alternations: dict[tuple, int] = field(default_factory=dict)  # (codec, a, b) -> "ab|ba" matches
    high_bytes_in_patterns: int = 0  # the bytes >= 0x80 of the chunks whose patterns were counted

    def add(self, chunk: bytes, pairs: list[tuple], alternations: list[tuple],
            pattern_budget: int | None = None, runs_wanted: float | None = None) -> None:
        """Count the chunk's bytes, ``pairs`` (codec, first class, second class: a
        character of one followed by one of the other) and ``alternations``
        (codec, class a, class b: matches of ``ab|ba`` as ``re.findall`` counts them).
        Patterns (of letters, so of bytes >= 0x80) are counted only in chunks
        that have such bytes, until ``pattern_budget`` of them were seen in
        counted chunks (``high_bytes_in_patterns``); ``None``: in every chunk.
        With ``runs_wanted``, runs of high bytes are counted in this chunk only
        if the lower bound is below ``runs_wanted`` times the bytes >= 0x80 so
        far (it stays a lower bound; a caller whose threshold it does not
        reach counts exactly, :func:`high_bytes_in_runs`)."""
        telling = chunk.translate(None, PLAIN)
        self.plain += len(chunk) - len(telling)
        values = pa.Array.from_buffers(pa.uint8(), len(telling), [None, pa.py_buffer(telling)])
        counts = pc.value_counts(values)
        high = 0
        for value, count in zip(counts.field("values").to_pylist(), counts.field("counts").to_pylist()):
            self.bytes[value] += count
            high += count if value >= 0x80 else 0
        self.high += high
        if runs_wanted is None or self.high_bytes_in_runs_at_least < runs_wanted * self.high:
            self.high_bytes_in_runs_at_least += 3 * chunk.translate(HIGH).count(b"hhh")
        if not high or (pattern_budget is not None and self.high_bytes_in_patterns >= pattern_budget):
            return
        self.high_bytes_in_patterns += high
        classes: dict[str, list[str]] = {}  # codec -> the classes its patterns use
        for codec, *patterns in pairs + alternations:
            classes.setdefault(codec, [])
            classes[codec] += [pattern for pattern in patterns if pattern not in classes[codec]]
        symbols = {codec: _translated(chunk, codec, tuple(names)) for codec, names in classes.items()}
        for key in pairs:
            text, symbol = symbols[key[0]]
            self.pairs[key] = self.pairs.get(key, 0) + text.count(symbol[key[1]] + symbol[key[2]])
        for key in alternations:
            text, symbol = symbols[key[0]]
            first, second = symbol[key[1]], symbol[key[2]]
            found = len(_alternation(first, second).findall(text)) if first in text else 0
            self.alternations[key] = self.alternations.get(key, 0) + found

    def seen(self) -> set[int]:
        """The bytes outside PLAIN that occur."""
        return {value for value, count in enumerate(self.bytes) if count}

    def count(self, values: frozenset[int]) -> int:
        """How many bytes of ``values`` (none of PLAIN: those are not counted one by one)."""
        if not values.isdisjoint(PLAIN_VALUES):
            raise ValueError("bytes of PLAIN are counted together only")
        return sum(self.bytes[value] for value in values)


PLAIN_VALUES = frozenset(PLAIN)


def high_bytes_in_runs(chunk: bytes) -> int:
    """How many of the chunk's bytes >= 0x80 stand in runs of three or more:
    all but the runs of one and two, counted with every other byte doubled (so
    that two short runs never share the byte between them)."""
    high = len(chunk) - chunk.translate(HIGH).count(b".")
    symbols = b"." + chunk.translate(HIGH).replace(b".", b"..") + b"."
    return high - symbols.count(b".h.") - 2 * symbols.count(b".hh.")


SYMBOLS = b"abcdefghij"


def _translated(chunk: bytes, codec: str, classes: tuple[str, ...]) -> tuple[bytes, dict[str, bytes]]:
    table, symbol = _table(codec, classes)
    return chunk.translate(table), symbol


@lru_cache(maxsize=None)
def _table(codec: str, classes: tuple[str, ...]) -> tuple[bytes, dict[str, bytes]]:
    """A translation table: the bytes of each class (classes must not share a
    byte) become one symbol, any other byte ``.``; and each class's symbol."""
    members = [byte_classes(codec, pattern) for pattern in classes]
    if sum(map(len, members)) != len(frozenset().union(*members)):
        raise ValueError(f"classes {classes} share bytes in {codec}")
    table = bytes(next((SYMBOLS[index] for index, one in enumerate(members) if value in one), 46)
                  for value in range(256))
    return table, {pattern: SYMBOLS[index:index + 1] for index, pattern in enumerate(classes)}


@lru_cache(maxsize=None)
def _alternation(first: bytes, second: bytes) -> re.Pattern:
    return re.compile(re.escape(first + second) + b"|" + re.escape(second + first))


@lru_cache(maxsize=None)
def byte_classes(codec: str, pattern: str) -> frozenset[int]:
    """The bytes that ``codec`` decodes to a character matched by ``pattern``."""
    compiled = re.compile(pattern)
    return frozenset(value for value in range(256)
                     if compiled.fullmatch(bytes([value]).decode(codec, errors="replace")))
