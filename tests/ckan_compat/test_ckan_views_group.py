"""CKAN's group pages: group list, group read and search inside a group."""
from ckan.tests.controllers.test_group import (  # noqa: F401
    TestGroupIndex,
    TestGroupInnerSearch,
    TestGroupRead,
    TestGroupSearch,
    sysadmin,
    user,
)
