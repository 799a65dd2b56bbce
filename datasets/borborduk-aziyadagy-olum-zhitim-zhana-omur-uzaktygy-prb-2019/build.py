"""Builds central-asia-mortality-life-expectancy-prb-2019.csv: deaths per 1,000
population, infant mortality rate and life expectancy at birth of females and
males, one row for each of Kazakhstan, Kyrgyzstan, Tajikistan, Turkmenistan
and Uzbekistan, from the Population Reference Bureau's international indicator
files (2019 World Population Data Sheet), which the Data Package
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
TABLE = "central-asia-mortality-life-expectancy-prb-2019.csv"
# column: (source file, its git blob id); the file's first line names the indicator
INDICATORS = {
    # Deaths per 1,000 Population
    "deaths_per_1000": (
        "scripts/original_data/inter/deaths.csv",
        "a3926ae0ab9e0b1e201356388018f8a162bc2431"),
    # Infant Mortality Rate
    "infant_mortality_rate": (
        "scripts/original_data/inter/infant-mortality.csv",
        "9c243f6d73061a0c691bc6aa511242bfa574793b"),
    # Life Expectancy at Birth, Females
    "life_expectancy_females": (
        "scripts/original_data/inter/life-expectancy-birth-female.csv",
        "0695145ca4b2586ac04a9ffc3ab6ca17bb1b56e0"),
    # Life Expectancy at Birth , Males
    "life_expectancy_males": (
        "scripts/original_data/inter/life-expectancy-birth-male.csv",
        "06d7a5424e123fd8ea93dcce33093c0a7e5a07c8"),
}


def build(out: Path) -> None:
    """Write the Central Asian rows of the indicators as one table."""
    write_central_asia_table(out / TABLE, REPOSITORY, COMMIT, INDICATORS)


if __name__ == "__main__":
    main(build, __file__)
