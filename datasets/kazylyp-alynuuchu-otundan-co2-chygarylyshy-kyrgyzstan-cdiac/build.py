"""Builds co2-fossil-kyrgyzstan.csv and co2-fossil-central-asia.csv from
CDIAC's national fossil-fuel CO2 emissions (Hefner and Marland 2023,
CDIAC-FF at Appalachian State University, 1751-2020), as packaged by
github.com/datasets/co2-fossil-by-nation (ODC-PDDL-1.0):

- data/fossil-fuel-co2-emissions-by-nation.csv: the rows of KYRGYZSTAN
  (co2-fossil-kyrgyzstan.csv) and of KAZAKHSTAN, KYRGYZSTAN, TAJIKISTAN,
  TURKMENISTAN and UZBEKISTAN (co2-fossil-central-asia.csv), ordered by
  nation and year. The column Gas Flaring, empty in every one of these rows,
  is left out; the other columns are renamed, values copied as text,
  unchanged.
- archive/fossil-fuel-co2-emissions-by-nation.xlsx, the original CDIAC
  workbook kept in the same repository, is read only to check that its
  header gives the units the table schema states (thousand metric tons of
  carbon; per capita: metric tons of carbon); no value is taken from it.
"""
from __future__ import annotations

import io
import sys
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from source_files import main, source_bytes, source_rows, write_csv  # noqa: E402

REPOSITORY = "https://github.com/datasets/co2-fossil-by-nation"
COMMIT = "8545c9bec352c31960bf9340a38fce81cd44a8df"
TABLE = (REPOSITORY, COMMIT, "data/fossil-fuel-co2-emissions-by-nation.csv",
         "038540f8f65a7baed578a3e32ddde364e97a863d")
WORKBOOK = (REPOSITORY, COMMIT, "archive/fossil-fuel-co2-emissions-by-nation.xlsx",
            "3d466e699a55ae355e72c29f726d4d93089caa37")
UNITS = (b"Total CO2 emissions from fossil-fuels and cement production "
         b"(thousand metric tons of C)",
         b"Per capita CO2 emissions (metric tons of carbon)")
CENTRAL_ASIA = ("KAZAKHSTAN", "KYRGYZSTAN", "TAJIKISTAN", "TURKMENISTAN", "UZBEKISTAN")
COLUMNS = [  # (source column, column here)
    ("Country", "nation"), ("Year", "year"), ("Total", "total"),
    ("Solid Fuel", "solid_fuel"), ("Liquid Fuel", "liquid_fuel"), ("Gas Fuel", "gas_fuel"),
    ("Cement", "cement"), ("Per Capita", "per_capita"),
    ("Bunker fuels (Not in Total)", "bunker_fuels"),
]


def build(out: Path) -> None:
    """Write the two tables into `out`."""
    with zipfile.ZipFile(io.BytesIO(source_bytes(*WORKBOOK))) as workbook:
        sheet = workbook.read("xl/worksheets/sheet1.xml")
    for header in UNITS:
        if header not in sheet:
            raise ValueError(f"the CDIAC workbook no longer says {header.decode()!r}")

    rows = source_rows(*TABLE)
    if any(r["Gas Flaring"] for r in rows if r["Country"] in CENTRAL_ASIA):
        raise ValueError("Gas Flaring has values for Central Asia: keep the column")
    kept = sorted((r for r in rows if r["Country"] in CENTRAL_ASIA),
                  key=lambda r: (r["Country"], int(r["Year"])))
    header = [name for _, name in COLUMNS]
    table = [[r[source] for source, _ in COLUMNS] for r in kept]
    write_csv(out / "co2-fossil-kyrgyzstan.csv", header,
              [row for row in table if row[0] == "KYRGYZSTAN"])
    write_csv(out / "co2-fossil-central-asia.csv", header, table)


if __name__ == "__main__":
    main(build, __file__)
