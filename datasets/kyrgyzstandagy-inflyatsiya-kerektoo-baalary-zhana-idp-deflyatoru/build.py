"""Builds inflation-kyrgyzstan.csv and inflation-central-asia.csv from the
World Bank indicators FP.CPI.TOTL.ZG (Inflation, consumer prices, annual %)
and NY.GDP.DEFL.KD.ZG (Inflation, GDP deflator, annual %), as packaged by
github.com/datasets/inflation (ODC-PDDL-1.0).

The two World Bank downloads in the package's archive/ folder are read
(one row per country, one column per year, each row naming its indicator);
they are reshaped to one row per country and year with both indicators side
by side, for the Kyrgyz Republic (KGZ) and for KAZ, KGZ, TJK, TKM, UZB,
ordered by country code and year. A year in which both figures are empty is
left out. Values are copied as text, unchanged.

The package's processed files data/inflation-consumer.csv and
data/inflation-gdp.csv are not used: at this commit each holds the other
indicator's figures (e.g. data/inflation-consumer.csv has the GDP-deflator
series), while the archive files name the indicator in every row.
"""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from source_files import main, source_rows, write_csv  # noqa: E402

REPOSITORY = "https://github.com/datasets/inflation"
COMMIT = "fc1dbea68842b3606d00019f5ed3788466f84adc"
INDICATORS = [  # (indicator code, source file, blob)
    ("FP.CPI.TOTL.ZG", "archive/FP.CPI.TOTL.ZG.csv", "9bce2074c66828b79ceb4f200af7fb4f0d7093ba"),
    ("NY.GDP.DEFL.KD.ZG", "archive/NY.GDP.DEFL.KD.ZG.csv",
     "15636439eb298c89a3309d2123dee7966317bb4e"),
]
CENTRAL_ASIA = ("KAZ", "KGZ", "TJK", "TKM", "UZB")
HEADER = ["country_name", "country_code", "year",
          "inflation_consumer_prices_pct", "inflation_gdp_deflator_pct"]


def build(out: Path) -> None:
    """Write the two tables into `out`."""
    # (country code, year) -> [country name, consumer prices, GDP deflator]
    table: dict[tuple[str, int], list[str]] = {}
    for column, (code, path, blob) in enumerate(INDICATORS, start=1):
        for r in source_rows(REPOSITORY, COMMIT, path, blob):
            if r["Country Code"] not in CENTRAL_ASIA:
                continue
            if r["Indicator Code"] != code:
                raise ValueError(f"{path}: a row of indicator {r['Indicator Code']}")
            for year, value in r.items():
                if not (year and year.isdigit()) or value == "":
                    continue
                entry = table.setdefault((r["Country Code"], int(year)),
                                         [r["Country Name"], "", ""])
                if entry[0] != r["Country Name"] or entry[column]:
                    raise ValueError(f"conflicting rows for {r['Country Code']} {year}")
                entry[column] = value
    rows = [[name, code, str(year), consumer, deflator]
            for (code, year), (name, consumer, deflator) in sorted(table.items())]
    write_csv(out / "inflation-kyrgyzstan.csv", HEADER, [r for r in rows if r[1] == "KGZ"])
    write_csv(out / "inflation-central-asia.csv", HEADER, rows)


if __name__ == "__main__":
    main(build, __file__)
