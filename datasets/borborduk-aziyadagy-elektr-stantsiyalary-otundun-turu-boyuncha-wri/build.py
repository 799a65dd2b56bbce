"""Builds `power-plants-summary.csv` and `power-plants-by-fuel.csv`: the
country summary of the Global Power Plant Database v1.3.0 (World Resources
Institute; CC BY 4.0) for Kazakhstan, the Kyrgyz Republic, Tajikistan,
Turkmenistan and Uzbekistan, from
`output_database/global_power_plant_database_country_summary.csv` of
github.com/wri/global-power-plant-database at commit 7a91cfbb2a4e.

- `power-plants-summary.csv`: the five countries' rows, a selection of the
  summary's columns (number of plants, total and largest capacity, distinct
  fuels, owners and sources);
- `power-plants-by-fuel.csv`: the same rows reshaped from wide to long: for
  each fuel of the summary's `count_fuel_<fuel>` and `capacity_gw_fuel_<fuel>`
  columns, one row with the fuel's name (taken from the column name), the
  number of plants and the capacity in GW.

Values are copied as text, unchanged.
"""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from source_files import main, source_rows, write_csv  # noqa: E402

REPOSITORY = "https://github.com/wri/global-power-plant-database"
COMMIT = "7a91cfbb2a4e272597acbc00506d61fc1ec73b3d"
SUMMARY = ("output_database/global_power_plant_database_country_summary.csv",
           "4189da70024a146b92fb1bad028c05fe1beb52a9")
CENTRAL_ASIA = ["KAZ", "KGZ", "TJK", "TKM", "UZB"]
SUMMARY_COLUMNS = ["iso_code", "country", "count", "total_capacity_gw", "max_capacity_mw",
                   "count_distinct_fuel", "count_distinct_owner", "count_distinct_source"]
COUNT, CAPACITY = "count_fuel_", "capacity_gw_fuel_"


def build(out: Path) -> None:
    """Write power-plants-summary.csv and power-plants-by-fuel.csv into `out`."""
    rows = [row for row in source_rows(REPOSITORY, COMMIT, *SUMMARY)
            if row["iso_code"] in CENTRAL_ASIA]
    fuels = [column.removeprefix(COUNT) for column in rows[0] if column.startswith(COUNT)]
    write_csv(out / "power-plants-summary.csv", SUMMARY_COLUMNS,
              ([row[column] for column in SUMMARY_COLUMNS] for row in rows))
    write_csv(out / "power-plants-by-fuel.csv",
              ["iso_code", "country", "fuel", "plant_count", "capacity_gw"],
              ([row["iso_code"], row["country"], fuel, row[COUNT + fuel], row[CAPACITY + fuel]]
               for row in rows for fuel in fuels))


if __name__ == "__main__":
    main(build, __file__)
