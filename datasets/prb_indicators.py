"""The Population Reference Bureau's international indicator files (PRB's
own CSV downloads, kept in datasets/population-reference-bureau under
scripts/original_data/inter/) as one table of the Central Asian countries,
for the PRB datasets' build scripts.

Each file starts with four lines before its header: the indicator, the line
"Population Reference Bureau prb.org", its "Sources: ..." line and an empty
line. Columns are selected and renamed, values are copied unchanged; the
source's "n/a" (not available) is left empty.
"""
from __future__ import annotations

from pathlib import Path

from source_files import source_rows, write_csv

# the source's FIPS codes of the five Central Asian countries, in the source's order
COUNTRIES = ("KZ", "KG", "TJ", "TM", "UZ")
NOT_AVAILABLE = "n/a"


def write_central_asia_table(table: Path, repository: str, commit: str,
                             indicators: dict[str, tuple[str, str]]) -> None:
    """One row per country: country, country_code, year, then one column
    per indicator (column: (source file, its git blob id))."""
    by_country: dict[str, dict[str, str]] = {code: {} for code in COUNTRIES}
    for column, (path, blob) in indicators.items():
        rows = [row for row in source_rows(repository, commit, path, blob, skip_lines=4)
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
    header = ["country", "country_code", "year", *indicators]
    write_csv(table, header,
              ([by_country[code]["country"], code, by_country[code]["year"],
                *(by_country[code][column] for column in indicators)]
               for code in COUNTRIES))
