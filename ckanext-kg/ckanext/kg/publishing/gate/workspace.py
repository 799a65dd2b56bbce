"""Where a validation job keeps its temporary files, and what a killed job left.

A job validates a table in a process the jobs worker forks for it, and
writes the canonical CSV, the rows for COPY and the Parquet file (together
about three times the table: gigabytes for ten million rows) into
temporary folders that are removed when the job ends. A process killed
meanwhile (by the out-of-memory killer, a worker stopped in a deploy, an
operator) removes nothing, and those files stayed in the system's
temporary folder until the machine restarted.

Each job keeps all its temporary files, its libraries' too, in a folder of
its own process, `<temporary folder>/kg-jobs/<process id>`, and removes
it when it ends; every job first removes the folders of processes that no
longer run. A folder that is not the portal's own (another user's, a
symbolic link) is never used nor emptied: the job then writes where it
did before.
"""
from __future__ import annotations

import contextlib
import logging
import os
import shutil
import stat
import tempfile
from pathlib import Path
from typing import Iterator, Optional

log = logging.getLogger(__name__)
ROOT = "kg-jobs"


@contextlib.contextmanager
def job_folder() -> Iterator[Optional[Path]]:
    """Temporary files of this process in its own folder until the end of
    the block, after removing those of jobs that no longer run; the folder
    (None where the jobs' folder cannot be used)."""
    own = _own_folder()
    if own is None:
        yield None
        return
    before = tempfile.tempdir
    tempfile.tempdir = str(own)
    try:
        yield own
    finally:
        tempfile.tempdir = before
        shutil.rmtree(own, ignore_errors=True)


def _own_folder() -> Optional[Path]:
    root = Path(tempfile.gettempdir()) / ROOT
    try:
        root.mkdir(mode=0o700, exist_ok=True)
        found = root.lstat()
        if not stat.S_ISDIR(found.st_mode) or found.st_uid != os.getuid():
            log.warning("%s is not this user's folder: job files stay in %s",
                        root, root.parent)
            return None
        remove_abandoned(root)
        own = root / str(os.getpid())
        # a folder of this number is a dead process's: this one is new
        shutil.rmtree(own, ignore_errors=True)
        own.mkdir(mode=0o700)
    except OSError:
        log.warning("no folder of its own for this job in %s", root, exc_info=True)
        return None
    return own


def remove_abandoned(root: Path) -> list[int]:
    """Remove the folders under `root` of processes that no longer run;
    their process ids."""
    removed = []
    for folder in root.iterdir():
        if not folder.name.isdigit() or int(folder.name) == os.getpid():
            continue
        if not _running(int(folder.name)):
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(int(folder.name))
    if removed:
        log.info("removed the temporary files of ended jobs (processes %s)",
                 ", ".join(map(str, sorted(removed))))
    return removed


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's: running
        return True
    return True
