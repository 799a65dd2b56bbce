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
from gapminder_indicators import (  # noqa: E402
    central_asia_rows,
    write_kyrgyzstan_and_central_asia,
)
from source_files import main  # noqa: E402

REPOSITORY = "https://github.com/open-numbers/ddf--gapminder--systema_globalis"
COMMIT = "c63631abeb62af6db3910f68be7c2b443beca50b"
CONCEPTS_BLOB = "f387803ad36890913ab2bfe15b778f03834df183"
COUNTRIES_BLOB = "7cfaa643f43431f7d77f2887b19e5f5819581f6d"
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
COLUMNS = (
    'unemployment_15plus_pct',
    'unemployment_15plus_female_pct',
    'unemployment_15plus_male_pct',
    'unemployment_15_24_pct',
    'unemployment_15_24_female_pct',
    'unemployment_15_24_male_pct',
)


def build(out: Path) -> None:
    """Write the two tables into `out`."""
    rows = central_asia_rows(REPOSITORY, COMMIT, CONCEPTS_BLOB, COUNTRIES_BLOB, INDICATORS)
    write_kyrgyzstan_and_central_asia(out, "unemployment", COLUMNS, rows)


if __name__ == "__main__":
    main(build, __file__)
