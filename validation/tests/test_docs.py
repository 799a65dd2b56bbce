"""Documentation is tested: every CLI option and every check is in the README."""

from __future__ import annotations

from pathlib import Path

import pytest

from kg_validation import publish
from kg_validation.cli import build_parser

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    "option",
    [opt for action in build_parser()._actions for opt in action.option_strings
     if opt not in ("-h", "--help")],
)
def test_cli_option_is_documented(option):
    assert f"`{option}" in README


@pytest.mark.parametrize(
    "option",
    [opt for action in publish.build_parser()._actions for opt in action.option_strings
     if opt not in ("-h", "--help")],
)
def test_kg_publish_option_is_documented(option):
    assert f"`{option}" in README


@pytest.mark.parametrize("check", ["kg-region-code", "kg-inn", "kg-phone", "kg-mixed-script"])
def test_check_is_documented(check):
    assert f"`{check}`" in README
