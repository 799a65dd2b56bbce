"""Builds co2-ghg-kyrgyzstan.csv and co2-ghg-central-asia.csv from Our World
in Data's CO2 and Greenhouse Gas Emissions dataset, github.com/owid/co2-data
at its 2020-12-09 version (the newest whose owid-co2-data.csv is in the
snapshot):

- owid-co2-codebook.csv is read to check that every column kept here is one
  that OWID itself calculated (its codebook source begins "Calculated by Our
  World in Data"): the README puts "data ... produced by Our World in Data"
  under CC BY 4.0 and leaves third-party data under its authors' terms, so
  the columns OWID took from third parties (co2, consumption_co2, the
  emissions by fuel, total_ghg, methane, nitrous_oxide,
  primary_energy_consumption, population, gdp) are left out. The energy
  columns energy_per_capita and energy_per_gdp are left out as another
  subject.
- owid-co2-data.csv: the rows of iso_code KGZ (co2-ghg-kyrgyzstan.csv) and
  of KAZ, KGZ, TJK, TKM, UZB (co2-ghg-central-asia.csv, fewer columns),
  ordered by iso_code and year; values copied as text, unchanged.
"""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from source_files import main, source_rows, write_csv  # noqa: E402

REPOSITORY = "https://github.com/owid/co2-data"
COMMIT = "2a6c4a26fafc29000d1ee0deebf083d60b563c78"
DATA = (REPOSITORY, COMMIT, "owid-co2-data.csv", "ab312e6202668ec21fcf3cdefd042f7b9585360a")
CODEBOOK = (REPOSITORY, COMMIT, "owid-co2-codebook.csv",
            "68693814b605d7a6fdfd3053eb5835ca0949df9d")
CENTRAL_ASIA = ("KAZ", "KGZ", "TJK", "TKM", "UZB")
KEYS = ["iso_code", "country", "year"]
KYRGYZSTAN_COLUMNS = [
    "co2_per_capita", "co2_growth_prct", "co2_growth_abs", "share_global_co2",
    "cumulative_co2", "share_global_cumulative_co2", "co2_per_gdp", "co2_per_unit_energy",
    "consumption_co2_per_capita", "consumption_co2_per_gdp", "trade_co2", "trade_co2_share",
    "coal_co2_per_capita", "oil_co2_per_capita", "gas_co2_per_capita",
    "cement_co2_per_capita", "flaring_co2_per_capita",
    "ghg_per_capita", "methane_per_capita", "nitrous_oxide_per_capita",
]
CENTRAL_ASIA_COLUMNS = [
    "co2_per_capita", "share_global_co2", "cumulative_co2", "share_global_cumulative_co2",
    "co2_per_gdp", "consumption_co2_per_capita", "ghg_per_capita",
]


def build(out: Path) -> None:
    """Write the two tables into `out`."""
    sources = {r["column"]: r["source"] for r in source_rows(*CODEBOOK)}
    for column in KYRGYZSTAN_COLUMNS + CENTRAL_ASIA_COLUMNS:
        if not sources[column].startswith("Calculated by Our World in Data"):
            raise ValueError(f"{column} is not OWID's own calculation: {sources[column]}")

    rows = sorted((r for r in source_rows(*DATA) if r["iso_code"] in CENTRAL_ASIA),
                  key=lambda r: (r["iso_code"], int(r["year"])))
    write_csv(out / "co2-ghg-kyrgyzstan.csv", KEYS + KYRGYZSTAN_COLUMNS,
              [[r[c] for c in KEYS + KYRGYZSTAN_COLUMNS]
               for r in rows if r["iso_code"] == "KGZ"])
    write_csv(out / "co2-ghg-central-asia.csv", KEYS + CENTRAL_ASIA_COLUMNS,
              [[r[c] for c in KEYS + CENTRAL_ASIA_COLUMNS] for r in rows])


if __name__ == "__main__":
    main(build, __file__)
