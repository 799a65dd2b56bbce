"""Builds central-asia-gni-per-capita-ppp-prb-2019.csv: gross national income per
capita at purchasing power parity, one row for each of Kazakhstan, Kyrgyzstan,
Tajikistan, Turkmenistan and Uzbekistan, from the Population Reference
Bureau's international indicator files (2019 World Population Data Sheet),
which the Data Package datasets/population-reference-bureau keeps as PRB's CSV
downloads in scripts/original_data/inter/. Columns are selected and renamed,
values are copied unchanged; the source's "n/a" (not available) is left empty.
"""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from prb_indicators import write_central_asia_table  # noqa: E402
from source_files import main  # noqa: E402

REPOSITORY = "https://github.com/datasets/population-reference-bureau"
COMMIT = "0aff42911e348cc597256be6fc4d5f984a3d58f6"
TABLE = "central-asia-gni-per-capita-ppp-prb-2019.csv"
# column: (source file, its git blob id); the file's first line names the indicator
INDICATORS = {
    # Gross National Income per Capita PPP
    "gni_per_capita_ppp": (
        "scripts/original_data/inter/gross-national-income.csv",
        "cc2416197202acadad13f8ab94a4e014604edc9a"),
}


def build(out: Path) -> None:
    """Write the Central Asian rows of the indicators as one table."""
    write_central_asia_table(out / TABLE, REPOSITORY, COMMIT, INDICATORS)


if __name__ == "__main__":
    main(build, __file__)
