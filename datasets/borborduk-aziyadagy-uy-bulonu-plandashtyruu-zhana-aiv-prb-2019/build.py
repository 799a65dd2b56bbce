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
from source_files import main, source_rows, write_csv  # noqa: E402

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
