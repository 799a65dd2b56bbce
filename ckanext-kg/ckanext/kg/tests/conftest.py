"""Plugins and settings of the portal's own dataset schema, for tests."""
import pytest

# as in config/ckan.ini.in
PORTAL_PLUGINS = ("kg kg_preview scheming_datasets scheming_organizations dcat kg_pgsearch "
                  "activity datastore")

portal_schema = [
    pytest.mark.ckan_config("ckan.plugins", PORTAL_PLUGINS),
    pytest.mark.ckan_config("scheming.dataset_schemas", "ckanext.kg:schemas/dataset.yaml"),
    pytest.mark.ckan_config("scheming.organization_schemas",
                            "ckanext.kg:schemas/organization.yaml"),
    pytest.mark.ckan_config("scheming.presets",
                            "ckanext.scheming:presets.json ckanext.kg:schemas/presets.yaml"),
    pytest.mark.ckan_config("ckanext.dcat.rdf.profiles", "euro_dcat_ap_3 kg_dcat_ap"),
    pytest.mark.usefixtures("with_plugins", "portal_db", "clean_index"),
]


def uses_portal_schema(test):
    """`portal_schema` for one test, in a module whose other tests need
    neither CKAN's plugins nor its database (and so skip their set-up)."""
    for mark in portal_schema:
        test = mark(test)
    return test
