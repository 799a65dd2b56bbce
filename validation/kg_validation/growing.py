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

import pyarrow as pa

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
        parts, got = [], 0
        while got < size:
            part = self._next(lambda file: file.read(size - got), raise_error=not parts)
            if not part:
                break
            parts.append(part)
            got += len(part)
            if not self.whole:
                break
        return b"".join(parts)

    def read_buffer(self, size: int = -1) -> pa.Buffer:
        """``read``, into a buffer of pyarrow's memory pool: pyarrow asks a
        Python file for this first. Bytes objects of this size come from
        the C heap, which a reader and a writer in two threads fragment
        (kg-validate's peak at ten million rows: 532 MiB with them)."""
        size = size if size and size > 0 else self.block
        buffer = pa.allocate_buffer(size, resizable=True)
        view, got = memoryview(buffer), 0
        while got < size:
            count = self._next(lambda file: file.readinto(view[got:]), raise_error=not got)
            if not count:
                break
            got += count
            if not self.whole:
                break
        view.release()
        buffer.resize(got)
        return buffer

    def _next(self, take, raise_error: bool = True):
        """What ``take(file)`` reads: at least a byte, unless the file ended
        (then the writer's error, if any, unless a read has bytes to give
        first: the next read raises it)."""
        while True:
            finished = self.writing.done()  # looked at before reading: no row missed
            if self._file is None and self.path.exists():
                self._file = self.path.open("rb")
            found = take(self._file) if self._file is not None else 0
            if found:
                return found
            if finished:
                if raise_error:
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
