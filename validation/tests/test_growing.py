"""A file read while another thread writes it (``growing.GrowingFile``)."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from kg_validation.growing import GrowingFile

LINES = b"".join(b"%d,\xd0\x96\xd0\xb8\xd1\x82\xd0\xb5\xd0\xbb\xd1\x8c %d\n" % (n, n)
                 for n in range(20_000))


def written_slowly(path, data, step=4096, failure=None):
    """Write `data` to `path` a step at a time, then raise `failure` if given."""
    with path.open("wb") as out:
        for start in range(0, len(data), step):
            out.write(data[start:start + step])
            out.flush()
            time.sleep(0.0005)
    if failure is not None:
        raise failure


def test_reads_follow_the_writer_until_the_file_ends(tmp_path):
    path = tmp_path / "rows.csv"
    with ThreadPoolExecutor(1) as pool:
        writing = pool.submit(written_slowly, path, LINES)
        with GrowingFile(path, writing) as growing:
            reads = list(iter(lambda: growing.read(50_000), b""))
    assert b"".join(reads) == LINES
    assert all(0 < len(read) <= 50_000 for read in reads)


def test_the_writers_error_is_raised_at_the_end(tmp_path):
    path = tmp_path / "rows.csv"
    with ThreadPoolExecutor(1) as pool:
        writing = pool.submit(written_slowly, path, LINES, failure=OSError(28, "No space left"))
        read = GrowingFile(path, writing).read
        got = []
        with pytest.raises(OSError, match="No space left"):
            while True:
                block = read(1 << 16)
                got.append(bytes(block))
                assert threading.current_thread() is threading.main_thread()
    assert b"".join(got) == LINES
