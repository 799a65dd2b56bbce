"""Builds regions.csv, districts.csv and settlements.csv from the
Kyrgyzstan Administrative Divisions Dataset v2026.06 (Open Admin Data,
jakkrapongt; CC-BY-4.0), github.com/open-admin-data/kyrgyzstan-administrative-divisions:

- regions.csv (level 1) and districts.csv (level 2) from data/all-flat.csv
  (its first line is a `#` attribution comment, skipped);
- settlements.csv (level 3) from data/all-settlement.json, one row per
  settlement, ordered by code; region_code is the settlement's first
  ancestor (level 1), postal_code its single zip_codes entry (empty when
  the list is empty).

The count columns (district_count, settlement_count) are the source's own
children_count fields, copied; nothing is computed. Columns are selected and
renamed, values are copied as text, unchanged.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from source_files import main, source_bytes, source_rows, write_csv  # noqa: E402

REPOSITORY = "https://github.com/open-admin-data/kyrgyzstan-administrative-divisions"
COMMIT = "b7c8acf2b87f51e3f2bca4a2936ef0be59e7617c"
FLAT = (REPOSITORY, COMMIT, "data/all-flat.csv", "157da59720e9c86c34b267475080ca08abe545d1")
SETTLEMENTS = (REPOSITORY, COMMIT, "data/all-settlement.json",
               "371311a7d44ae399a761b126e6038cbc4585aed9")


def _text(value: object) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ValueError(f"expected text, found {value!r}")
    return value


def _postal_code(zip_codes: list[str] | None) -> str:
    zip_codes = zip_codes or []
    if len(zip_codes) > 1:
        raise ValueError(f"more than one postal code: {zip_codes}")
    return _text(zip_codes[0]) if zip_codes else ""


def build(out: Path) -> None:
    """Write the three tables into `out`."""
    flat = source_rows(*FLAT, skip_lines=1)
    for r in flat:
        if r["id"] != r["code.id"]:
            raise ValueError(f"id {r['id']} differs from code.id {r['code.id']}")
    write_csv(out / "regions.csv",
              ["code", "name_ky", "name_en", "slug", "level_name_local", "level_name_en",
               "district_count", "settlement_count", "latitude", "longitude", "source_url"],
              [[r["code.id"], r["name.local"], r["name.en"], r["name.slug"],
                r["level_name.local"], r["level_name.en"], r["children_count.district"],
                r["children_count.settlement"], r["geo.lat"], r["geo.lon"], r["source_url"]]
               for r in flat if r["level"] == "1"])
    write_csv(out / "districts.csv",
              ["code", "region_code", "name_ky", "name_en", "slug", "level_name_local",
               "level_name_en", "settlement_count", "postal_code", "latitude", "longitude"],
              [[r["code.id"], r["parent.id"], r["name.local"], r["name.en"], r["name.slug"],
                r["level_name.local"], r["level_name.en"], r["children_count.settlement"],
                r["zip_codes"], r["geo.lat"], r["geo.lon"]]
               for r in flat if r["level"] == "2"])

    settlements = json.loads(source_bytes(*SETTLEMENTS).decode("utf-8"))
    rows = []
    for s in settlements:
        if s["id"] != s["code"]["id"] or s["ancestors"][0]["level"] != 1:
            raise ValueError(f"unexpected settlement record {s['id']}")
        rows.append([_text(s["code"]["id"]), _text(s["parent"]["id"]),
                     _text(s["ancestors"][0]["id"]), _text(s["name"]["local"]),
                     _text(s["name"]["en"]), _text(s["name"]["slug"]),
                     _text(s["level_name"]["local"]), _text(s["level_name"]["en"]),
                     _postal_code(s.get("zip_codes")), _text(s["geo"]["lat"]),
                     _text(s["geo"]["lon"])])
    write_csv(out / "settlements.csv",
              ["code", "district_code", "region_code", "name_ky", "name_en", "slug",
               "level_name_local", "level_name_en", "postal_code", "latitude", "longitude"],
              sorted(rows, key=lambda row: row[0]))


if __name__ == "__main__":
    main(build, __file__)
