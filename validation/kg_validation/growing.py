"""A file read while another thread writes it.

The portal's COPY reads the rows for COPY while validation writes them (and
the rows it converts while it converts them): the reader is a step behind
its writer, on the other processor, instead of waiting for the whole file.
"""

from __future__ import annotations

import io
import time
from concurrent.futures import Future
from pathlib import Path

READ_BLOCK = 1 << 20  # bytes a read without a size returns at most


class GrowingFile(io.RawIOBase):
    """The file at ``path`` as ``writing`` (a future) writes it: at its
    current end a read waits for more, until the writer is done; the
    writer's exception is raised by the read that reaches the end."""

    WAIT = 0.005  # seconds between two looks at the end of the file

    def __init__(self, path: Path, writing: Future, block: int = READ_BLOCK) -> None:
        self.path, self.writing, self.block, self._file = Path(path), writing, block, None

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        """At most ``size`` bytes, at least one unless the file ended."""
        size = size if size and size > 0 else self.block
        return self._next(lambda file: file.read(size))

    def _next(self, take):
        """What ``take(file)`` reads: at least a byte, unless the file ended
        (then the writer's error, if any, is raised)."""
        while True:
            finished = self.writing.done()  # looked at before reading: no row missed
            if self._file is None and self.path.exists():
                self._file = self.path.open("rb")
            found = take(self._file) if self._file is not None else b""
            if found:
                return found
            if finished:
                self.writing.result()  # the writer's error, if any
                return found
            time.sleep(self.WAIT)

    def readinto(self, buffer) -> int:
        """For ``io.BufferedReader``: a read into ``buffer``."""
        block = self.read(len(buffer))
        buffer[:len(block)] = block
        return len(block)

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
        super().close()
