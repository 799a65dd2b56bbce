"""Source files exactly as their repositories hold them at one commit.

Each `datasets/<name>/build.py` rebuilds its tables from public sources
(filtered to the Kyrgyz rows, columns kept or renamed, values never
changed). It names every source file by repository, commit, path and git
blob id, and reads it with `source_bytes()`, from the first place that has it:

- `../shared/sources/<folder>/`, where the folder's SOURCE.txt names the
  repository and commit (the sources kept beside this repository);
- a snapshot of the repository: `$KG_SOURCE_SNAPSHOTS/<owner>+<name>/repo`
  (default `../.mirror`, relative to this repository), read with
  `git show <commit>:<path>`.

The blob id is checked, so a rerun against another version of a file fails
instead of publishing other figures. `python datasets/<name>/build.py`
rewrites the folder's tables; `tests/test_dataset_sources.py` reruns every
script into a temporary folder and compares the files byte for byte.
"""
from __future__ import annotations

import argparse
import csv
import hashlib
import io
import os
import re
import subprocess
from pathlib import Path
from typing import Callable, Iterable, Sequence

DATASETS = Path(__file__).resolve().parent
ROOT = DATASETS.parent
SHARED_SOURCES = ROOT.parent / "shared" / "sources"


class SourceUnavailable(Exception):
    """The source file is on none of the places this machine has."""


class SourceChanged(Exception):
    """The file found is not the version the build script names."""


def snapshots() -> Path:
    return Path(os.environ.get("KG_SOURCE_SNAPSHOTS", ROOT.parent / ".mirror"))


def git_blob_id(data: bytes) -> str:
    """The id git gives a file's content (`git hash-object`)."""
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


def _shared_copy(repository: str, commit: str, path: str) -> Path | None:
    wanted = f"{_repo_name(repository)}@{commit}"
    for source_txt in SHARED_SOURCES.glob("*/SOURCE.txt"):
        if wanted in source_txt.read_text(encoding="utf-8").split():
            folder = source_txt.parent
            for candidate in (folder / path, folder / "data" / Path(path).name):
                if candidate.is_file():
                    return candidate
    return None


def _repo_name(repository: str) -> str:
    """`owner/name` of a GitHub address or of `owner/name` itself."""
    return re.sub(r"^https://github\.com/", "", repository).strip("/")


def _snapshot_bytes(repository: str, commit: str, path: str) -> bytes | None:
    git_dir = snapshots() / _repo_name(repository).replace("/", "+") / "repo"
    if not git_dir.is_dir():
        return None
    shown = subprocess.run(["git", "--git-dir", str(git_dir), "show", f"{commit}:{path}"],
                           capture_output=True)
    return shown.stdout if shown.returncode == 0 else None


def source_bytes(repository: str, commit: str, path: str, blob: str) -> bytes:
    """The file `path` of `repository` at `commit`, checked against `blob`."""
    shared = _shared_copy(repository, commit, path)
    data = shared.read_bytes() if shared else _snapshot_bytes(repository, commit, path)
    if data is None:
        raise SourceUnavailable(
            f"{_repo_name(repository)}@{commit[:12]}:{path} is neither in "
            f"{SHARED_SOURCES} nor in a snapshot under {snapshots()} "
            "(set KG_SOURCE_SNAPSHOTS to a folder of <owner>+<name>/repo git directories)")
    if git_blob_id(data) != blob:
        raise SourceChanged(f"{_repo_name(repository)}:{path} has blob {git_blob_id(data)}, "
                            f"the build script names {blob}")
    return data


def source_rows(repository: str, commit: str, path: str, blob: str,
                skip_lines: int = 0, encoding: str = "utf-8") -> list[dict[str, str]]:
    """The rows of a CSV source file, as dicts by its header."""
    text = source_bytes(repository, commit, path, blob).decode(encoding)
    lines = io.StringIO(text)
    for _ in range(skip_lines):
        lines.readline()
    return list(csv.DictReader(lines))


def write_csv(path: Path, header: Sequence[str], rows: Iterable[Sequence[object]]) -> None:
    """A table as the portal's datasets keep it: UTF-8, comma, `\\n`, one header row."""
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)


def main(build: Callable[[Path], None], folder: str) -> None:
    """The command line of a build script: write its tables into --out
    (default: the dataset's own folder)."""
    parser = argparse.ArgumentParser(description=build.__doc__)
    parser.add_argument("--out", type=Path, default=Path(folder).resolve().parent)
    build(parser.parse_args().out)
