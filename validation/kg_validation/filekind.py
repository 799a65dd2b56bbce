"""Tell what kind of file an upload really is, from its first bytes and size.

A spreadsheet renamed ``.csv`` or an image renamed ``.csv`` must be refused
with a clear reason before any decoder sees it; a file over the size limit is
refused before it is read at all.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

MAGIC_NUMBERS = (
    (b"PK\x03\x04", "zip"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "ole2"),
    (b"%PDF", "pdf"),
    (b"\x89PNG", "png"),
    (b"\xff\xd8\xff", "jpeg"),
    (b"GIF8", "gif"),
    (b"\x1f\x8b", "gzip"),
    (b"7z\xbc\xaf", "7z"),
    (b"Rar!", "rar"),
    (b"\x7fELF", "elf"),
)
DEFAULT_MAX_BYTES = 2 * 1024**3


class UnreadableFile(Exception):
    """The file cannot be read as a table; ``code`` names the reason, and
    ``row`` and ``field`` (1-based) where it was found, when it was in a cell."""

    def __init__(self, code: str, detail: str = "", *,
                 row: int | None = None, field: int | None = None) -> None:
        super().__init__(detail or code)
        self.code = code
        self.detail = detail
        self.row = row
        self.field = field


@dataclass
class FileKind:
    size: int
    kind: str  # "text", "empty" or a container/binary name from MAGIC_NUMBERS


def inspect_file(path: str | Path, max_bytes: int = DEFAULT_MAX_BYTES) -> FileKind:
    """Check existence, size limit and magic number; never reads the whole file."""
    path = Path(path)
    if not path.is_file():
        raise UnreadableFile("file-not-found", str(path))
    size = os.path.getsize(path)
    if size > max_bytes:
        raise UnreadableFile("file-too-large", f"{size} > {max_bytes} bytes")
    if size == 0:
        return FileKind(size, "empty")
    with path.open("rb") as handle:
        head = handle.read(16)
    for magic, kind in MAGIC_NUMBERS:
        if head.startswith(magic):
            return FileKind(size, kind)
    return FileKind(size, "text")


CONTROL_CHARS = frozenset(chr(code) for code in range(32) if chr(code) not in "\t\n\r\f")


def looks_binary(text: str) -> bool:
    """Decoded text of which over 5% (and over 8) are control characters is not a table."""
    if not text:
        return False
    controls = sum(map(text.count, CONTROL_CHARS))
    return controls > 8 and controls > 0.05 * len(text)


def longest_line(path: str | Path, chunk_size: int = 1 << 20) -> int:
    """Length in bytes of the longest line (CR, LF or CRLF), streaming the file."""
    longest, carry = 0, 0
    with Path(path).open("rb") as handle:
        while chunk := handle.read(chunk_size):
            lines = chunk.replace(b"\r", b"\n").split(b"\n")
            if len(lines) == 1:
                carry += len(lines[0])
                continue
            longest = max(longest, carry + len(lines[0]), max(map(len, lines[1:-1]), default=0))
            carry = len(lines[-1])
    return max(longest, carry)


def lines_shorter_than(path: str | Path, limit: int, chunk_size: int = 1 << 20) -> bool:
    """Quick test: True when every line (CR, LF or CRLF) is certainly shorter than ``limit`` bytes.

    Every aligned window of ``limit // 2`` bytes must hold a line break: a
    line of ``limit`` bytes or more always covers one such window whole. A
    ``False`` only means "maybe": ask :func:`longest_line` for the exact answer.
    """
    window = max(limit // 2, 1)
    chunk_size = max(chunk_size - chunk_size % window, window)
    with Path(path).open("rb") as handle:
        while chunk := handle.read(chunk_size):
            for start in range(0, len(chunk) - window + 1, window):
                end = start + window
                if chunk.find(b"\n", start, end) < 0 and chunk.find(b"\r", start, end) < 0:
                    return False
    return True
