"""A DataStore table the logic tests share."""
import pytest
from ckan.tests import factories, helpers

from ckanext.kg.tests.publishing.conftest import METADATA


@pytest.fixture
def sysadmin():
    return factories.Sysadmin()


@pytest.fixture
def table(sysadmin):
    """A private dataset's DataStore table of three regions."""
    org = factories.Organization()
    dataset = helpers.call_action("package_create", context={"user": sysadmin["name"]},
                                  private=True, owner_org=org["id"], **METADATA)
    resource = factories.Resource(package_id=dataset["id"], url="http://example.invalid/t.csv")
    helpers.call_action(
        "datastore_create", context={"user": sysadmin["name"]}, resource_id=resource["id"],
        force=True, fields=[{"id": "region", "type": "text"}, {"id": "year", "type": "int"},
                            {"id": "share", "type": "numeric"}, {"id": "day", "type": "date"}],
        records=[{"region": "Ош", "year": 2023, "share": "12.5", "day": "2023-01-02"},
                 {"region": "Нарын", "year": 2022, "share": "-3.25", "day": "2022-12-31"},
                 {"region": "Чүй", "year": 2021, "share": "40", "day": "2021-06-15"}])
    return resource["id"]
