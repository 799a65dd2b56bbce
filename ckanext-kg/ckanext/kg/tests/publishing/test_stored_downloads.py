"""Whole-table downloads served from a published table's stored files,
and the leftovers of killed publications removed by the next one."""
import os
import time

from ckanext.kg.publishing import stored
from ckanext.kg.tests.conftest import portal_schema
from ckanext.kg.tests.publishing.test_downloads import (
    TABLE,
    get,
    table,  # noqa: F401 (fixture)
)
from ckanext.kg.tests.publishing.test_stored_files import files_of, replace
from ckanext.kg.tests.publishing.test_validation import dataset  # noqa: F401 (fixture)

pytestmark = portal_schema


# leftovers of killed publications

def test_a_new_publication_removes_old_leftovers_only(app, upload_file, table):  # noqa: F811
    folder = stored.folder(table["id"])
    old = folder / ".0a1b2c.csv.partial"
    old_pointer = folder / ".3d4e5f.current.json.partial"
    recent = folder / ".6a7b8c.parquet.partial"  # a publication still writing
    for path in (old, old_pointer, recent):
        path.write_bytes(b"region,year\n")
    two_hours_ago = time.time() - 2 * 3600
    for path in (old, old_pointer):
        os.utime(path, (two_hours_ago, two_hours_ago))
    newer = TABLE + "Талас,2024,7.75,жаңы\n"  # the same columns: nothing withdrawn
    assert replace(upload_file, table, newer) == "success"
    files = files_of(table["id"])
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        [files["csv"].name, files["parquet"].name, stored.POINTER, recent.name])
    assert get(app, table, "csv").data == files["csv"].read_bytes()


def test_leftovers_are_judged_by_age(tmp_path):
    fresh, old, served = (tmp_path / ".a.csv.partial", tmp_path / ".b.csv.partial",
                          tmp_path / "0123.csv")
    for path in (fresh, old, served):
        path.write_text("x")
    os.utime(old, (time.time() - 3601, time.time() - 3601))
    os.utime(served, (time.time() - 7200, time.time() - 7200))
    assert stored.remove_leftovers(tmp_path) == [old.name]
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([fresh.name, served.name])
