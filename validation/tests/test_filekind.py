from __future__ import annotations

import pytest

from kg_validation.filekind import UnreadableFile, inspect_file, longest_line, looks_binary


@pytest.mark.parametrize("chunk_size", [1, 3, 7, 1 << 20])
def test_longest_line_across_chunks(write_bytes, chunk_size):
    path = write_bytes(b"ab\r\nabcdefgh\rabc\nabcde")
    assert longest_line(path, chunk_size) == 8


def test_inspect_file_kinds(write_bytes, tmp_path):
    assert inspect_file(write_bytes(b"")).kind == "empty"
    assert inspect_file(write_bytes(b"%PDF-1.7")).kind == "pdf"
    assert inspect_file(write_bytes(b"id,name\n")).kind == "text"
    with pytest.raises(UnreadableFile) as error:
        inspect_file(tmp_path)
    assert error.value.code == "file-not-found"


def test_looks_binary():
    assert looks_binary("id,name\n1,Ош\x00\n") is False  # a stray NUL: refused by its cell
    assert looks_binary("\x01\x02\x03" * 10) is True
