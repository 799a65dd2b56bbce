"""Builds `cities.csv`: the cities of Kyrgyzstan with more than 15,000
inhabitants, from the Data Package "world-cities" (data/world-cities.csv of
github.com/datasets/world-cities at commit 49974c675a13), which is extracted
from GeoNames (cities15000 dump and admin1 codes; CC-BY-4.0, credit GeoNames).

Rows are selected by the column country = "Kyrgyzstan"; the columns name,
subcountry and geonameid are kept (country is the same in every row and is
left out). Values are copied as text, unchanged, in the source's row order.
"""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from source_files import main, source_rows, write_csv  # noqa: E402

REPOSITORY = "https://github.com/datasets/world-cities"
COMMIT = "49974c675a13f12ec0b8b8164f0f82f017b896fc"
CITIES = ("data/world-cities.csv", "9b14686a9b863ad120030360ac357cd66802e633")
COUNTRY = "Kyrgyzstan"
COLUMNS = ["name", "subcountry", "geonameid"]


def build(out: Path) -> None:
    """Write cities.csv into `out`."""
    rows = [[row[column] for column in COLUMNS]
            for row in source_rows(REPOSITORY, COMMIT, *CITIES) if row["country"] == COUNTRY]
    write_csv(out / "cities.csv", COLUMNS, rows)


if __name__ == "__main__":
    main(build, __file__)
