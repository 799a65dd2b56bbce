"""Builds central-asia-family-planning-hiv-prb-2019.csv: married women using
modern contraception, unmet need, demand satisfied by modern methods, and
young women and men with HIV/AIDS, one row for each of Kazakhstan, Kyrgyzstan,
Tajikistan, Turkmenistan and Uzbekistan, from the Population Reference
Bureau's international indicator files (2019 Family Planning Data Sheet and
2019 World Population Data Sheet), which the Data Package
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
TABLE = "central-asia-family-planning-hiv-prb-2019.csv"
# column: (source file, its git blob id); the file's first line names the indicator
INDICATORS = {
    # Percent of Married Women 15-49 Using Contraception, Modern Methods
    "married_women_modern_contraception_share": (
        "scripts/original_data/inter/fp-total-modern.csv",
        "6bf55c10bc4d4697fe21086d7897e3e925612e2f"),
    # Unmet Need, Total
    "unmet_need_total": (
        "scripts/original_data/inter/fp-unmet-total.csv",
        "78cbb65339a6ff5b9478c048ff63033ae538f972"),
    # Demand Satisifed by Modern Methods Among Married Women
    "demand_satisfied_modern_methods_married_women": (
        "scripts/original_data/inter/fp-demand-satisfied-married.csv",
        "d599fda0af214bab80ea340e6b0010a6fcea074e"),
    # Percent of Females Ages 15-24 With HIV/AIDS
    "females_15_24_with_hiv_aids_share": (
        "scripts/original_data/inter/hiv-rate-female.csv",
        "3d057cfeaac51b9b45823db878949a4f7069ef1e"),
    # Percent of Males Ages 15-24 With HIV/AIDS
    "males_15_24_with_hiv_aids_share": (
        "scripts/original_data/inter/hiv-rate-male.csv",
        "a26faf4a5901d65f42aa558a5b0cc103e9c1b163"),
}


def build(out: Path) -> None:
    """Write the Central Asian rows of the indicators as one table."""
    write_central_asia_table(out / TABLE, REPOSITORY, COMMIT, INDICATORS)


if __name__ == "__main__":
    main(build, __file__)
