"""Builds `country-codes.csv`: the codes and names of the five Central Asian
countries (Kazakhstan, Kyrgyzstan, Tajikistan, Turkmenistan, Uzbekistan) in
international standards, from the Data Package "country-codes"
(data/country-codes.csv of github.com/datasets/country-codes at commit
caa72d1e0e5a; ODC-PDDL-1.0 by its maintainers; compiled from UNSD M49, the UN
Protocol and Liaison Service (UNTERM), ISO 4217 via SIX, Unicode CLDR,
statoids.com, GeoNames, the US SEC and Wikidata).

Rows are selected by ISO3166-1-Alpha-3 in KAZ, KGZ, TJK, TKM, UZB; the
columns listed in COLUMNS are kept (the Arabic, Chinese, French and Spanish
names, the constant Global Code/Name and the columns that are empty for all
five, Intermediate Region, LDC and SIDS, are left out), reordered and renamed
to snake_case. Values are copied as text, unchanged, in the source's row
order.
"""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from source_files import main, source_rows, write_csv  # noqa: E402

REPOSITORY = "https://github.com/datasets/country-codes"
COMMIT = "caa72d1e0e5af8876c170bb36a9e4d64a01bba88"
COUNTRY_CODES = ("data/country-codes.csv", "f1cad381b15224af8ea56f93aec61073d3ca4ab6")
CENTRAL_ASIA = ("KAZ", "KGZ", "TJK", "TKM", "UZB")
# source column -> column of country-codes.csv, in the order written
COLUMNS = {
    "ISO3166-1-Alpha-3": "iso3166_1_alpha_3",
    "ISO3166-1-Alpha-2": "iso3166_1_alpha_2",
    "ISO3166-1-numeric": "iso3166_1_numeric",
    "M49": "m49",
    "official_name_en": "official_name_en",
    "official_name_ru": "official_name_ru",
    "UNTERM English Short": "unterm_english_short",
    "UNTERM English Formal": "unterm_english_formal",
    "UNTERM Russian Short": "unterm_russian_short",
    "UNTERM Russian Formal": "unterm_russian_formal",
    "CLDR display name": "cldr_display_name",
    "Region Code": "region_code",
    "Region Name": "region_name",
    "Sub-region Code": "sub_region_code",
    "Sub-region Name": "sub_region_name",
    "Land Locked Developing Countries (LLDC)": "lldc",
    "is_independent": "is_independent",
    "Capital": "capital",
    "Continent": "continent",
    "Languages": "languages",
    "TLD": "tld",
    "Dial": "dial",
    "ITU": "itu",
    "ISO4217-currency_alphabetic_code": "iso4217_currency_alphabetic_code",
    "ISO4217-currency_numeric_code": "iso4217_currency_numeric_code",
    "ISO4217-currency_name": "iso4217_currency_name",
    "ISO4217-currency_minor_unit": "iso4217_currency_minor_unit",
    "ISO4217-currency_country_name": "iso4217_currency_country_name",
    "FIFA": "fifa",
    "IOC": "ioc",
    "DS": "ds",
    "WMO": "wmo",
    "FIPS": "fips",
    "GAUL": "gaul",
    "MARC": "marc",
    "EDGAR": "edgar",
    "Geoname ID": "geoname_id",
    "wikidata_id": "wikidata_id",
}


def build(out: Path) -> None:
    """Write country-codes.csv into `out`."""
    rows = [[row[column] for column in COLUMNS]
            for row in source_rows(REPOSITORY, COMMIT, *COUNTRY_CODES)
            if row["ISO3166-1-Alpha-3"] in CENTRAL_ASIA]
    write_csv(out / "country-codes.csv", list(COLUMNS.values()), rows)


if __name__ == "__main__":
    main(build, __file__)
