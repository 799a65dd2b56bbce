"""Builds unemployment-kyrgyzstan.csv and unemployment-central-asia.csv from
Gapminder's Systema Globalis
(github.com/open-numbers/ddf--gapminder--systema_globalis, CC BY 4.0 as its
README states: "Gapminder created this dataset and provides it under
Creative Common Attribution 4.0 International"), unemployment rates by age
group and sex:

- aged_15plus_unemployment_rate_percent -> unemployment_15plus_pct: "Aged
  15+ unemployment rate (%)" (ILOSTAT; https://ilostat.ilo.org/)
- females_aged_15plus_unemployment_rate_percent ->
  unemployment_15plus_female_pct: "Unemployment rate (%), females aged 15+"
  (ILOSTAT; https://www.ilo.org/ilostat/)
- males_aged_15plus_unemployment_rate_percent ->
  unemployment_15plus_male_pct: "Unemployment rate (%), males aged 15+"
  (ILOSTAT; https://www.ilo.org/ilostat/)
- aged_15_24_unemployment_rate_percent -> unemployment_15_24_pct: "Aged
  15-24 unemployment rate (%)" (ILOSTAT; https://ilostat.ilo.org/)
- females_aged_15_24_unemployment_rate_percent ->
  unemployment_15_24_female_pct: "Unemployment rate (%), females aged 15-24"
  (ILOSTAT; https://www.ilo.org/ilostat/)
- males_aged_15_24_unemployment_rate_percent -> unemployment_15_24_male_pct:
  "Unemployment rate (%), males aged 15-24" (ILOSTAT;
  https://www.ilo.org/ilostat/)

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
    ('aged_15plus_unemployment_rate_percent',
     '5f08958e94b6b82b72f83198d10c483093636947',
     'Aged 15+ unemployment rate (%)',
     'ILOSTAT'),
    ('females_aged_15plus_unemployment_rate_percent',
     'ab1c0ed627bbd5c40d455aa2af098b3fb1cb55fa',
     'Unemployment rate (%), females aged 15+',
     'ILOSTAT'),
    ('males_aged_15plus_unemployment_rate_percent',
     '81878718b02f529f22e4d9ddeb6a6249372f7800',
     'Unemployment rate (%), males aged 15+',
     'ILOSTAT'),
    ('aged_15_24_unemployment_rate_percent',
     '6f5e0448b2b2fc8900dfdab63fcad9147275b340',
     'Aged 15-24 unemployment rate (%)',
     'ILOSTAT'),
    ('females_aged_15_24_unemployment_rate_percent',
     '5284efe337020771b5563a95772a72d1439f20a2',
     'Unemployment rate (%), females aged 15-24',
     'ILOSTAT'),
    ('males_aged_15_24_unemployment_rate_percent',
     '83a191493ed501adfb7fcfde4646147496852354',
     'Unemployment rate (%), males aged 15-24',
     'ILOSTAT'),
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
        'unemployment_15plus_pct',
        'unemployment_15plus_female_pct',
        'unemployment_15plus_male_pct',
        'unemployment_15_24_pct',
        'unemployment_15_24_female_pct',
        'unemployment_15_24_male_pct',
    ]
    rows = [[geo, names[geo], str(year), *values]
            for (geo, year), values in sorted(table.items())]
    write_csv(out / "unemployment-kyrgyzstan.csv", header, [r for r in rows if r[0] == "kgz"])
    write_csv(out / "unemployment-central-asia.csv", header, rows)


if __name__ == "__main__":
    main(build, __file__)
