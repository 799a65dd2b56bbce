"""A table PostgreSQL does not read as it is (cp1251, `;`, decimal commas,
`%d.%m.%Y` dates) is COPYed while it is validated, from the rows for
PostgreSQL that validation writes in its own pass: no second pass after
the verdict, the same bytes as that pass would write, and nothing of a
failing table ever served."""
import hashlib
import json

import pytest
from ckan.tests import helpers

from ckanext.kg.publishing.files import stored
from ckanext.kg.publishing.load import datastore, early
from ckanext.kg.tests.conftest import portal_schema
from ckanext.kg.tests.publishing.gate.test_validation import dataset, upload  # noqa: F401
from ckanext.kg.tests.publishing.load.test_swap import replace, rows, staged_tables, status
from kg_validation.fast.copy_rows import write_copy_rows

pytestmark = portal_schema

SCHEMA = {"fields": [
    {"name": "region", "type": "string"},
    {"name": "share", "type": "number", "decimalChar": ",",
     "constraints": {"maximum": 100}},
    {"name": "day", "type": "date", "format": "%d.%m.%Y"},
    {"name": "paid", "type": "boolean", "trueValues": ["да"], "falseValues": ["нет"]},
]}
TABLE = "region;share;day;paid\nНарын;12,5;31.01.2023;да\nОш;-0,75;01.02.2023;нет\n"
COPY_ROWS = "region,share,day,paid\nНарын,12.5,2023-01-31,true\nОш,-0.75,2023-02-01,false\n"
# valid by type, so its rows for PostgreSQL are written whole and COPYed;
# the verdict (share > 100) must keep them out
OVER_MAXIMUM = "region;share;day;paid\nТалас;100,5;01.03.2023;да\n"


def what_became_of_early_loads(monkeypatch) -> list:
    """What became of each early load from now on: ("published", rows, or
    None when it committed nothing) or ("abandoned", rows it had COPYed
    before the rollback)."""
    events = []
    publish, abandon = early.EarlyLoad.publish, early.EarlyLoad.abandon

    def published(self, canonical):
        events.append(("published", publish(self, canonical)))
        return events[-1][1]

    def abandoned(self):
        abandon(self)
        events.append(("abandoned", self.copy_rows and self.copy_rows.rows))

    monkeypatch.setattr(early.EarlyLoad, "publish", published)
    monkeypatch.setattr(early.EarlyLoad, "abandon", abandoned)
    return events


@pytest.fixture
def early_loads(monkeypatch):
    """`what_became_of_early_loads`; a second pass over the canonical CSV
    (`write_copy_rows`) fails the test."""
    def second_pass(*args, **kwargs):
        raise AssertionError("the rows for COPY were written in a second pass")

    monkeypatch.setattr(datastore, "write_copy_rows", second_pass)
    return what_became_of_early_loads(monkeypatch)


def served_csv(resource_id) -> bytes:
    with stored.open_current(resource_id, "csv") as served:
        return served.read()


def served_parquet_is_read_from_the_csv(resource_id, tmp_path) -> bool:
    """The served Parquet file (written from the rows for COPY as they were
    written) is byte for byte the one read back from the served CSV."""
    from ckanext.kg.tests.publishing.files.test_rows_parquet import read_back
    csv = tmp_path / "served.csv"
    csv.write_bytes(served_csv(resource_id))
    with stored.open_current(resource_id, "parquet") as served:
        return served.read() == read_back(csv, datastore.datastore_fields(SCHEMA))


def test_a_cp1251_table_is_loaded_while_validated_from_validations_own_rows(
        upload_file, dataset, early_loads, tmp_path, monkeypatch):  # noqa: F811
    hashed = []  # the stored files read again for their checksums
    monkeypatch.setattr(stored, "sha256", lambda path, read=stored.sha256: (
        hashed.append(path.name.split(".")[-2]), read(path))[1])
    resource = upload(upload_file, dataset, TABLE.encode("cp1251"), schema=json.dumps(SCHEMA))
    assert status(resource["id"]) == "success"
    assert early_loads == [("published", 2)]  # committed by the load run while validating
    assert rows(resource["id"])[1] == [("Нарын", 12.5, "2023-01-31", True),
                                       ("Ош", -0.75, "2023-02-01", False)]
    assert served_csv(resource["id"]).decode("utf-8") == COPY_ROWS
    canonical = tmp_path / "canonical.csv"
    canonical.write_text(TABLE.replace(";", ",").replace("12,5", '"12,5"')
                         .replace("-0,75", '"-0,75"'), "utf-8")
    second = tmp_path / "second.csv"  # the real second pass (the fixture patches the portal's)
    write_copy_rows(canonical, SCHEMA, second, datastore.copy_cell)
    assert served_csv(resource["id"]) == second.read_bytes()
    assert served_parquet_is_read_from_the_csv(resource["id"], tmp_path)
    # named by its checksum, computed while validation wrote it
    served = stored.current(resource["id"])["csv"]
    assert served == hashlib.sha256(second.read_bytes()).hexdigest() + ".csv"
    assert "csv" not in hashed and "parquet" in hashed


def test_a_failing_new_version_is_never_served(upload_file, dataset, early_loads):  # noqa: F811
    resource = upload(upload_file, dataset, TABLE.encode("cp1251"), schema=json.dumps(SCHEMA))
    before, served = rows(resource["id"]), served_csv(resource["id"])
    assert replace(upload_file, dataset, resource, OVER_MAXIMUM.encode("cp1251"),
                   json.dumps(SCHEMA)) == "failure"
    # the new rows were written whole for COPY, then rolled back on the verdict
    assert early_loads == [("published", 2), ("abandoned", 1)]
    assert rows(resource["id"]) == before
    assert served_csv(resource["id"]) == served
    assert staged_tables() == []


def test_a_failing_first_upload_leaves_no_table(upload_file, dataset, early_loads):  # noqa: F811
    resource = upload(upload_file, dataset, OVER_MAXIMUM.encode("cp1251"),
                      schema=json.dumps(SCHEMA))
    assert status(resource["id"]) == "failure"
    assert early_loads == [("abandoned", 1)]
    assert helpers.call_action("resource_show", id=resource["id"])["datastore_active"] is False
    with pytest.raises(helpers.logic.NotFound):
        helpers.call_action("datastore_search", resource_id=resource["id"])
    assert staged_tables() == []


@pytest.mark.ckan_config("ckanext.kg.validation.load_while_validating", False)
def test_without_early_loads_validations_rows_are_loaded_after(
        upload_file, dataset, early_loads, tmp_path):  # noqa: F811
    resource = upload(upload_file, dataset, TABLE.encode("cp1251"), schema=json.dumps(SCHEMA))
    assert status(resource["id"]) == "success" and early_loads == []
    assert served_csv(resource["id"]).decode("utf-8") == COPY_ROWS
    assert served_parquet_is_read_from_the_csv(resource["id"], tmp_path)


GUESS_SCHEMA = {"fields": [{"name": "id", "type": "integer"},
                           {"name": "name", "type": "string"},
                           {"name": "amount", "type": "number", "decimalChar": ","}]}
# Rows whose one high byte reads as MacCyrillic by the file's first bytes,
# then Russian rows that make the whole file cp1251 (0xA3 is "£" there and
# "Ј" here)
GUESSED_OTHERWISE = ("id;name;amount\r\n"
                     + "".join(f"{n};\u00a3 {n};{n},5\r\n" for n in range(1, 150))
                     ).encode("latin-1") + "".join(
    f"{n};Житель села Кемин {n};{n},5\r\n" for n in range(150, 4000)).encode("cp1251")


def test_a_first_guess_the_whole_file_contradicts_loads_what_the_whole_file_reads(
        upload_file, dataset, monkeypatch, tmp_path):  # noqa: F811
    """The early COPY starts from rows decoded by the first bytes' encoding;
    when the whole file says otherwise, those rows are never published and
    the table is loaded as the whole file's encoding reads it."""
    from kg_validation import encoding
    monkeypatch.setattr(encoding, "GUESS_SAMPLE", 4096)
    source = tmp_path / "table.csv"
    source.write_bytes(GUESSED_OTHERWISE)
    assert encoding.first_guess(source).encoding == "mac_cyrillic"
    assert encoding.detect_encoding(source).encoding == "cp1251"
    events = what_became_of_early_loads(monkeypatch)
    resource = upload(upload_file, dataset, GUESSED_OTHERWISE, schema=json.dumps(GUESS_SCHEMA))
    assert status(resource["id"]) == "success"
    # the early load's rows, decoded by the guess, were never whole: it
    # committed nothing, and the table was loaded after the verdict
    assert events == [("published", None)]
    read = [line.split(";") for line in GUESSED_OTHERWISE.decode("cp1251").splitlines()[1:]]
    expected = [(int(n), name, float(amount.replace(",", "."))) for n, name, amount in read]
    loaded = rows(resource["id"], limit=5000)[1]
    assert loaded == expected
    assert loaded[0][1] == "\u0408 1" and loaded[-1][1] == "Житель села Кемин 3999"
    assert helpers.call_action("kg_validation_show", id=resource["id"])[
        "report"]["encoding"]["encoding"] == "cp1251"
