"""A stored file's checksum is read once and kept with what identifies its
content (`gate/checksums.py`), never trusted for a file that changed or
may still be changing."""
import hashlib
import os
import time

import pytest
import sqlalchemy as sa
from ckan import model

from ckanext.kg.publishing.gate import checksums
from ckanext.kg.tests.conftest import portal_schema

pytestmark = [*portal_schema]


def sha256(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def kept(path):
    with model.meta.engine.connect() as connection:
        if not sa.inspect(connection).has_table(checksums.TABLE):
            return None
        row = connection.execute(sa.text(
            f"SELECT identity, checksum FROM {checksums.TABLE} WHERE path = :p"),
            {"p": str(path)}).first()
    return tuple(row) if row else None


def forget_in_memory():
    checksums._memory.clear()  # as a new process: what the database keeps


@pytest.fixture
def settled_at_once(monkeypatch):
    """Files taken as settled the moment they are written (else a test
    would wait SETTLE_NS)."""
    monkeypatch.setattr(checksums, "SETTLE_NS", 0)


@pytest.fixture
def table(tmp_path):
    path = tmp_path / "table.csv"
    path.write_bytes(b"id,name\n1,one\n")
    return path


def test_a_settled_file_is_read_once_and_its_checksum_kept(table, settled_at_once):
    assert checksums.of(table) == sha256(b"id,name\n1,one\n")
    assert kept(table) == (checksums.identity(os.stat(table)), sha256(b"id,name\n1,one\n"))

    # another process finds it kept and does not read the file: shown by
    # a kept value no reading would give
    with model.meta.engine.begin() as connection:
        connection.execute(sa.text(
            f"UPDATE {checksums.TABLE} SET checksum = 'sha256:kept' WHERE path = :p"),
            {"p": str(table)})
    forget_in_memory()
    assert checksums.of(table) == "sha256:kept"


def test_a_file_replaced_or_rewritten_is_read_again(table, settled_at_once):
    checksums.of(table)
    replacement = table.with_name("new.csv")
    replacement.write_bytes(b"id,name\n2,two\n")  # the same size
    os.replace(replacement, table)  # as an upload is named: a new inode
    assert checksums.of(table) == sha256(b"id,name\n2,two\n")

    time.sleep(0.05)  # past the clock tick of the last change
    with open(table, "r+b") as stream:  # in place, as CKAN's own copy writes
        stream.write(b"id,name\n3,six\n")
    assert checksums.of(table) == sha256(b"id,name\n3,six\n")
    forget_in_memory()
    assert checksums.of(table) == sha256(b"id,name\n3,six\n")


def test_a_file_just_written_is_read_but_not_kept(table):
    assert checksums.of(table) == sha256(b"id,name\n1,one\n")
    assert kept(table) is None
    with open(table, "r+b") as stream:  # within the same tick, the same size
        stream.write(b"id,name\n9,nin\n")
    assert checksums.of(table) == sha256(b"id,name\n9,nin\n")


def test_a_checksum_that_cannot_be_kept_is_still_given(table, tmp_path, settled_at_once,
                                                      refuse_writes_to):
    other = tmp_path / "other.csv"
    other.write_bytes(b"id\n")
    checksums.of(other)  # the table of checksums exists
    refuse_writes_to(checksums.TABLE)
    assert checksums.of(table) == sha256(b"id,name\n1,one\n")
    assert kept(table) is None
