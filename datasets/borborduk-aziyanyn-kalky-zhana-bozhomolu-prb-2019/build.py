"""Builds central-asia-population-prb-2019.csv: population mid-2019, projections
for mid-2035 and mid-2050, rate of natural increase and urban share, one row
for each of Kazakhstan, Kyrgyzstan, Tajikistan, Turkmenistan and Uzbekistan,
from the Population Reference Bureau's international indicator files (2019
World Population Data Sheet), which the Data Package
datasets/population-reference-bureau keeps as PRB's CSV downloads in
scripts/original_data/inter/. Columns are selected and renamed, values are
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
TABLE = "central-asia-population-prb-2019.csv"
# column: (source file, its git blob id); the file's first line names the indicator
INDICATORS = {
    # Population mid-2019
    "population_mid_2019": (
        "scripts/original_data/inter/population.csv",
        "305d9489d600ff89906c482ce006f6696312a0b7"),
    # Population mid-2035
    "population_mid_2035": (
        "scripts/original_data/inter/population-2035.csv",
        "f1f3a46d6cf8b089add6a3d6acee2e6f6a711e79"),
    # Population mid-2050
    "population_mid_2050": (
        "scripts/original_data/inter/population-2050.csv",
        "82275d087c9d91b128eeee09fc5155ca3362f0c9"),
    # Rate of Natural Increase
    "rate_of_natural_increase": (
        "scripts/original_data/inter/rate-natural-increase.csv",
        "477e78a8a48a397aab6ad3be120c7ed6fbcd04fb"),
    # Percent of Population Living in Urban Areas
    "urban_population_share": (
        "scripts/original_data/inter/urban.csv",
        "03e8ee1ff1b3a08b9f43d751ad8295efdbcc55cf"),
}


def build(out: Path) -> None:
    """Write the Central Asian rows of the indicators as one table."""
    write_central_asia_table(out / TABLE, REPOSITORY, COMMIT, INDICATORS)


if __name__ == "__main__":
    main(build, __file__)
