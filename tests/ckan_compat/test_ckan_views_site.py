"""CKAN's front page, feeds and the `ckan search-index` command."""
from ckan.tests.cli.test_search_index import TestSearchIndex  # noqa: F401
from ckan.tests.controllers.test_feed import TestFeeds  # noqa: F401
from ckan.tests.controllers.test_home import TestHome  # noqa: F401
