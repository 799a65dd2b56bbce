"""A validation job's temporary files live in a folder of its process; the
folders of killed jobs are removed by the next job."""
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from ckanext.kg.publishing.gate import workspace


@pytest.fixture
def temporary_folder(tmp_path, monkeypatch):
    """The system's temporary folder, as the jobs see it, in `tmp_path`."""
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    return tmp_path


def ended_process() -> int:
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


def test_a_job_writes_its_temporary_files_in_its_own_folder_and_removes_it(
        temporary_folder):
    with workspace.job_folder() as own:
        assert own == temporary_folder / "kg-jobs" / str(os.getpid())
        assert tempfile.gettempdir() == str(own)
        with tempfile.TemporaryDirectory(prefix="kg-canonical-") as work:
            assert Path(work).parent == own
            (own / "left-by-a-library.tmp").write_bytes(b"x")
    assert not own.exists()
    assert tempfile.gettempdir() == str(temporary_folder)


def test_a_job_removes_the_folders_of_ended_processes_only(temporary_folder):
    root = temporary_folder / "kg-jobs"
    ended = root / str(ended_process())
    (ended / "kg-canonical-x").mkdir(parents=True)
    (ended / "kg-canonical-x" / "copy-rows.csv").write_bytes(b"1,2\n")
    running = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        alive = root / str(running.pid)
        (alive / "kg-canonical-y").mkdir(parents=True)
        other = root / "not-a-job"
        other.mkdir()
        with workspace.job_folder():
            assert sorted(p.name for p in root.iterdir()) == sorted(
                [str(running.pid), str(os.getpid()), "not-a-job"])
        assert (alive / "kg-canonical-y").is_dir()
        assert other.is_dir()
    finally:
        running.kill()
        running.wait()
    assert workspace.remove_abandoned(root) == [running.pid]
    assert [p.name for p in root.iterdir()] == ["not-a-job"]


def test_a_folder_of_its_own_number_left_by_a_dead_process_is_emptied(temporary_folder):
    stale = temporary_folder / "kg-jobs" / str(os.getpid()) / "kg-canonical-z"
    stale.mkdir(parents=True)
    with workspace.job_folder() as own:
        assert list(own.iterdir()) == []


def test_a_jobs_folder_that_is_not_the_portals_own_is_neither_used_nor_emptied(
        temporary_folder, tmp_path_factory):
    elsewhere = tmp_path_factory.mktemp("elsewhere")
    abandoned = elsewhere / str(ended_process())
    abandoned.mkdir()
    (temporary_folder / "kg-jobs").symlink_to(elsewhere, target_is_directory=True)
    with workspace.job_folder() as own:
        assert own is None
        assert tempfile.gettempdir() == str(temporary_folder)
    assert abandoned.is_dir()
