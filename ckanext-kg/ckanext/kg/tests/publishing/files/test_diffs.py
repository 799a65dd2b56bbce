"""Row-level differences between two versions of a table: by the primary
key (added, removed, changed with the changed columns named), by whole
rows without one, schema changes said apart; the same answer whether the
versions are compared whole or in buckets (bounded memory); and through
CKAN, `kg_resource_diff` and the page, as hidden as the table."""
import datetime as dt
import json
import random

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from ckan.tests import factories, helpers

from ckanext.kg.publishing.files import diffs
from ckanext.kg.tests.conftest import uses_portal_schema
from ckanext.kg.tests.publishing.files.test_downloads import (
    TABLE,
    table,  # noqa: F401 (fixture)
)
from ckanext.kg.tests.publishing.files.test_stored_files import replace
from ckanext.kg.tests.publishing.gate.test_validation import dataset  # noqa: F401 (fixture)

OLD = {"id": [1, 2, 3, 4], "region": ["Ош", "Нарын", "Чүй", "Талас"],
       "share": [1.0, 2.0, None, 4.0], "day": [dt.date(2024, 1, d) for d in (1, 2, 3, 4)]}
NEW = {"id": [5, 1, 2, 3], "region": ["Баткен", "Ош", "НАРЫН", "Чүй"],
       "share": [5.0, 1.0, 2.5, 3.0], "day": [dt.date(2024, 1, d) for d in (5, 1, 2, 3)]}


def write(tmp_path, name, columns):
    path = tmp_path / f"{name}.parquet"
    pq.write_table(pa.table(columns), path)
    return path


def compared(tmp_path, old, new, key, **kwargs):
    target = tmp_path / "found.parquet"
    summary = diffs.compare(write(tmp_path, "old", old), write(tmp_path, "new", new), key,
                            target, **kwargs)
    return summary, diffs.page(target, 0, 1000)


def flat(rows):
    return [(r["change"], r.get("key"), r["changed"]) for r in rows]


def test_by_primary_key_rows_are_added_removed_or_changed_with_their_columns(tmp_path):
    summary, rows = compared(tmp_path, OLD, NEW, ["id"])
    assert summary == {"by": "key", "key": ["id"], "added": 1, "removed": 1, "changed": 2,
                       "rows": 4, "schema": {"added": [], "removed": [], "retyped": []}}
    assert flat(rows) == [("changed", {"id": 2}, ["region", "share"]),
                          ("changed", {"id": 3}, ["share"]),
                          ("removed", {"id": 4}, []),
                          ("added", {"id": 5}, [])]
    assert rows[0]["old"] == {"id": 2, "region": "Нарын", "share": 2.0,
                              "day": dt.date(2024, 1, 2)}
    assert rows[0]["new"]["region"] == "НАРЫН"
    assert rows[2]["new"] is None and rows[3]["old"] is None


def test_buckets_give_the_same_answer_as_the_whole_tables(tmp_path):
    chooser = random.Random(16)
    rows = 5000
    old = {"id": list(range(rows)), "code": [f"KG{chooser.randrange(99):02d}" for _ in range(rows)],
           "value": [chooser.randrange(1000) for _ in range(rows)]}
    new = {name: list(values) for name, values in old.items()}
    changed = set(chooser.sample(range(rows), 50))
    removed = set(chooser.sample(range(rows), 20))
    for position in changed:
        new["value"][position] += 1
    for position in sorted(removed, reverse=True):
        for values in new.values():
            del values[position]
    for number in range(rows, rows + 30):
        new["id"].append(number)
        new["code"].append("KG00")
        new["value"].append(0)
    whole = compared(tmp_path, old, new, ["id"])
    bucketed = compared(tmp_path, old, new, ["id"], bucket_rows=700)
    assert whole == bucketed
    assert (whole[0]["added"], whole[0]["removed"], whole[0]["changed"]) == \
        (30, 20, len(changed - removed))
    assert [r["key"]["id"] for r in whole[1] if r["change"] == "changed"] == \
        sorted(changed - removed)
    assert [r["key"]["id"] for r in bucketed[1]] == sorted(r["key"]["id"] for r in bucketed[1])
    by_rows, by_rows_bucketed = compared(tmp_path, old, new, []), \
        compared(tmp_path, old, new, [], bucket_rows=700)
    assert by_rows[0] == by_rows_bucketed[0]
    assert (by_rows[0]["added"], by_rows[0]["removed"]) == \
        (30 + len(changed - removed), 20 + len(changed - removed))
    assert sorted(map(str, by_rows[1])) == sorted(map(str, by_rows_bucketed[1]))


def test_without_a_primary_key_rows_are_compared_whole_with_their_counts(tmp_path):
    old = {"region": ["Ош", "Ош", "Нарын"], "year": [2023, 2023, 2023]}
    new = {"region": ["Ош", "Нарын", "Нарын", "Талас"], "year": [2023, 2023, 2023, 2024]}
    summary, rows = compared(tmp_path, old, new, [])
    assert (summary["by"], summary["added"], summary["removed"], summary["changed"]) == \
        ("row", 2, 1, 0)
    assert [(r["change"], r["old"] or r["new"]) for r in rows] == [
        ("added", {"region": "Нарын", "year": 2023}),
        ("removed", {"region": "Ош", "year": 2023}),
        ("added", {"region": "Талас", "year": 2024})]


def test_a_key_one_version_lacks_compares_whole_rows(tmp_path):
    summary, _ = compared(tmp_path, OLD, {k: v for k, v in NEW.items() if k != "id"}, ["id"])
    assert summary["by"] == "row"
    assert summary["schema"]["removed"] == ["id"]


def test_schema_changes_are_named_and_retyped_values_compared_as_text(tmp_path):
    new = dict(NEW, share=["5", "1", "2.5", "3"], note=["a", "b", "c", "d"])  # 1.0 reads "1"
    del new["day"]
    summary, rows = compared(tmp_path, OLD, new, ["id"])
    assert summary["schema"] == {"added": ["note"], "removed": ["day"], "retyped": [
        {"name": "share", "from": "double", "to": "string"}]}
    assert flat(rows) == [("changed", {"id": 2}, ["region", "share"]),
                          ("changed", {"id": 3}, ["share"]),
                          ("removed", {"id": 4}, []),
                          ("added", {"id": 5}, [])]


def test_pages_of_differences(tmp_path):
    target = tmp_path / "found.parquet"
    diffs.compare(write(tmp_path, "old", OLD), write(tmp_path, "new", NEW), ["id"], target)
    assert [r["key"]["id"] for r in diffs.page(target, 1, 2)] == [3, 4]
    assert diffs.page(target, 4, 10) == []


# through CKAN

KEYED = json.dumps({"fields": [
    {"name": "region", "type": "string"},
    {"name": "year", "type": "integer"},
    {"name": "share", "type": "number"},
    {"name": "note", "type": "string"}], "primaryKey": ["region", "year"]})
SECOND = ("region,year,share,note\n"
          "Ысык-Көл,2023,12.5,=HYPERLINK(\"http://evil.invalid\")\n"
          "Нарын,2023,-4.5,+1\n"
          "Талас,2024,7.75,жаңы\n")


@uses_portal_schema
def test_kg_resource_diff_answers_exactly_the_changed_rows(upload_file, table):  # noqa: F811
    assert replace(upload_file, table, TABLE, KEYED) == "success"
    assert replace(upload_file, table, SECOND, KEYED) == "success"
    found = helpers.call_action("kg_resource_diff", id=table["id"])
    assert (found["from"], found["to"], found["by"], found["key"]) == \
        (2, 3, "key", ["region", "year"])
    assert (found["added"], found["removed"], found["changed"], found["total"]) == (1, 1, 1, 3)
    assert [(r["change"], r["key"], r["changed"]) for r in found["rows"]] == [
        ("changed", {"region": "Нарын", "year": 2023}, ["share"]),
        ("added", {"region": "Талас", "year": 2024}, []),
        ("removed", {"region": "Чүй", "year": 2022}, [])]
    assert found["rows"][0]["old"]["share"] == -3.25 and found["rows"][0]["new"]["share"] == -4.5
    paged = helpers.call_action("kg_resource_diff", id=table["id"], limit=1, offset=2)
    assert [r["key"]["region"] for r in paged["rows"]] == ["Чүй"]
    # version 1 has no primary key: its Table Schema has none, the newer one's is used
    assert helpers.call_action("kg_resource_diff", id=table["id"], to=2)["by"] == "key"


@uses_portal_schema
def test_the_differences_from_the_version_before_are_kept_at_publication(
        upload_file, table):  # noqa: F811
    from ckanext.kg.publishing.files import stored
    assert replace(upload_file, table, SECOND, KEYED) == "success"
    kept = stored.folder(table["id"]) / diffs.FOLDER
    assert sorted(p.suffix for p in kept.iterdir()) == [".json", ".parquet"]
    found = helpers.call_action("kg_resource_diff", id=table["id"])
    assert (found["from"], found["to"], found["total"]) == (1, 2, 3)
    assert sorted(p.suffix for p in kept.iterdir()) == [".json", ".parquet"]  # read, not made


@uses_portal_schema
@pytest.mark.parametrize("bad", [{"to": 9}, {"from": "two"}, {"limit": 5000}, {"from": 0}])
def test_a_version_that_cannot_be_compared_is_refused_naming_it(table, bad):  # noqa: F811
    with pytest.raises(helpers.logic.ValidationError) as refused:
        helpers.call_action("kg_resource_diff", id=table["id"], **bad)
    assert list(refused.value.error_dict) == list(bad)


@uses_portal_schema
def test_the_diff_page_shows_the_summary_and_the_rows(app, upload_file, table):  # noqa: F811
    assert replace(upload_file, table, TABLE, KEYED) == "success"
    assert replace(upload_file, table, SECOND, KEYED) == "success"
    token = factories.SysadminWithToken()["token"]
    url = f"/dataset/{table['package_id']}/resource/{table['id']}/diff"
    page = app.get("/en" + url, query_string={"from": 2, "to": 3},
                   headers={"Authorization": token})
    body = page.body
    assert "+1 row" in body and "−1" in body and "1 changed" in body
    assert body.count('data-kg-diff-row="changed"') == 1
    assert body.count('data-kg-diff-row="added"') == 1
    assert 'data-kg-changed-cell="share"' in body
    kyrgyz = app.get("/ky" + url, query_string={"from": 2, "to": 3},
                     headers={"Authorization": token})
    assert "+1 сап" in kyrgyz.body and "1 өзгөргөн" in kyrgyz.body
    resource_page = app.get(f"/dataset/{table['package_id']}/resource/{table['id']}",
                            headers={"Authorization": token}).body
    assert 'data-kg-version-diff="3"' in resource_page
    app.get(url, query_string={"page": "x"}, headers={"Authorization": token}, status=400)


@uses_portal_schema
def test_a_private_tables_differences_are_hidden(app, upload_file, table):  # noqa: F811
    assert replace(upload_file, table, SECOND) == "success"
    outsider = factories.UserWithToken()
    for headers in ({}, {"Authorization": outsider["token"]}):
        answer = app.get("/api/3/action/kg_resource_diff", query_string={
            "id": table["id"]}, headers=headers, status=404)
        unknown = app.get("/api/3/action/kg_resource_diff", query_string={
            "id": "no-such-resource"}, headers=headers, status=404)
        assert answer.json["error"] == unknown.json["error"]
        page = app.get(f"/dataset/{table['package_id']}/resource/{table['id']}/diff",
                       headers=headers, status=404)
        assert "Нарын" not in page.body
