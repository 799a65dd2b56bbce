"""Builds `currencies.csv`: the current and historic currencies of the five
Central Asian countries (Kazakhstan, Kyrgyzstan, Tajikistan, Turkmenistan,
Uzbekistan) in ISO 4217, from the Data Package "currency-codes"
(data/codes-all.csv of github.com/datasets/currency-codes at commit
ab9b0ae88e8b; ODC-PDDL-1.0; ISO 4217 Tables A.1 and A.3 as published by SIX
Interbank Clearing Ltd on behalf of ISO).

Rows are selected by Entity in KAZAKHSTAN, KYRGYZSTAN, TAJIKISTAN,
TURKMENISTAN, UZBEKISTAN; all six columns are kept in their order and renamed
to snake_case. Values are copied as text, unchanged, in the source's row order.
"""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from source_files import main, source_rows, write_csv  # noqa: E402

REPOSITORY = "https://github.com/datasets/currency-codes"
COMMIT = "ab9b0ae88e8bffd4ac1c468ce9c784738d3376ba"
CODES = ("data/codes-all.csv", "fed21eb4d350bcddf86123e616fc7ecba9a4f7db")
ENTITIES = ("KAZAKHSTAN", "KYRGYZSTAN", "TAJIKISTAN", "TURKMENISTAN", "UZBEKISTAN")
# source column -> column of currencies.csv
COLUMNS = {"Entity": "entity", "Currency": "currency", "AlphabeticCode": "alphabetic_code",
           "NumericCode": "numeric_code", "MinorUnit": "minor_unit",
           "WithdrawalDate": "withdrawal_date"}


def build(out: Path) -> None:
    """Write currencies.csv into `out`."""
    rows = [[row[column] for column in COLUMNS]
            for row in source_rows(REPOSITORY, COMMIT, *CODES) if row["Entity"] in ENTITIES]
    write_csv(out / "currencies.csv", list(COLUMNS.values()), rows)


if __name__ == "__main__":
    main(build, __file__)
