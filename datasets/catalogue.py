"""The list of datasets in README.md and datasets/README.md, made from the
Data Packages themselves, so it can never disagree with them.

`python datasets/catalogue.py` rewrites the part of both files between the
`catalogue` markers; `tests/test_dataset_sources.py` fails when it is stale.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

DATASETS = Path(__file__).resolve().parent
README = DATASETS.parent / "README.md"
DATASETS_README = DATASETS / "README.md"
START, END = "<!-- catalogue:start -->", "<!-- catalogue:end -->"


def packages() -> list[dict]:
    """Every Data Package, by English title."""
    found = [json.loads(p.read_text(encoding="utf-8"))
             for p in DATASETS.glob("*/datapackage.json")]
    return sorted(found, key=lambda package: package["title"].casefold())


def _rows(folder: Path, resource: dict) -> int:
    with (folder / resource["path"]).open(encoding="utf-8") as table:
        return sum(1 for _ in table) - 1


def _source(source: dict) -> str:
    if "repository" in source:
        repository = source["repository"].removeprefix("https://github.com/")
        return f"{repository}@{source['commit'][:12]} `{source['file']}`"
    return source["path"]


def _licence(package: dict) -> str:
    return ", ".join(lic["name"] for lic in package["licenses"])


def _publication(package: dict) -> str:
    """Public, or the rule of the code that the sources leave unmet (the
    end-to-end tests check that the portal decides the same)."""
    kg = package["kg"]
    if kg.get("license_id") == "notspecified":
        return "private: no data licence stated (rule 3.1)"
    if not (kg.get("contact_email") or kg.get("contact_url")):
        return "private: no contact point stated (rule 2.2)"
    if not kg.get("temporal_start"):
        return "private: no period stated (rule 4.2)"
    return "public"


def full_table() -> str:
    lines = ["| dataset | publisher | sources | licence | tables (rows) | on the portal |",
             "|---|---|---|---|---|---|"]
    for package in packages():
        folder = DATASETS / package["name"]
        tables = ", ".join(f"`{r['path']}` ({_rows(folder, r)})" for r in package["resources"])
        sources = "; ".join(_source(s) for s in package["sources"])
        lines.append(f"| `{package['name']}`: {package['title']} | `{package['kg']['publisher']}` "
                     f"| {sources} | {_licence(package)} | {tables} | {_publication(package)} |")
    return "\n".join(lines)


def short_table() -> str:
    lines = ["| dataset | publisher | licence | on the portal |", "|---|---|---|---|"]
    for package in packages():
        lines.append(f"| {package['title']} | `{package['kg']['publisher']}` "
                     f"| {_licence(package)} | {_publication(package)} |")
    return "\n".join(lines)


def with_table(text: str, table: str) -> str:
    pattern = re.compile(re.escape(START) + ".*?" + re.escape(END), re.S)
    if not pattern.search(text):
        raise SystemExit(f"no {START} ... {END} markers")
    return pattern.sub(lambda _: f"{START}\n{table}\n{END}", text)


def main() -> None:
    for path, table in ((DATASETS_README, full_table()), (README, short_table())):
        path.write_text(with_table(path.read_text(encoding="utf-8"), table), encoding="utf-8")


if __name__ == "__main__":
    main()
