"""Shared fixtures: the real source files live in ``<repo root>/../shared``."""

from __future__ import annotations

from pathlib import Path

import pytest
from kg_sources import MESSY, SDG_EXCEL


def _require(folder: Path) -> Path:
    if not folder.is_dir():
        pytest.skip(f"real source files not present: {folder} is missing")
    return folder


@pytest.fixture
def messy() -> Path:
    """Folder of real messy CSVs committed by the National Statistical Committee."""
    return _require(MESSY)


@pytest.fixture
def sdg_excel() -> Path:
    """Folder of the real SDG workbooks (title rows, merged headers)."""
    return _require(SDG_EXCEL)


@pytest.fixture
def write_bytes(tmp_path: Path):
    """Write raw bytes to a temporary file and return its path."""

    def _write(data: bytes, name: str = "table.csv") -> Path:
        path = tmp_path / name
        path.write_bytes(data)
        return path

    return _write
