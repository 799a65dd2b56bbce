"""Builds four tables about the five Central Asian countries (Kazakhstan,
Kyrgyzstan, Tajikistan, Turkmenistan, Uzbekistan) from countries.json of
github.com/mledoze/countries ("World countries in JSON, CSV, XML and YAML",
Mohammed Le Doze and contributors, version 5.1.0) at commit 5e9f370050f8;
ODbL-1.0.

- countries.csv: one row per country with its codes, English names, status,
  region, capital, latitude and longitude, landlocked status, land area and
  English demonyms (the top-level domains, the currencies, the dialling
  codes, the alternative spellings, the name translations and the flag emoji
  are left out);
- native-names.csv: the country's native names (name.native), one row per
  language;
- languages.csv: the official languages (languages), one row per language;
- borders.csv: the countries with which it has a land border (borders), one
  row per neighbour.

Countries are selected by cca3 in KAZ, KGZ, TJK, TKM, UZB, in the source's
order. The nested members are taken apart into columns (latlng into latitude
and longitude; capital, which holds one item for each of these countries,
into one column) and the member lists into rows (reshaped to long tables);
the numbers and true/false of the JSON are kept as the exact text of the
source. Values are otherwise copied unchanged.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from source_files import main, source_bytes, write_csv  # noqa: E402

REPOSITORY = "https://github.com/mledoze/countries"
COMMIT = "5e9f370050f83ad2ba4cb885f75d66114badf72c"
COUNTRIES = ("countries.json", "e8b4fa195e053d88f70f5e7fa5ab27b2fb6928ce")
CENTRAL_ASIA = ("KAZ", "KGZ", "TJK", "TKM", "UZB")
COUNTRY_HEADER = ["cca3", "cca2", "ccn3", "cioc", "name_common", "name_official", "independent",
                  "status", "un_member", "un_regional_group", "region", "subregion", "capital",
                  "latitude", "longitude", "landlocked", "area", "demonym_eng_f", "demonym_eng_m"]


def text(value) -> str:
    """A JSON scalar as the source writes it (numbers were read as their text)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if not isinstance(value, str):
        raise TypeError(f"not a scalar: {value!r}")
    return value


def only(items: list) -> str:
    """The single item of a list that holds one."""
    if len(items) != 1:
        raise ValueError(f"expected one item, the source has {items!r}")
    return text(items[0])


def build(out: Path) -> None:
    """Write countries.csv, native-names.csv, languages.csv and borders.csv into `out`."""
    data = json.loads(source_bytes(REPOSITORY, COMMIT, *COUNTRIES).decode("utf-8"),
                      parse_int=str, parse_float=str)
    selected = [c for c in data if c["cca3"] in CENTRAL_ASIA]
    countries, names, languages, borders = [], [], [], []
    for c in selected:
        latitude, longitude = c["latlng"]
        countries.append([
            c["cca3"], c["cca2"], c["ccn3"], c["cioc"], c["name"]["common"], c["name"]["official"],
            text(c["independent"]), c["status"], text(c["unMember"]), c["unRegionalGroup"],
            c["region"], c["subregion"], only(c["capital"]), text(latitude), text(longitude),
            text(c["landlocked"]), text(c["area"]), c["demonyms"]["eng"]["f"],
            c["demonyms"]["eng"]["m"]])
        names += [[c["cca3"], language, name["official"], name["common"]]
                  for language, name in c["name"]["native"].items()]
        languages += [[c["cca3"], code, name] for code, name in c["languages"].items()]
        borders += [[c["cca3"], neighbour] for neighbour in c["borders"]]
    write_csv(out / "countries.csv", COUNTRY_HEADER, countries)
    write_csv(out / "native-names.csv", ["cca3", "language", "name_official", "name_common"], names)
    write_csv(out / "languages.csv", ["cca3", "language", "language_name"], languages)
    write_csv(out / "borders.csv", ["cca3", "border_cca3"], borders)


if __name__ == "__main__":
    main(build, __file__)
