"""Fixtures for tests that need a portal served by gunicorn.

`portal` empties the `e2e` databases, creates a sysadmin with an API token,
serves CKAN through gunicorn on KG_E2E_PORT (5099) and stops it at the end.
"""
from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _load_portal_module():
    spec = importlib.util.spec_from_file_location(
        "kg_portal_script", ROOT / "scripts" / "portal.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


class Portal:
    def __init__(self, url: str, token: str, ini: Path):
        self.url = url
        self.token = token
        self.ini = ini

    def api(self, token: str | None = None):
        import ckanapi
        return ckanapi.RemoteCKAN(self.url, apikey=token)

    def sysadmin(self):
        return self.api(self.token)


def code_compliant(owner_org: str, title_ky: str, title_ru: str, **extra) -> dict:
    """A dataset that meets every rule of the data-exchange code."""
    data = {
        "title_translated": {"ky": title_ky, "ru": title_ru},
        "notes_translated": {"ky": f"{title_ky}: сүрөттөмө.", "ru": f"{title_ru}: описание."},
        "keywords": {"ky": ["калк"], "ru": ["население"]},
        "owner_org": owner_org,
        "contact_name": "Байланыш кызматы",
        "contact_email": "open-data@example.invalid",
        "license_id": "cc-by", "access_level": "open", "frequency": "ANNUAL",
        "temporal_start": "2020-01-01", "spatial_divisions": ["KG08000000000"],
        "theme": "SOCI", "private": False,
        "resources": [{"url": "http://example.invalid/report.pdf", "format": "PDF",
                       "name": "Report"}],
    }
    data.update(extra)
    return data


@pytest.fixture(scope="session")
def compliant_dataset():
    return code_compliant


@pytest.fixture(scope="session")
def portal_script():
    return _load_portal_module()


@pytest.fixture(scope="session")
def portal(portal_script):
    ini, token_file = portal_script.fresh_portal("e2e")
    proc = portal_script.serve(ini, portal_script.E2E_PORT)
    try:
        yield Portal(f"http://127.0.0.1:{portal_script.E2E_PORT}",
                     token_file.read_text().strip(), ini)
    finally:
        proc.terminate()
        proc.wait(timeout=30)


@pytest.fixture(scope="session")
def catalogue_portal(portal_script):
    """A portal of its own that published datasets/ exactly as `make run`
    does on a fresh machine (the same function), served by gunicorn; its
    `said` holds what the publication printed."""
    ini, token_file = portal_script.fresh_portal("catalogue")  # its storage emptied too
    said = portal_script.publish_datasets(ini)
    port = portal_script.PORTS["catalogue"]
    proc = portal_script.serve(ini, port)
    try:
        portal = Portal(f"http://127.0.0.1:{port}", token_file.read_text().strip(), ini)
        portal.said = said
        yield portal
    finally:
        proc.terminate()
        proc.wait(timeout=30)
