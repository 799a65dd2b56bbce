"""The checksum of a stored file, computed once, not once per process.

A validation report is found by the SHA-256 of the file it judged
(`reports`). The web request that queues a table's job, the job, the search
index (rule 5.3, for every dataset on every `ckan search-index rebuild`)
and the dataset page each need it, and each process used to read the whole
file again to know it: a rebuild read every uploaded table.

Here a checksum is kept in CKAN's database with what identifies the file's
content: its device, inode, size and modification time. (Not its change
time: a second name of the file, as its stored CSV is, changes that.) Files
are replaced, not rewritten: an upload is a new file, so a new inode. An
upload received by `incoming.IncomingFile` is hashed as it arrives and kept
when it is named, so it is never read back for this.

A file read while it may still be changing is hashed and not kept: the
kernel's timestamps advance by a clock tick, so a file written again within
one tick, to the same size, would look unchanged (git's "racily clean"
entries). A file whose change time (the kernel's; no call sets it back) is
less than `SETTLE_NS` before it was read is such a file.
"""
from __future__ import annotations

import collections
import hashlib
import logging
import os
import threading
import time
from typing import Optional

import sqlalchemy as sa

from ckanext.kg.publishing.gate import tables

log = logging.getLogger(__name__)

TABLE = "kg_file_checksum"
_DDL = f"""CREATE TABLE IF NOT EXISTS {TABLE} (
    path text PRIMARY KEY,
    identity text NOT NULL,
    checksum text NOT NULL,
    kept timestamptz NOT NULL DEFAULT now())"""
SETTLE_NS = 2_000_000_000
BLOCK = 1 << 20
REMEMBERED = 4096  # checksums each process keeps in memory

_memory: collections.OrderedDict[tuple[str, str], str] = collections.OrderedDict()
_memory_lock = threading.Lock()  # a job computes checksums in a thread of its own


def identity(status: os.stat_result) -> str:
    return ":".join(str(value) for value in (
        status.st_dev, status.st_ino, status.st_size, status.st_mtime_ns))


def of(path: os.PathLike | str) -> str:
    """"sha256:<hex>" of the file at `path`."""
    path = os.fspath(path)
    with open(path, "rb") as stream:
        status = os.fstat(stream.fileno())
        key = (path, identity(status))
        with _memory_lock:
            digest = _memory.get(key)
        digest = digest or _read(*key)
        if digest is None:
            started = time.time_ns()
            digest = _hash(stream)
            if started - status.st_ctime_ns < SETTLE_NS or \
                    identity(os.fstat(stream.fileno())) != key[1]:
                return digest  # changing, or changed while read: not kept
            _keep(*key, digest)
    _memorise(key, digest)
    return digest


def keep(path: str, status: os.stat_result, digest: str) -> None:
    """Keep the checksum of the file at `path`, known without reading it
    (its bytes were hashed as they were written); `status` is the file's
    own, taken after it was named."""
    key = (path, identity(status))
    _keep(*key, digest)
    _memorise(key, digest)


def _hash(stream) -> str:
    digest = hashlib.sha256()
    for block in iter(lambda: stream.read(BLOCK), b""):
        digest.update(block)
    return "sha256:" + digest.hexdigest()


def _memorise(key: tuple[str, str], digest: str) -> None:
    with _memory_lock:
        _memory[key] = digest
        _memory.move_to_end(key)
        while len(_memory) > REMEMBERED:
            _memory.popitem(last=False)


def _engine():
    from ckan import model
    return model.meta.engine


def _read(path: str, kept_identity: str) -> Optional[str]:
    try:
        with _engine().connect() as connection:
            if not tables.exists(connection, TABLE):
                return None
            return connection.execute(sa.text(
                f"SELECT checksum FROM {TABLE} WHERE path = :p AND identity = :i"),
                {"p": path, "i": kept_identity}).scalar()
    except sa.exc.SQLAlchemyError:
        log.warning("kept checksums not readable; %s is read", path, exc_info=True)
        return None


def _keep(path: str, kept_identity: str, digest: str) -> None:
    """In a transaction of its own: a checksum is true whatever becomes of
    the caller's."""
    try:
        with _engine().begin() as connection:
            tables.ensure(connection, TABLE, _DDL)
            connection.execute(sa.text(f"""
                INSERT INTO {TABLE} (path, identity, checksum) VALUES (:p, :i, :c)
                ON CONFLICT (path) DO UPDATE
                SET identity = EXCLUDED.identity, checksum = EXCLUDED.checksum,
                    kept = now()"""), {"p": path, "i": kept_identity, "c": digest})
    except sa.exc.SQLAlchemyError:
        log.warning("the checksum of %s was not kept", path, exc_info=True)
