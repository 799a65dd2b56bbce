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
    ('internet_users',
     '3a8323535f42b0cd5b11c65a1c2452f715855c77',
     'Individuals using the Internet (% of population)',
     'World Development Indicators, World Bank'),
    ('cell_phones_per_100_people',
     '7550ebce0a4df93a3234c5267818dd3c70fdf155',
     'Cell phones (per 100 people)',
     'World Development Indicators, World Bank'),
]
COLUMNS = ('internet_users_pct', 'cell_phones_per_100_people')


def build(out: Path) -> None:
    """Write the two tables into `out`."""
    rows = central_asia_rows(REPOSITORY, COMMIT, CONCEPTS_BLOB, COUNTRIES_BLOB, INDICATORS)
    write_kyrgyzstan_and_central_asia(out, "internet-mobile", COLUMNS, rows)


if __name__ == "__main__":
    main(build, __file__)
