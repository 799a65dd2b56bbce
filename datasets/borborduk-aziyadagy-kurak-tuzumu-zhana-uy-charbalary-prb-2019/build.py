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
from prb_indicators import write_central_asia_table  # noqa: E402
from source_files import main  # noqa: E402

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


def build(out: Path) -> None:
    """Write the Central Asian rows of the indicators as one table."""
    write_central_asia_table(out / TABLE, REPOSITORY, COMMIT, INDICATORS)


if __name__ == "__main__":
    main(build, __file__)
