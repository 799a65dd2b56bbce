"""The administrative divisions code list shipped with the package.

See ``data/admin_divisions.PROVENANCE.md`` for where it comes from.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

LEVELS = {1: "region", 2: "district", 3: "settlement"}


@dataclass(frozen=True)
class Division:
    code: str
    level: int
    parent_code: str
    name_ky: str
    name_en: str


@lru_cache(maxsize=1)
def admin_divisions() -> dict[str, Division]:
    """All divisions (regions, districts, settlements) keyed by ``KG...`` code."""
    source = resources.files("kg_validation") / "data" / "admin_divisions.csv"
    with source.open(encoding="utf-8", newline="") as handle:
        return {
            row["code"]: Division(
                row["code"], int(row["level"]), row["parent_code"], row["name_ky"], row["name_en"]
            )
            for row in csv.DictReader(handle)
        }
