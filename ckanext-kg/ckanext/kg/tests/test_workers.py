"""The test suite's processes: each worker's configuration, and the groups
of tests that run on one worker (workers.py)."""
from pathlib import Path

import pytest

from ckanext.kg.tests import workers


@pytest.mark.parametrize("worker, number", [(None, None), ("gw0", 0), ("gw1", 1), ("gw12", 12)])
def test_the_worker_number_comes_from_pytest_xdist(monkeypatch, worker, number):
    if worker is None:
        monkeypatch.delenv("PYTEST_XDIST_WORKER", raising=False)
    else:
        monkeypatch.setenv("PYTEST_XDIST_WORKER", worker)
    assert workers.worker_number() == number


@pytest.mark.parametrize("number, ini", [
    (None, "var/test.ini"), (0, "var/test.ini"), (1, "var/test2.ini"), (2, "var/test3.ini")])
def test_each_worker_but_the_first_runs_ckan_on_a_numbered_sibling(number, ini):
    assert workers.worker_ini("var/test.ini", number) == Path(ini)


@pytest.mark.parametrize("path, fixtures, group", [
    ("tests/e2e/test_page_leaks.py", ["hidden"], "portal e2e"),
    ("tests/browser/test_journalist.py", ["chromium"], "portal e2e"),
    ("tests/fuzz/test_views.py", [], "portal e2e"),
    ("tests/test_deployment_files.py", ["portal"], "portal e2e"),
    ("tests/faults/test_faults.py", ["faults"], "portal faults"),
    ("tests/test_backup_restore.py", [], "portal ops"),
    ("tests/test_fresh_portal.py", [], "portal ops"),
    ("tests/test_web_server.py", ["tmp_path"], "services"),
    ("tests/ckan_compat/test_ckan_search_suite.py", ["clean_db"],
     "tests/ckan_compat/test_ckan_search_suite.py"),
    ("ckanext-kg/ckanext/kg/tests/test_pages.py", ["app"],
     "ckanext-kg/ckanext/kg/tests/test_pages.py"),
    ("validation/tests/test_validate.py", [], "validation/tests/test_validate.py"),
])
def test_tests_sharing_a_portal_or_a_service_run_in_one_group_others_by_module(
        path, fixtures, group):
    assert workers.group_of(path, fixtures) == group


def test_every_portal_group_names_files_that_exist():
    root = Path(__file__).resolve().parents[4]
    assert [prefix for prefix in workers.PORTAL_GROUPS
            if not (root / prefix).exists()] == []
