"""Builds ppp-kyrgyzstan.csv and ppp-central-asia.csv from the World Bank
indicator PA.NUS.PPP (PPP conversion factor, GDP, LCU per international $;
World Bank, International Comparison Program database), as packaged by
github.com/datasets/ppp (ODC-PDDL-1.0), file data/ppp-gdp.csv.

Rows kept: the Kyrgyz Republic (Country ID KG) and KZ, KG, TJ, TM, UZ,
ordered by country code and year. Columns are renamed, values copied as
text, unchanged.
"""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from source_files import main, source_rows, write_csv  # noqa: E402

SOURCE = ("https://github.com/datasets/ppp", "17829648d05f1c68acadc93d5673dc2e574f0584",
          "data/ppp-gdp.csv", "141cd749b4ea6babf602fb166b1ec381c648c5b6")
CENTRAL_ASIA = ("KZ", "KG", "TJ", "TM", "UZ")
HEADER = ["country_name", "country_code", "year", "ppp_lcu_per_international_dollar"]


def build(out: Path) -> None:
    """Write the two tables into `out`."""
    rows = sorted((r for r in source_rows(*SOURCE) if r["Country ID"] in CENTRAL_ASIA),
                  key=lambda r: (r["Country ID"], int(r["Year"])))
    table = [[r["Country"], r["Country ID"], r["Year"], r["PPP"]] for r in rows]
    if len({(r[1], r[2]) for r in table}) != len(table):
        raise ValueError("more than one row for a country and year")
    write_csv(out / "ppp-kyrgyzstan.csv", HEADER, [r for r in table if r[1] == "KG"])
    write_csv(out / "ppp-central-asia.csv", HEADER, table)


if __name__ == "__main__":
    main(build, __file__)
