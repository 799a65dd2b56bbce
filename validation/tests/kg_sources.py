"""Where the real source files are: ``<repo root>/../shared/sources``."""

from __future__ import annotations

from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
SHARED_SOURCES = REPO_ROOT.parent / "shared" / "sources"
MESSY = SHARED_SOURCES / "messy-real-world"
SDG_EXCEL = SHARED_SOURCES / "kg-sdg-statistics" / "excel_files"
