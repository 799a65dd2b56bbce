"""Builds population.csv, gdp.csv and central-asia-population-gdp.csv from the
World Bank figures as packaged by github.com/datasets:

- datasets/population data/population.csv (World Bank, SP.POP.TOTL),
- datasets/gdp data/gdp.csv (World Bank and OECD, NY.GDP.MKTP.CD),

both under ODC-PDDL-1.0. population.csv and gdp.csv keep the rows of the
Kyrgyz Republic (KGZ); central-asia-population-gdp.csv keeps KAZ, KGZ, TJK,
TKM and UZB and puts both figures of a country and year on one row (ordered
by country code and year; a figure the source lacks stays empty). Columns are
renamed, values are copied as text, unchanged.
"""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from source_files import main, source_rows, write_csv  # noqa: E402

POPULATION = ("https://github.com/datasets/population",
              "425fc447a53a26c767a15a7de60c4cc2478a0595",
              "data/population.csv", "08c079b84671a3ca96d7b833f39fe46a3906d188")
GDP = ("https://github.com/datasets/gdp",
       "822019c80142c162e4ca4eb1a63699ae36075078",
       "data/gdp.csv", "2d997edabb4c94223a97181819516086104a6f57")
CENTRAL_ASIA = ("KAZ", "KGZ", "TJK", "TKM", "UZB")


def build(out: Path) -> None:
    """Write the three tables into `out`."""
    population = source_rows(*POPULATION)
    gdp = source_rows(*GDP)
    header = ["country_name", "country_code", "year"]

    def kyrgyz(rows):
        return [[r["Country Name"], r["Country Code"], r["Year"], r["Value"]]
                for r in rows if r["Country Code"] == "KGZ"]

    write_csv(out / "population.csv", header + ["population"], kyrgyz(population))
    write_csv(out / "gdp.csv", header + ["gdp_current_usd"], kyrgyz(gdp))

    # (country code, year) -> [country name, population, GDP]
    joined: dict[tuple[str, str], list[str]] = {}
    for column, rows in ((1, population), (2, gdp)):
        for r in rows:
            if r["Country Code"] not in CENTRAL_ASIA:
                continue
            entry = joined.setdefault((r["Country Code"], r["Year"]), [r["Country Name"], "", ""])
            if entry[0] != r["Country Name"] or entry[column]:
                raise ValueError(f"conflicting rows for {r['Country Code']} {r['Year']}")
            entry[column] = r["Value"]
    write_csv(out / "central-asia-population-gdp.csv",
              ["country_code", "country_name", "year", "population", "gdp_current_usd"],
              [[code, name, year, pop, usd]
               for (code, year), (name, pop, usd) in sorted(joined.items())])


if __name__ == "__main__":
    main(build, __file__)
