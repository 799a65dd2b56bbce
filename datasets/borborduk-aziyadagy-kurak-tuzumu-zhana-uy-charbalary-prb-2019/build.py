"""Builds central-asia-age-households-prb-2019.csv: shares of the population
under age 15 and ages 65 and older, average household size and share of
one-person households, one row for each of Kazakhstan, Kyrgyzstan, Tajikistan,
Turkmenistan and Uzbekistan, from the Population Reference Bureau's
international indicator files (2019 World Population Data Sheet), which the
Data Package datasets/population-reference-bureau keeps as PRB's CSV downloads
in scripts/original_data/inter/. Columns are selected and renamed, values are
copied unchanged; the source's "n/a" (not available) is left empty.
"""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from source_files import main, source_rows, write_csv  # noqa: E402

REPOSITORY = "https://github.com/datasets/population-reference-bureau"
COMMIT = "0aff42911e348cc597256be6fc4d5f984a3d58f6"
TABLE = "central-asia-age-households-prb-2019.csv"
# column: (source file, its git blob id); the file's first line names the indicator
INDICATORS = {
    # Percent of Population Under Age 15
    "population_under_15_share": (
        "scripts/original_data/inter/age15.csv",
        "4c2ac5ccc6703cac4b359cf7a320668b7cc450bd"),
    # Percent of Population Ages 65 and Older
    "population_65_and_older_share": (
        "scripts/original_data/inter/age65.csv",
        "fefc95e7e4ffc675aaa7c6d0089dd2b9c9dbb150"),
    # Average Household Size
    "average_household_size": (
        "scripts/original_data/inter/hh-size-av.csv",
        "2680b46593456188482d57d04ed5ba816e1004f7"),
    # Percent of Households With One-Person
    "one_person_households_share": (
        "scripts/original_data/inter/hh-one-person.csv",
        "64c19fd265f3d578e1cc518da7d93aa9be56ea30"),
}
# the source's FIPS codes of the five Central Asian countries, in the source's order
COUNTRIES = ("KZ", "KG", "TJ", "TM", "UZ")
NOT_AVAILABLE = "n/a"


def build(out: Path) -> None:
    """Write the Central Asian rows of the indicators as one table."""
    by_country: dict[str, dict[str, str]] = {code: {} for code in COUNTRIES}
    for column, (path, blob) in INDICATORS.items():
        # four lines before the header: indicator, "Population Reference Bureau prb.org",
        # "Sources: ...", an empty line
        rows = [row for row in source_rows(REPOSITORY, COMMIT, path, blob, skip_lines=4)
                if row["Type"] == "Country" and row["FIPS"] in COUNTRIES]
        if sorted(row["FIPS"] for row in rows) != sorted(COUNTRIES):
            raise ValueError(f"{path}: not one row for each of {COUNTRIES}")
        for row in rows:
            country = by_country[row["FIPS"]]
            for key, value in (("country", row["Name"]), ("year", row["TimeFrame"])):
                if country.setdefault(key, value) != value:
                    raise ValueError(f"{path}: {row['FIPS']} has {key} {value}, "
                                     f"other files {country[key]}")
            country[column] = "" if row["Data"] == NOT_AVAILABLE else row["Data"]
    header = ["country", "country_code", "year", *INDICATORS]
    write_csv(out / TABLE, header,
              ([by_country[code]["country"], code, by_country[code]["year"],
                *(by_country[code][column] for column in INDICATORS)]
               for code in COUNTRIES))


if __name__ == "__main__":
    main(build, __file__)
