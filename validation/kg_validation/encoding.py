"""Detect the character encoding of a text file, reading the whole file.

The detector knows the encodings Kyrgyz agencies really upload: UTF-8 (with
or without BOM), UTF-16 LE/BE (with or without BOM), Windows-1251, Mac
Cyrillic and CP866; Latin-1 is offered only for text that is not Cyrillic.

Single-byte candidates are scored on the decoded text: frequent Cyrillic
letters count for a candidate, characters that do not occur in Russian or
Kyrgyz text (box drawing, control characters, typographic symbols, Serbian
letters, an upper-case letter inside a lower-case word) count against it.
The file is streamed in chunks, so memory stays bounded. When two candidates
would give different text and score alike (the margin required grows when
there are few non-ASCII bytes), the result is marked ambiguous instead of
silently picking one; candidates that decode the file to the same text
(e.g. lower-case-only text in Windows-1251 and Mac Cyrillic) are not rivals.

``first_guess`` scores a long single-byte file's first bytes only, so that
validation can start decoding while the whole file is scored; its answer
counts only where the whole file's is the same (``same_reading``).
"""

from __future__ import annotations

import codecs
import struct
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa

from .byte_statistics import ByteStatistics, byte_classes, high_bytes_in_runs

CHUNK_SIZE = 1 << 20
# the bytes a first guess is made from (`first_guess`)
GUESS_SAMPLE = 4 << 20
# The letter-pair patterns (case breaks, glued dashes) are counted in the
# chunks that hold the first PATTERN_SAMPLE non-ASCII bytes: their rate per
# non-ASCII byte is settled long before, and counting them was most of the
# detector's time on a large file. Byte counts, which also say which bytes
# occur at all, cover the whole file.
PATTERN_SAMPLE = 1_000_000
SINGLE_BYTE_CYRILLIC = ("cp1251", "mac_cyrillic", "cp866")
AMBIGUITY_MARGIN = 0.15
# Fewer of the non-ASCII bytes than this share in runs of three or more:
# isolated accented letters of Western text, not Cyrillic words.
LATIN_RUNS = 0.3
MIN_EVIDENCE = 20

# character classes counted in the candidates' text (one character each)
COMMON_LETTERS = "[оеаинтсрвлкыөүң]"
CYRILLIC = "[\u0400-\u04ff]"
UNLIKELY = (
    "[\x00-\x08\x0b\x0e-\x1f\x7f\ufffd\u2500-\u259f\u2219\u221a\u2248\u2260"
    "\u2264\u2265\u221e\u2206\u0192\u2020\u2021\u2030\u2039\u203a\u2122\u2022"
    "\u00a4\u00a6\u00a7\u00a9\u00ae\u00b5\u00b6\u00ac\u00ad"
    "\u0402\u0403\u0453\u0409\u040a\u040c\u040b\u040f\u0452\u0459\u045a"
    "\u045c\u045b\u045f\u040e\u045e\u0408\u0458\u0405\u0455\u0490\u0491"
    "\u20ac\u00f7\u201e]"
)
DASH = "[\u2013\u2014\u00a0]"  # glued to a lower-case letter on either side: counts against
LOWER, UPPER = "[а-яё]", "[А-ЯЁ]"  # a case break: lower case then upper case

BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


@dataclass
class EncodingResult:
    """What the detector found: the encoding, how sure it is, and the rest."""

    encoding: str
    confidence: float
    alternatives: list[tuple[str, float]] = field(default_factory=list)
    ambiguous: bool = False
    bom: bool = False
    note: str = ""

    @property
    def python_codec(self) -> str:
        """The codec to open the file with (BOM-aware)."""
        if self.bom and self.encoding.startswith("utf-16"):
            return "utf-16"
        return self.encoding

    def to_dict(self) -> dict:
        return {
            "encoding": self.encoding,
            "confidence": round(self.confidence, 3),
            "alternatives": [
                {"encoding": name, "confidence": round(conf, 3)}
                for name, conf in self.alternatives
            ],
            "ambiguous": self.ambiguous,
            "bom": self.bom,
            "note": self.note,
        }


def detect_encoding(path: str | Path, chunk_size: int = CHUNK_SIZE) -> EncodingResult:
    """Detect the encoding of the file at ``path``, streaming all of it."""
    path = Path(path)
    with path.open("rb") as handle:
        head = handle.read(4)
    for bom, name in BOMS:
        if head.startswith(bom):
            return EncodingResult(name, 1.0, bom=True, note="byte order mark")
    utf16 = _bomless_utf16(path)
    if utf16 and _decodes_fully(path, utf16, chunk_size):
        return EncodingResult(utf16, 0.9, note="UTF-16 without byte order mark")
    if _decodes_fully(path, "utf-8", chunk_size):
        return EncodingResult("utf-8", 1.0)
    return _detect_single_byte(path, chunk_size)


def _bomless_utf16(path: Path) -> str | None:
    """Spot UTF-16 without BOM: one byte of each pair takes very few values."""
    with path.open("rb") as handle:
        sample = handle.read(4096)
    sample = sample[: len(sample) - len(sample) % 2]
    if len(sample) < 8:
        return None
    even, odd = sample[0::2], sample[1::2]
    if _concentrated(odd) and not _concentrated(even):
        return "utf-16-le"
    if _concentrated(even) and not _concentrated(odd):
        return "utf-16-be"
    return None


def _concentrated(half: bytes) -> bool:
    """True when two byte values (e.g. 0x00 and 0x04) make up nearly all."""
    counts = sorted((half.count(value) for value in set(half)), reverse=True)
    return sum(counts[:2]) >= 0.95 * len(half) and 0 in half


def utf8_array(data: bytes) -> pa.Array | None:
    """``data`` as a one-string Arrow array if it is strict UTF-8, else ``None``.

    Arrow validates UTF-8 vectorised and no copy of ``data`` is made; it
    refuses what Python's strict ``utf-8`` codec refuses (overlong forms,
    surrogates, code points above U+10FFFF, cut sequences).
    """
    offsets = pa.py_buffer(struct.pack("<ii", 0, len(data)))
    binary = pa.Array.from_buffers(pa.binary(), 1, [None, offsets, pa.py_buffer(data)])
    try:
        return binary.cast(pa.string())
    except pa.ArrowInvalid:
        return None


def _last_char_start(data: bytes) -> int:
    """Where the last (maybe incomplete) UTF-8 character of ``data`` starts."""
    for index in range(len(data) - 1, max(len(data) - 4, 0) - 1, -1):
        if data[index] < 0x80:
            return index + 1
        if data[index] >= 0xC0:
            return index
    return len(data)


def _utf8_fully(path: Path, chunk_size: int) -> bool:
    """Strict UTF-8 from start to end, checked with :func:`utf8_array` chunk by chunk."""
    carry = b""
    with path.open("rb") as handle:
        while chunk := handle.read(chunk_size):
            data = carry + chunk if carry else chunk
            cut = _last_char_start(data)
            if utf8_array(data[:cut]) is None:
                return False
            carry = data[cut:]
    return utf8_array(carry) is not None


def _decodes_fully(path: Path, codec: str, chunk_size: int) -> bool:
    if codec == "utf-8":
        return _utf8_fully(path, chunk_size)
    decoder = codecs.getincrementaldecoder(codec)("strict")
    try:
        with path.open("rb") as handle:
            while chunk := handle.read(chunk_size):
                decoder.decode(chunk)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


@dataclass
class _Evidence:
    """Counts gathered over the whole file (letter pairs over its first
    ``PATTERN_SAMPLE`` non-ASCII bytes) for the single-byte candidates."""

    high_bytes: int = 0
    high_bytes_in_runs: int = 0
    seen: set[int] = field(default_factory=set)
    scores: dict[str, float] = field(default_factory=dict)


def first_guess(path: str | Path, sample: int | None = None) -> EncodingResult | None:
    """What :func:`detect_encoding` says of the file's first ``sample``
    bytes, when reading the whole file takes it longer: the file is longer
    than that, has no byte order mark and its start is neither UTF-16 nor
    UTF-8 (a whole file's UTF-8 is checked at disk speed), so the
    single-byte candidates are scored. ``None`` otherwise. A caller may
    start decoding with the guess only if the whole file's answer is the
    same (:func:`same_reading`)."""
    path, sample = Path(path), sample or GUESS_SAMPLE
    if path.stat().st_size <= sample:
        return None
    with path.open("rb") as handle:
        head = handle.read(sample)
    if any(head.startswith(bom) for bom, _ in BOMS) or _bomless_utf16(path):
        return None
    if utf8_array(head[:_last_char_start(head)]) is not None:
        return None
    return _single_byte([head[i:i + CHUNK_SIZE] for i in range(0, len(head), CHUNK_SIZE)])


def same_reading(first: EncodingResult, second: EncodingResult) -> bool:
    """Whether the two results decode the file alike and say the same of it
    (the codec, a byte order mark, the ambiguity and the rival named)."""
    def said(result: EncodingResult) -> tuple:
        rival = result.alternatives[0][0] if result.ambiguous and result.alternatives else None
        return result.python_codec, result.encoding, result.bom, result.ambiguous, rival
    return said(first) == said(second)


def _detect_single_byte(path: Path, chunk_size: int) -> EncodingResult:
    return _single_byte(_chunks(path, chunk_size))


class _chunks:
    """The file's chunks, each time it is iterated."""

    def __init__(self, path: Path, chunk_size: int) -> None:
        self.path, self.chunk_size = path, chunk_size

    def __iter__(self):
        with self.path.open("rb") as handle:
            while chunk := handle.read(self.chunk_size):
                yield chunk


def _single_byte(chunks) -> EncodingResult:
    """The best single-byte candidate for the text of ``chunks`` (iterable
    more than once)."""
    evidence = _gather_evidence(chunks)
    if evidence.high_bytes and evidence.high_bytes_in_runs < LATIN_RUNS * evidence.high_bytes:
        return _latin1(evidence)
    ranked = _ranked(evidence)
    best, best_score = ranked[0]
    rivals = [score for name, score in ranked[1:] if not _same_text(best, name, evidence.seen)]
    rival_score = rivals[0] if rivals else None
    required = AMBIGUITY_MARGIN * max(1.0, MIN_EVIDENCE / max(evidence.high_bytes, 1))
    ambiguous = rival_score is not None and best_score - rival_score < required
    confidence = _confidence(best_score, rival_score, evidence.high_bytes)
    note = "two encodings are plausible: please choose" if ambiguous else ""
    return EncodingResult(best, confidence, ranked[1:], ambiguous=ambiguous, note=note)


def _latin1(evidence: _Evidence) -> EncodingResult:
    """Isolated non-ASCII bytes between Latin letters: Western text, not Cyrillic."""
    few = evidence.high_bytes < MIN_EVIDENCE
    note = "two encodings are plausible: please choose" if few else (
        "isolated non-ASCII bytes between Latin letters: not Cyrillic"
    )
    return EncodingResult(
        "latin-1", 0.5 if few else 0.8, _ranked(evidence)[:2], ambiguous=few, note=note
    )


def _gather_evidence(chunks) -> _Evidence:
    """Letter statistics of each candidate, from byte counts (:mod:`.byte_statistics`)."""
    evidence = _Evidence()
    statistics = ByteStatistics()
    case_breaks = [(name, LOWER, UPPER) for name in SINGLE_BYTE_CYRILLIC]
    glued_dashes = [(name, DASH, LOWER) for name in SINGLE_BYTE_CYRILLIC]
    for chunk in chunks:
        statistics.add(chunk, case_breaks, glued_dashes, PATTERN_SAMPLE, LATIN_RUNS)
    evidence.seen = statistics.seen()
    evidence.high_bytes = statistics.high
    evidence.high_bytes_in_runs = statistics.high_bytes_in_runs_at_least
    if evidence.high_bytes_in_runs < LATIN_RUNS * evidence.high_bytes:  # the bound does not settle it
        evidence.high_bytes_in_runs = sum(high_bytes_in_runs(chunk) for chunk in chunks)
    for name in SINGLE_BYTE_CYRILLIC:
        good = statistics.count(byte_classes(name, COMMON_LETTERS))
        bad = statistics.count(byte_classes(name, UNLIKELY))
        breaks = statistics.pairs[(name, LOWER, UPPER)] + statistics.alternations[(name, DASH, LOWER)]
        cyrillic = statistics.count(byte_classes(name, CYRILLIC))
        non_ascii = max(evidence.high_bytes, 1)
        breaks_rate = breaks / max(statistics.high_bytes_in_patterns, 1)  # per sampled byte
        evidence.scores[name] = (good - 3 * bad + 0.2 * cyrillic) / non_ascii - 3 * breaks_rate
    return evidence


def _ranked(evidence: _Evidence) -> list[tuple[str, float]]:
    ranked = sorted(evidence.scores.items(), key=lambda item: item[1], reverse=True)
    return [(name, _clamp(score)) for name, score in ranked]


def _same_text(first: str, second: str, seen: set[int]) -> bool:
    """Two codecs are interchangeable if every byte present maps alike."""
    high = bytes(sorted(b for b in seen if b >= 0x80))
    return high.decode(first, errors="replace") == high.decode(second, errors="replace")


def _confidence(best: float, rival: float | None, evidence: int) -> float:
    """0.5 when a rival decodes as well, towards 1.0 with margin and evidence."""
    margin = 0.5 if rival is None else max(best - rival, 0.0)
    certainty = min(1.0, margin / 0.5) * min(1.0, evidence / 200)
    return _clamp(0.5 + 0.5 * certainty)


def _clamp(value: float) -> float:
    return max(0.0, min(1.0, value))
