"""A file read while another thread writes it.

Validation reads the canonical CSV while the normaliser writes it, and the
portal's COPY reads the rows for COPY while validation writes them: each
reader is a step behind its writer, on the other processor, instead of
waiting for the whole file.
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
    writer's exception is raised by the read that reaches the end.

    With ``whole``, a read returns ``size`` bytes unless the file ends
    first (pyarrow's CSV reader takes each read as one of its blocks:
    short reads would cut the rows into small batches)."""

    WAIT = 0.005  # seconds between two looks at the end of the file

    def __init__(self, path: Path, writing: Future, block: int = READ_BLOCK,
                 whole: bool = False) -> None:
        self.path, self.writing, self.block, self._file = Path(path), writing, block, None
        self.whole = whole

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        size = size if size and size > 0 else self.block
        if not self.whole:
            return self._some(size)
        parts, got = [], 0
        while got < size:
            part = self._some(size - got)
            if not part:
                break
            parts.append(part)
            got += len(part)
        return b"".join(parts)

    def _some(self, size: int) -> bytes:
        """Up to ``size`` bytes, at least one unless the file has ended."""
        while True:
            finished = self.writing.done()  # looked at before reading: no row missed
            if self._file is None and self.path.exists():
                self._file = self.path.open("rb")
            block = self._file.read(size) if self._file is not None else b""
            if block:
                return block
            if finished:
                self.writing.result()  # the writer's error, if any
                return b""
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
