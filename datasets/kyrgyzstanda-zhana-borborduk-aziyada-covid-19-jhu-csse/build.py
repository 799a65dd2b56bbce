"""Builds kyrgyzstan-covid-19-daily.csv (Kyrgyzstan) and
central-asia-covid-19-daily.csv (Kazakhstan, Kyrgyzstan, Tajikistan,
Uzbekistan; the source has no rows for Turkmenistan): COVID-19 confirmed
cases, recoveries and deaths reported up to each day, 2020-01-22 to
2021-10-10, from the Johns Hopkins University CSSE time series as the Data
Package datasets/covid-19 aggregates them by country
(data/countries-aggregated.csv, its version of 2021-10-11). Rows are
selected and columns renamed; values are copied unchanged.
"""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from source_files import main, source_rows, write_csv  # noqa: E402

REPOSITORY = "https://github.com/datasets/covid-19"
COMMIT = "b17ba41762349a2e9325033ca15bb962dafd42fd"
PATH = "data/countries-aggregated.csv"
BLOB = "9012b273d8ce9d8805ab590ada7f8aafe7aea676"
# the Central Asian countries as the source names them (it has no Turkmenistan)
CENTRAL_ASIA = ("Kazakhstan", "Kyrgyzstan", "Tajikistan", "Uzbekistan")
KYRGYZSTAN = "Kyrgyzstan"


def build(out: Path) -> None:
    """Write the Kyrgyz and the Central Asian daily series."""
    # the package's datapackage.json declares the file ISO-8859-1
    rows = [row for row in source_rows(REPOSITORY, COMMIT, PATH, BLOB, encoding="latin-1")
            if row["Country"] in CENTRAL_ASIA]
    if sorted({row["Country"] for row in rows}) != sorted(CENTRAL_ASIA):
        raise ValueError(f"{PATH}: not every one of {CENTRAL_ASIA} is there")
    write_csv(out / "kyrgyzstan-covid-19-daily.csv",
              ["date", "confirmed", "recovered", "deaths"],
              ([row["Date"], row["Confirmed"], row["Recovered"], row["Deaths"]]
               for row in rows if row["Country"] == KYRGYZSTAN))
    write_csv(out / "central-asia-covid-19-daily.csv",
              ["country", "date", "confirmed", "recovered", "deaths"],
              ([row["Country"], row["Date"], row["Confirmed"], row["Recovered"], row["Deaths"]]
               for row in rows))


if __name__ == "__main__":
    main(build, __file__)
