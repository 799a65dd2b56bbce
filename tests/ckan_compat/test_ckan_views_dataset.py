"""CKAN's dataset pages that depend on search: /dataset, delete, drafts."""
from ckan.tests.controllers.test_package import (  # noqa: F401
    TestCollaborators,
    TestNonActivePackages,
    TestPackageDelete,
    TestSearch,
    sysadmin,
    user,
)
