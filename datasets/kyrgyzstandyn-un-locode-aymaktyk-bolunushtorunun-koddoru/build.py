"""Builds `subdivisions.csv`: the subdivision codes of Kyrgyzstan (ISO 3166-2
codes of its regions and of the cities of Bishkek and Osh) as UN/LOCODE lists
them, from the Data Package "un-locode" (data/subdivision-codes.csv of
github.com/datasets/un-locode at commit b1309b37edea; UNECE UN/LOCODE,
edition 2025-1; ODC-PDDL-1.0).

Rows are selected by SUCountry = "KG"; the four columns are kept in their
order and renamed to snake_case. Values are copied as text, unchanged, in the
source's row order.
"""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from source_files import main, source_rows, write_csv  # noqa: E402

REPOSITORY = "https://github.com/datasets/un-locode"
COMMIT = "b1309b37edea63334a819a78c22b8967f61c37ad"
SUBDIVISIONS = ("data/subdivision-codes.csv", "fd0938800063c32d8b68be9c97a7049930ac64fd")
COUNTRY = "KG"
# source column -> column of subdivisions.csv
COLUMNS = {"SUCountry": "country_code", "SUCode": "subdivision_code",
           "SUName": "subdivision_name", "SUType": "subdivision_type"}


def build(out: Path) -> None:
    """Write subdivisions.csv into `out`."""
    rows = [[row[column] for column in COLUMNS]
            for row in source_rows(REPOSITORY, COMMIT, *SUBDIVISIONS)
            if row["SUCountry"] == COUNTRY]
    write_csv(out / "subdivisions.csv", list(COLUMNS.values()), rows)


if __name__ == "__main__":
    main(build, __file__)
