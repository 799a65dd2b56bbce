"""Builds two tables from the LanguageTable of Glottolog 5.1 as CLDF
(cldf/languages.csv of github.com/glottolog/glottolog-cldf at commit
b6d3ea20a1a3; Hammarström, Forkel, Haspelmath, Bank 2024, Max Planck
Institute for Evolutionary Anthropology; CC-BY-4.0):

- languages.csv: the languoids whose Countries (ISO 3166-1 alpha-2 codes of
  the countries a language is spoken in, separated by ";") include KG;
- families.csv: the rows of the top-level families those languages belong to
  (their Family_ID).

Of the source's columns, ID, Name, ISO639P3code, Level, Macroarea, Latitude,
Longitude, Countries, Family_ID and Is_Isolate are kept (languages.csv) and
ID, Name and Level (families.csv), renamed to snake_case; Glottocode (the
same as ID for these rows) and the columns that are empty or repeat
ISO639P3code for these rows are left out. Values are copied as text,
unchanged, in the source's row order.
"""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from source_files import main, source_rows, write_csv  # noqa: E402

REPOSITORY = "https://github.com/glottolog/glottolog-cldf"
COMMIT = "b6d3ea20a1a305a94b1e8a1198943f26b7bd2756"
LANGUAGES = ("cldf/languages.csv", "a81f8d1dc80b2143425d22bc90aafc9877e87fb3")
COUNTRY = "KG"
# source column -> column of languages.csv
LANGUAGE_COLUMNS = {"ID": "glottocode", "Name": "name", "ISO639P3code": "iso639_3",
                    "Level": "level", "Macroarea": "macroarea", "Latitude": "latitude",
                    "Longitude": "longitude", "Countries": "countries",
                    "Family_ID": "family_glottocode", "Is_Isolate": "is_isolate"}
# source column -> column of families.csv
FAMILY_COLUMNS = {"ID": "glottocode", "Name": "name", "Level": "level"}


def build(out: Path) -> None:
    """Write languages.csv and families.csv into `out`."""
    rows = source_rows(REPOSITORY, COMMIT, *LANGUAGES)
    languages = [row for row in rows if COUNTRY in row["Countries"].split(";")]
    families = {row["Family_ID"] for row in languages}
    write_csv(out / "languages.csv", list(LANGUAGE_COLUMNS.values()),
              [[row[column] for column in LANGUAGE_COLUMNS] for row in languages])
    write_csv(out / "families.csv", list(FAMILY_COLUMNS.values()),
              [[row[column] for column in FAMILY_COLUMNS] for row in rows if row["ID"] in families])


if __name__ == "__main__":
    main(build, __file__)
