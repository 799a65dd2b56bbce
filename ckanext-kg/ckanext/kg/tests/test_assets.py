"""CKAN's asset bundles, built once when the application is made and then
served without checking their sources on each request (assets.py)."""
from __future__ import annotations

import os

import pytest
from bs4 import BeautifulSoup
from ckan.lib import webassets_tools
from ckan.tests import helpers

from ckanext.kg.tests.conftest import portal_schema

pytestmark = portal_schema


def _outputs() -> list[str]:
    env = webassets_tools.env
    return sorted(bundle.resolve_output() for bundle in env if bundle.output)


def _asset_addresses(app) -> list[str]:
    page = BeautifulSoup(app.get("/dataset/").body, "html.parser")
    return ([tag["src"] for tag in page.select("script[src]")]
            + [tag["href"] for tag in page.select("link[rel=stylesheet]")])


def test_every_bundle_is_built_when_the_application_is_made_and_not_checked_after(app):
    assert webassets_tools.env.auto_build is False
    outputs = _outputs()
    assert len(outputs) > 10  # CKAN's and the portal's bundles
    assert [path for path in outputs if not os.path.exists(path)] == []


def test_a_bundle_whose_output_is_gone_is_built_again_by_the_next_application(app):
    [ours] = [bundle.resolve_output() for bundle in webassets_tools.env
              if bundle.output == "ckanext-kg/%(version)s_kg.css"]
    os.remove(ours)
    helpers._get_test_app()  # a new process's application
    assert os.path.exists(ours)


def test_the_pages_name_the_same_assets_as_with_each_request_checking(app):
    served = _asset_addresses(app)
    assert any("/webassets/ckanext-kg/" in address for address in served)
    webassets_tools.env.auto_build = True
    try:
        assert _asset_addresses(app) == served
    finally:
        webassets_tools.env.auto_build = False  # as the application left it


@pytest.mark.ckan_config("ckanext.kg.assets.checked_on_each_request", True)
def test_the_check_on_each_request_can_be_kept(app):
    assert webassets_tools.env.auto_build is True
