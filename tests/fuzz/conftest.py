"""The fuzzers' target: the end-to-end portal (tests/conftest.py) with a
private dataset (a distinctive tag, title and DataStore row), a public
table and an outsider planted in it (kg_fuzz.planted)."""
from __future__ import annotations

import pytest
from kg_fuzz import planted as planting
from kg_fuzz.campaign import ANONYMOUS, OUTSIDER
from kg_fuzz.runner import Caller
from kg_fuzz.surfaces import read_surfaces


@pytest.fixture(scope="module")
def planted(portal):
    """Planted for each module and purged after it, so that the other
    end-to-end tests, in any order, never see it."""
    admin = portal.sysadmin()
    catalogue = planting.plant(admin)
    yield catalogue
    planting.remove(admin, catalogue)


@pytest.fixture(scope="session")
def surfaces(portal):
    return read_surfaces(portal.ini)


@pytest.fixture(params=[ANONYMOUS, OUTSIDER])
def caller(request, portal, planted) -> Caller:
    """Each test that takes it runs twice: as the anonymous reader, and as a
    user with an API token who belongs to no organization."""
    token = planted.outsider_token if request.param == OUTSIDER else None
    return Caller(portal.url, request.param, token)
