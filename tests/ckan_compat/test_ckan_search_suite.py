"""CKAN 2.12's own search test cases, run against the PostgreSQL backend.

The classes and functions are imported from the installed ``ckan.tests``
package and collected here unchanged; the only cases left out test Solr
itself, each listed with its reason in ``conftest.py`` beside this file.
"""
from ckan.tests.lib.search.test_query import *  # noqa: F401,F403
from ckan.tests.lib.search.test_search import *  # noqa: F401,F403
from ckan.tests.lib.search.test_index import *  # noqa: F401,F403
from ckan.tests.lib.search.test_common import *  # noqa: F401,F403
from ckan.tests.logic.action.test_get import (  # noqa: F401
    TestCurrentPackageList,
    TestGroupList,
    TestGroupPackageShow,
    TestGroupShow,
    TestOrganizationList,
    TestOrganizationListForUser,
    TestOrganizationShow,
    TestPackageAutocomplete,
    TestPackageList,
    TestPackageSearch,
    TestPackageShow,
    TestTagShow,
)
