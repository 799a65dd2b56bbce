"""A file read while another thread writes it (``growing.GrowingFile``)."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pyarrow as pa
import pyarrow.csv as pacsv
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


def test_whole_reads_wait_for_their_size_until_the_file_ends(tmp_path):
    path = tmp_path / "rows.csv"
    with ThreadPoolExecutor(1) as pool:
        writing = pool.submit(written_slowly, path, LINES)
        with GrowingFile(path, writing, whole=True) as growing:
            reads = list(iter(lambda: growing.read(50_000), b""))
    assert b"".join(reads) == LINES
    assert [len(read) for read in reads[:-1]] == [50_000] * (len(LINES) // 50_000)


def test_pyarrow_reads_into_its_own_buffers(tmp_path):
    """pyarrow asks for `read_buffer`: the blocks land in its memory pool,
    not in bytes objects of the C heap."""
    path = tmp_path / "rows.csv"
    asked = []

    class Counted(GrowingFile):
        def read_buffer(self, size=-1):
            found = super().read_buffer(size)
            asked.append(found)
            return found

    with ThreadPoolExecutor(1) as pool:
        writing = pool.submit(written_slowly, path, b"id,name\n" + LINES)
        table = pacsv.open_csv(Counted(path, writing, whole=True),
                               read_options=pacsv.ReadOptions(block_size=1 << 16)).read_all()
    assert table.num_rows == 20_000 and table.column("name")[19_999].as_py() == "Житель 19999"
    assert all(isinstance(found, pa.Buffer) for found in asked) and len(asked) > 3
    assert b"".join(found.to_pybytes() for found in asked) == b"id,name\n" + LINES


@pytest.mark.parametrize("how", ["read", "read_buffer"])
def test_the_writers_error_is_raised_at_the_end(tmp_path, how):
    path = tmp_path / "rows.csv"
    with ThreadPoolExecutor(1) as pool:
        writing = pool.submit(written_slowly, path, LINES, failure=OSError(28, "No space left"))
        growing = GrowingFile(path, writing, whole=True)
        read = getattr(growing, how)
        got = []
        with pytest.raises(OSError, match="No space left"):
            while True:
                block = read(1 << 16)
                got.append(bytes(block))
                assert threading.current_thread() is threading.main_thread()
    assert b"".join(got) == LINES
