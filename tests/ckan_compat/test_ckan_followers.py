"""CKAN's own follow tests, counted by the portal's follower counts
(`ckanext/kg/logic/followers.py`, which replaces CKAN's four
`*_follower_count` actions): the `kg` plugin is loaded for them, with the
plugins it needs and the activity plugin's tables."""
import pytest
from ckan.tests.logic.action.test_create import (  # noqa: F401
    TestFollowCommon,
    TestFollowDataset,
    TestFollowGroup,
    TestFollowOrganization,
    TestFollowUser,
)

pytestmark = [pytest.mark.ckan_config("ckan.plugins", "kg kg_pgsearch datastore activity"),
              pytest.mark.usefixtures("with_plugins", "portal_db")]
