"""Builds `boundaries.csv`: the outlines of the five Central Asian countries
(Kazakhstan, Kyrgyzstan, Tajikistan, Turkmenistan, Uzbekistan) as GeoJSON
geometries, from the Data Package "geo-countries" (data/countries.geojson of
github.com/datasets/geo-countries at commit bbf9f34d5bc0, the version made
from Natural Earth's 1:110m cultural vectors; ODC-PDDL-1.0, the original
Natural Earth data is public domain).

The source holds one feature per line. Features are selected by their
property ISO3166-1-Alpha-3 in KAZ, KGZ, TJK, TKM, UZB; the two properties are
kept and the feature's geometry is copied as the exact text of the source
(checked to parse to the same object), in the source's order.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from source_files import main, source_bytes, write_csv  # noqa: E402

REPOSITORY = "https://github.com/datasets/geo-countries"
COMMIT = "bbf9f34d5bc0c8e73eae2d69a5c0011e91f6c925"
COUNTRIES = ("data/countries.geojson", "4d76e18627e82073ffc667bbf33835afbf10c89a")
CENTRAL_ASIA = ("KAZ", "KGZ", "TJK", "TKM", "UZB")
HEADER = ["name", "iso3166_1_alpha_3", "geometry"]
GEOMETRY_KEY = '"geometry": '


def features(text: str) -> list[tuple[dict, str]]:
    """Each feature of the file with the exact source text of its geometry."""
    found = []
    for line in text.splitlines():
        line = line.strip().rstrip(",")
        if not line.startswith('{ "type": "Feature"'):
            continue
        feature = json.loads(line)
        # the geometry is the feature's last member: its text runs to the feature's closing brace
        start = line.index(GEOMETRY_KEY) + len(GEOMETRY_KEY)
        geometry = line[start:].rstrip()[:-1].rstrip()
        if json.loads(geometry) != feature["geometry"]:
            raise ValueError(f"could not cut the geometry of {feature['properties']} from its line")
        found.append((feature["properties"], geometry))
    return found


def build(out: Path) -> None:
    """Write boundaries.csv into `out`."""
    text = source_bytes(REPOSITORY, COMMIT, *COUNTRIES).decode("utf-8")
    rows = [[properties["name"], properties["ISO3166-1-Alpha-3"], geometry]
            for properties, geometry in features(text)
            if properties["ISO3166-1-Alpha-3"] in CENTRAL_ASIA]
    write_csv(out / "boundaries.csv", HEADER, rows)


if __name__ == "__main__":
    main(build, __file__)
