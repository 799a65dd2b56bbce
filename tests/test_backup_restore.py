"""`make backup` and `make restore` (scripts/backup.py), for real: a dataset
with an uploaded, validated and loaded table is backed up, purged with its
DataStore table and files, and comes back from the archive.

The `ops` configuration (databases ckan_ops, datastore_ops) is the portal
these tests own; CKAN runs on it in separate processes (tests/portal_actions.py).
"""
from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
TABLE = "region,year,population\nЫсык-Көл,2023,513000\nНарын,2023,301600\n"


def actions(ini: Path, command: str, argument: str) -> dict:
    result = subprocess.run([sys.executable, str(ROOT / "tests" / "portal_actions.py"),
                             str(ini), command, argument], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def backup(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(ROOT / "scripts" / "backup.py"), *args],
                          capture_output=True, text=True)


def stored_file(portal_script, resource_id: str) -> Path:
    return (portal_script.storage_path("ops") / "resources" / resource_id[:3]
            / resource_id[3:6] / resource_id[6:])


def published_files(portal_script, resource_id: str) -> dict[str, Path]:
    """The table's stored CSV and Parquet files (ckanext.kg.publishing.files.stored)."""
    folder = portal_script.storage_path("ops") / "kg" / "tables" / resource_id
    pointer = json.loads((folder / "current.json").read_text())
    return {kind: folder / name for kind, name in pointer["files"].items()}


@pytest.fixture(scope="module")
def ops_portal(portal_script, tmp_path_factory):
    """An empty `ops` portal with one dataset: (ini, ids, what it shows)."""
    ini, _ = portal_script.fresh_portal("ops")  # its storage emptied too
    table = tmp_path_factory.mktemp("table") / "population.csv"
    table.write_text(TABLE)
    ids = actions(ini, "seed", str(table))
    return ini, ids, actions(ini, "show", ids["dataset"])


@pytest.fixture(scope="module")
def archive(ops_portal, tmp_path_factory):
    into = tmp_path_factory.mktemp("backups")
    result = backup("create", "--config", "ops", "--into", str(into))
    assert result.returncode == 0, result.stderr[-3000:]
    [written] = into.iterdir()
    assert f"backup written: {written}" in result.stdout
    return written


def test_the_seeded_dataset_is_validated_and_loaded(ops_portal):
    _, ids, shown = ops_portal
    assert shown == {"title": {"ky": "Облустардын калкы", "ru": "Население областей"},
                     "resource": ids["resource"], "validation": "success",
                     "rows": [["Нарын", 2023, 301600], ["Ысык-Көл", 2023, 513000]]}


def test_a_backup_is_one_private_archive_of_both_databases_and_the_files(
        archive, ops_portal, portal_script):
    _, ids, _ = ops_portal
    assert archive.name.startswith("kg-ops-") and archive.name.endswith("Z.tar.gz")
    assert archive.stat().st_mode & 0o777 == 0o600
    with tarfile.open(archive) as tar:
        names = tar.getnames()
        manifest = json.load(tar.extractfile("manifest.json"))
        secrets = json.load(tar.extractfile("portal-secrets.json"))
    resource = ids["resource"]
    assert {"manifest.json", "portal-secrets.json", "ckan.dump", "datastore.dump",
            f"storage/resources/{resource[:3]}/{resource[3:6]}/{resource[6:]}"} <= set(names)
    published = {f"storage/kg/tables/{resource}/{path.name}"
                 for path in published_files(portal_script, resource).values()}
    assert len(published) == 2
    assert published | {f"storage/kg/tables/{resource}/current.json"} <= set(names)
    assert manifest["databases"] == {"ckan": "ckan_ops", "datastore": "datastore_ops"}
    assert sorted(secrets) == ["jwt_secret", "secret_key", "sysadmin"]


def test_restore_refuses_to_replace_a_portal_that_holds_data(archive):
    result = backup("restore", str(archive), "--config", "ops")
    assert result.returncode == 1
    assert "refusing to restore over a portal that holds data (database ckan_ops: " in \
        result.stderr
    assert "pass --force (make restore FORCE=1) to replace it" in result.stderr


def test_restore_brings_back_a_purged_dataset_its_rows_and_its_file(
        archive, ops_portal, portal_script):
    ini, ids, shown = ops_portal
    uploaded = stored_file(portal_script, ids["resource"])
    checksum = hashlib.sha256(uploaded.read_bytes()).hexdigest()
    published = {kind: path.read_bytes() for kind, path
                 in published_files(portal_script, ids["resource"]).items()}
    actions(ini, "purge", ids["dataset"])
    shutil.rmtree(portal_script.storage_path("ops") / "resources")
    shutil.rmtree(portal_script.storage_path("ops") / "kg")
    gone = subprocess.run([sys.executable, str(ROOT / "tests" / "portal_actions.py"),
                           str(ini), "show", ids["dataset"]], capture_output=True, text=True)
    assert gone.returncode == 1 and "NotFound" in gone.stderr

    result = backup("restore", str(archive), "--config", "ops", "--force")
    assert result.returncode == 0, result.stderr[-3000:]

    assert actions(ini, "show", ids["dataset"]) == shown
    assert hashlib.sha256(uploaded.read_bytes()).hexdigest() == checksum
    assert {kind: path.read_bytes() for kind, path in published_files(
        portal_script, ids["resource"]).items()} == published
    assert published["csv"].decode() == TABLE


def test_restore_of_something_else_is_refused(tmp_path):
    result = backup("restore", str(tmp_path / "missing.tar.gz"), "--config", "ops")
    assert result.returncode == 1
    assert f"no backup at {tmp_path / 'missing.tar.gz'}" in result.stderr
