"""Builds internet-mobile-kyrgyzstan.csv and internet-mobile-central-asia.csv
from Gapminder's Systema Globalis
(github.com/open-numbers/ddf--gapminder--systema_globalis, CC BY 4.0 as its
README states: "Gapminder created this dataset and provides it under
Creative Common Attribution 4.0 International"), internet use and
mobile-phone subscriptions:

- internet_users -> internet_users_pct: "Individuals using the Internet (%
  of population)" (World Development Indicators, World Bank;
  https://data.worldbank.org/indicator/IT.NET.USER.ZS)
- cell_phones_per_100_people -> cell_phones_per_100_people: "Cell phones
  (per 100 people)" (World Development Indicators, World Bank;
  https://data.worldbank.org/indicator/IT.CEL.SETS.P2)

Each indicator is a DDF file of rows geo, time, value. The rows of geo kgz
(the Kyrgyz Republic) and of kaz, kgz, tjk, tkm, uzb are kept and joined to
one row per country and year, the country's name taken from
ddf--entities--geo--country.csv (column name) and the indicators' names and
sources checked against ddf--concepts.csv. Ordered by geo and year; a figure
the source lacks for that country and year stays empty. Values are copied as
text, unchanged.
"""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from source_files import main, source_rows, write_csv  # noqa: E402

REPOSITORY = "https://github.com/open-numbers/ddf--gapminder--systema_globalis"
COMMIT = "c63631abeb62af6db3910f68be7c2b443beca50b"
CONCEPTS = (REPOSITORY, COMMIT, "ddf--concepts.csv", "f387803ad36890913ab2bfe15b778f03834df183")
COUNTRIES = (REPOSITORY, COMMIT, "ddf--entities--geo--country.csv",
             "7cfaa643f43431f7d77f2887b19e5f5819581f6d")
INDICATORS = [  # (concept, blob of its datapoints file, its name and source in ddf--concepts.csv)
    ('internet_users',
     '3a8323535f42b0cd5b11c65a1c2452f715855c77',
     'Individuals using the Internet (% of population)',
     'World Development Indicators, World Bank'),
    ('cell_phones_per_100_people',
     '7550ebce0a4df93a3234c5267818dd3c70fdf155',
     'Cell phones (per 100 people)',
     'World Development Indicators, World Bank'),
]
CENTRAL_ASIA = ("kaz", "kgz", "tjk", "tkm", "uzb")


def datapoints(concept: str, blob: str) -> list[dict[str, str]]:
    path = f"countries-etc-datapoints/ddf--datapoints--{concept}--by--geo--time.csv"
    return source_rows(REPOSITORY, COMMIT, path, blob)


def build(out: Path) -> None:
    """Write the two tables into `out`."""
    concepts = {r["concept"]: r for r in source_rows(*CONCEPTS)}
    for concept, _, name, source in INDICATORS:
        if (concepts[concept]["name"], concepts[concept]["source"]) != (name, source):
            raise ValueError(f"{concept}: ddf--concepts.csv now names it differently")
    names = {r["country"]: r["name"] for r in source_rows(*COUNTRIES)}

    # (geo, year) -> one value per indicator
    table: dict[tuple[str, int], list[str]] = {}
    for column, (concept, blob, _, _) in enumerate(INDICATORS):
        for r in datapoints(concept, blob):
            if r["geo"] not in CENTRAL_ASIA:
                continue
            values = table.setdefault((r["geo"], int(r["time"])), [""] * len(INDICATORS))
            if values[column]:
                raise ValueError(f"{concept}: two rows for {r['geo']} {r['time']}")
            values[column] = r[concept]
    header = ["geo", "country_name", "year",
        'internet_users_pct',
        'cell_phones_per_100_people',
    ]
    rows = [[geo, names[geo], str(year), *values]
            for (geo, year), values in sorted(table.items())]
    write_csv(out / "internet-mobile-kyrgyzstan.csv", header, [r for r in rows if r[0] == "kgz"])
    write_csv(out / "internet-mobile-central-asia.csv", header, rows)


if __name__ == "__main__":
    main(build, __file__)
