"""CKAN's admin trash page (lists deleted datasets through search)."""
from ckan.tests.controllers.test_admin import (  # noqa: F401
    TestTrashView,
    sysadmin_headers,
    user_headers,
)
