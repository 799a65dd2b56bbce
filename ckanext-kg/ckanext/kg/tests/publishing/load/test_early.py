"""A table already in canonical form is loaded while it is validated, and
committed only if it passes unchanged; any other table is loaded after."""
from pathlib import Path

import pytest
from ckan.tests import helpers

from ckanext.kg.publishing.files import stored
from ckanext.kg.publishing.gate import validation
from ckanext.kg.tests.conftest import portal_schema
from ckanext.kg.tests.publishing.conftest import INVALID, VALID
from ckanext.kg.tests.publishing.gate.test_validation import dataset, upload  # noqa: F401
from ckanext.kg.tests.publishing.load.test_swap import TOO_BIG, WIDER_SCHEMA, rows

pytestmark = portal_schema


def upload_path(resource_id):
    resource = helpers.call_action("resource_show", id=resource_id)
    return validation.current_file(resource)


def stored_csv(resource_id) -> Path:
    return stored.folder(resource_id) / stored.current(resource_id)["csv"]


def test_a_canonical_upload_is_loaded_while_it_is_validated(upload_file, dataset):  # noqa: F811,E501
    resource = upload(upload_file, dataset, VALID)
    assert rows(resource["id"])[1] == [("Ысык-Көл", 2023, 513000), ("Нарын", 2023, 301600)]
    # the early load stores the upload itself: the same file, not a copy
    assert stored_csv(resource["id"]).stat().st_ino == upload_path(resource["id"]).stat().st_ino
    assert stored_csv(resource["id"]).name == \
        helpers.call_action("kg_validation_show", id=resource["id"])["checksum"][7:] + ".csv"


def test_an_upload_validation_rewrites_is_loaded_from_what_it_wrote(upload_file, dataset):  # noqa: F811,E501
    resource = upload(upload_file, dataset, VALID.replace("\n", "\r\n"))
    assert rows(resource["id"])[1] == [("Ысык-Көл", 2023, 513000), ("Нарын", 2023, 301600)]
    assert stored_csv(resource["id"]).read_text("utf-8") == VALID  # the canonical CSV
    assert upload_path(resource["id"]).read_bytes() == VALID.replace("\n", "\r\n").encode()


def test_a_failing_first_upload_leaves_no_table(upload_file, dataset):  # noqa: F811
    resource = upload(upload_file, dataset, INVALID)
    assert helpers.call_action("kg_validation_show", id=resource["id"])["status"] == "failure"
    assert helpers.call_action("resource_show", id=resource["id"])["datastore_active"] is False
    try:
        helpers.call_action("datastore_search", resource_id=resource["id"])
    except helpers.logic.NotFound:
        pass
    else:
        raise AssertionError("a table was left for a failing upload")


def test_a_table_the_datastore_cannot_hold_leaves_its_upload_untouched(
        upload_file, dataset):  # noqa: F811
    resource = upload(upload_file, dataset, TOO_BIG, schema=WIDER_SCHEMA)
    shown = helpers.call_action("kg_validation_show", id=resource["id"])
    assert shown["status"] == "failure"
    assert shown["report"]["datastore"]["loaded"] is False
    # the report is found by the checksum of the upload as it was sent
    assert upload_path(resource["id"]).read_text("utf-8") == TOO_BIG


@pytest.mark.ckan_config("ckanext.kg.validation.load_while_validating", False)
def test_without_early_loads_a_table_is_loaded_after_validation(upload_file, dataset):  # noqa: F811,E501
    resource = upload(upload_file, dataset, VALID)
    assert rows(resource["id"])[1] == [("Ысык-Көл", 2023, 513000), ("Нарын", 2023, 301600)]
    assert stored_csv(resource["id"]).read_text("utf-8") == VALID
    assert stored_csv(resource["id"]).stat().st_ino != upload_path(resource["id"]).stat().st_ino
