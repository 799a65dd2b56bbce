"""CKAN's organization pages: list, read, inner search and bulk actions."""
from ckan.tests.controllers.test_organization import (  # noqa: F401
    TestOrganizationBulkProcess,
    TestOrganizationInnerSearch,
    TestOrganizationRead,
    TestOrganizationSearch,
    sysadmin,
    user,
)
