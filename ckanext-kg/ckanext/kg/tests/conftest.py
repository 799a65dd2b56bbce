"""Plugins and settings of the portal's own dataset schema, for tests."""
import pytest

PORTAL_PLUGINS = "kg scheming_datasets scheming_organizations dcat datastore kg_pgsearch"

portal_schema = [
    pytest.mark.ckan_config("ckan.plugins", PORTAL_PLUGINS),
    pytest.mark.ckan_config("scheming.dataset_schemas", "ckanext.kg:schemas/dataset.yaml"),
    pytest.mark.ckan_config("scheming.organization_schemas",
                            "ckanext.kg:schemas/organization.yaml"),
    pytest.mark.ckan_config("scheming.presets",
                            "ckanext.scheming:presets.json ckanext.kg:schemas/presets.yaml"),
    pytest.mark.ckan_config("ckanext.dcat.rdf.profiles", "euro_dcat_ap_3 kg_dcat_ap"),
    pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index"),
]
