"""Builds `life-expectancy-median-age.csv`: life expectancy at birth of women
and of men and the median age of the population, 1950-2100 (with
projections), for Kazakhstan, the Kyrgyz Republic, Tajikistan, Turkmenistan
and Uzbekistan, from Gapminder's Systema Globalis
(github.com/open-numbers/ddf--gapminder--systema_globalis at commit
c63631abeb62; CC BY 4.0; source of the three indicators as the dataset's
ddf--concepts.csv names it: "World Population Prospects, UN").

The three datapoint files (geo, time, value) are joined on geo and time;
the country's ISO 3166-1 alpha-3 code and name are looked up in the
dataset's country entities by geo. Only the rows of the five Central Asian
countries are kept; values are copied as text, unchanged.
"""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from source_files import main, source_rows, write_csv  # noqa: E402

REPOSITORY = "https://github.com/open-numbers/ddf--gapminder--systema_globalis"
COMMIT = "c63631abeb62af6db3910f68be7c2b443beca50b"
COUNTRIES = ("ddf--entities--geo--country.csv", "7cfaa643f43431f7d77f2887b19e5f5819581f6d")
DATAPOINTS = "countries-etc-datapoints/ddf--datapoints--{}--by--geo--time.csv"
INDICATORS = {  # column in the output: (concept, blob)
    "life_expectancy_female": ("life_expectancy_female",
                               "b44dd212dea37d2258991e16063e5c15ff6addf1"),
    "life_expectancy_male": ("life_expectancy_male",
                             "e13f793c0df4bb21466c9e23e98a2de51a08db52"),
    "median_age_years": ("median_age_years", "ba003c807641d93b40b518327c318bd79f3ea58c"),
}
CENTRAL_ASIA = ["kaz", "kgz", "tjk", "tkm", "uzb"]
HEADER = ["geo", "country_code", "country_name", "year", *INDICATORS]


def build(out: Path) -> None:
    """Write life-expectancy-median-age.csv into `out`."""
    countries = {row["country"]: row for row in source_rows(REPOSITORY, COMMIT, *COUNTRIES)}
    values: dict[tuple[str, str], dict[str, str]] = {}
    for column, (concept, blob) in INDICATORS.items():
        for row in source_rows(REPOSITORY, COMMIT, DATAPOINTS.format(concept), blob):
            if row["geo"] in CENTRAL_ASIA:
                values.setdefault((row["geo"], row["time"]), {})[column] = row[concept]
    rows = [[geo, countries[geo]["iso3166_1_alpha3"], countries[geo]["name"], year,
             *(found.get(column, "") for column in INDICATORS)]
            for (geo, year), found in sorted(values.items(),
                                             key=lambda item: (item[0][0], int(item[0][1])))]
    write_csv(out / "life-expectancy-median-age.csv", HEADER, rows)


if __name__ == "__main__":
    main(build, __file__)
