"""What a tabular resource is: a table the portal validates, loads and
serves, and the data-exchange code's rules 5.2 and 5.3 concern."""
from __future__ import annotations

from typing import Any

TABULAR_FORMATS = ("csv", "tsv", "xlsx", "ods")


def is_tabular(resource: dict[str, Any]) -> bool:
    return (resource.get("format") or "").strip().lower() in TABULAR_FORMATS
