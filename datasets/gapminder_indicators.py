"""Indicators of Gapminder's Systema Globalis (DDF: one datapoints file per
concept, rows geo, time, value) as tables of the Central Asian countries,
for the Gapminder datasets' build scripts.

The rows of kaz, kgz, tjk, tkm and uzb are joined to one row per country and
year, the country's name taken from ddf--entities--geo--country.csv, and the
indicators' names and sources checked against ddf--concepts.csv. Ordered by
geo and year; a figure the source lacks for that country and year stays
empty. Values are copied as text, unchanged.
"""
from __future__ import annotations

from pathlib import Path
from typing import Sequence

from source_files import source_rows, write_csv

CENTRAL_ASIA = ("kaz", "kgz", "tjk", "tkm", "uzb")
KYRGYZSTAN = "kgz"
DATAPOINTS = "countries-etc-datapoints/ddf--datapoints--{}--by--geo--time.csv"
# (concept, blob of its datapoints file, its name and source in ddf--concepts.csv)
Indicator = tuple[str, str, str, str]


def central_asia_rows(repository: str, commit: str, concepts_blob: str, countries_blob: str,
                      indicators: Sequence[Indicator]) -> list[list[str]]:
    """Rows geo, country name, year, then one value per indicator."""
    concepts = {r["concept"]: r for r in source_rows(
        repository, commit, "ddf--concepts.csv", concepts_blob)}
    for concept, _, name, source in indicators:
        if (concepts[concept]["name"], concepts[concept]["source"]) != (name, source):
            raise ValueError(f"{concept}: ddf--concepts.csv now names it differently")
    names = {r["country"]: r["name"] for r in source_rows(
        repository, commit, "ddf--entities--geo--country.csv", countries_blob)}
    table: dict[tuple[str, int], list[str]] = {}  # (geo, year) -> a value per indicator
    for column, (concept, blob, _, _) in enumerate(indicators):
        for r in source_rows(repository, commit, DATAPOINTS.format(concept), blob):
            if r["geo"] not in CENTRAL_ASIA:
                continue
            values = table.setdefault((r["geo"], int(r["time"])), [""] * len(indicators))
            if values[column]:
                raise ValueError(f"{concept}: two rows for {r['geo']} {r['time']}")
            values[column] = r[concept]
    return [[geo, names[geo], str(year), *values]
            for (geo, year), values in sorted(table.items())]


def write_kyrgyzstan_and_central_asia(out: Path, stem: str, columns: Sequence[str],
                                      rows: list[list[str]]) -> None:
    """`<stem>-kyrgyzstan.csv` (the kgz rows) and `<stem>-central-asia.csv`."""
    header = ["geo", "country_name", "year", *columns]
    write_csv(out / f"{stem}-kyrgyzstan.csv", header, [r for r in rows if r[0] == KYRGYZSTAN])
    write_csv(out / f"{stem}-central-asia.csv", header, rows)
