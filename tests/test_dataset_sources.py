"""Every Data Package in datasets/ names where its figures come from: an
open licence stated by the source, sources with repository, commit, file
and blob (or a document), and tables that its build script reproduces byte
for byte from those sources."""
from __future__ import annotations

import importlib.util
import json
import re
import sys
from pathlib import Path

import pytest

DATASETS = Path(__file__).resolve().parent.parent / "datasets"
PACKAGES = sorted(DATASETS.glob("*/datapackage.json"))
sys.path.insert(0, str(DATASETS))
import source_files  # noqa: E402

# The licence names of Data Packages and the portal's licence ids.
LICENCE_IDS = {"CC-BY-4.0": "cc-by", "CC0-1.0": "cc-zero", "ODC-BY-1.0": "odc-by",
               "ODbL-1.0": "odc-odbl", "ODC-PDDL-1.0": "odc-pddl"}
# Packages that stay private because no source states their data licence
# (rule 3.1); their tables add the workbook's Kyrgyz and English names of
# the Russian labels, so they have no build script yet.
PRIVATE_FOR_THEIR_LICENCE = {"kyrsyktardyn-natyijasynda-olgondordun-sany",
                             "kyrsyktardyn-kooptuulugun-azaituunun-jergiliktuu-strategiialary"}
HEX40 = re.compile(r"^[0-9a-f]{40}$")


def descriptor(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def ids(path: Path) -> str:
    return path.parent.name


@pytest.mark.parametrize("path", PACKAGES, ids=ids)
def test_the_licence_is_open_and_stated_with_its_address(path):
    package = descriptor(path)
    licences = package["licenses"]
    assert licences and all(lic["title"] and lic["path"].startswith(("http://", "https://"))
                            for lic in licences)
    if path.parent.name in PRIVATE_FOR_THEIR_LICENCE:
        assert package["kg"]["license_id"] == "notspecified"
        return
    assert [LICENCE_IDS.get(lic["name"]) for lic in licences] == [package["kg"]["license_id"]]


@pytest.mark.parametrize("path", PACKAGES, ids=ids)
def test_every_source_names_a_repository_file_at_a_commit_or_a_document(path):
    for source in descriptor(path)["sources"]:
        assert source["title"].strip() and source["path"].strip()
        if "repository" in source or "file" in source:
            assert source["repository"].startswith("https://github.com/"), source
            assert HEX40.match(source["commit"]), source
            assert source["file"] and HEX40.match(source.get("blob", "")), source
        elif path.parent.name not in PRIVATE_FOR_THEIR_LICENCE:
            # a document: a seed file (../shared/seeds) or a web page
            assert (DATASETS.parent.parent / "shared" / "seeds" / source["path"]).is_file() \
                or source["path"].startswith("https://"), source


def _build_module(folder: Path):
    spec = importlib.util.spec_from_file_location(f"build_{folder.name.replace('-', '_')}",
                                                  folder / "build.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _from_repositories(path: Path) -> bool:
    return any("repository" in s for s in descriptor(path)["sources"])


@pytest.mark.parametrize("path", [p for p in PACKAGES if _from_repositories(p)], ids=ids)
def test_the_build_script_rebuilds_every_table_byte_for_byte(path, tmp_path):
    folder = path.parent
    if folder.name in PRIVATE_FOR_THEIR_LICENCE:
        pytest.skip("no build script: the table adds the workbook's translations by hand; "
                    "the dataset stays private (rule 3.1)")
    assert (folder / "build.py").is_file(), f"{folder.name}: no build.py"
    try:
        _build_module(folder).build(tmp_path)
    except source_files.SourceUnavailable as missing:
        pytest.skip(f"source not on this machine: {missing}")
    tables = sorted(r["path"] for r in descriptor(path)["resources"])
    assert sorted(p.name for p in tmp_path.iterdir()) == tables
    for table in tables:
        assert (tmp_path / table).read_bytes() == (folder / table).read_bytes(), table


@pytest.mark.parametrize("path", [p for p in PACKAGES if _from_repositories(p)], ids=ids)
def test_the_build_script_names_the_commit_and_blob_of_every_source(path):
    folder = path.parent
    if folder.name in PRIVATE_FOR_THEIR_LICENCE:
        pytest.skip("no build script (see above)")
    script = (folder / "build.py").read_text(encoding="utf-8")
    for source in descriptor(path)["sources"]:
        if "repository" in source:
            assert source["commit"] in script and source["blob"] in script, source["file"]


def test_a_source_file_of_another_version_is_refused(tmp_path, monkeypatch):
    (tmp_path / "owner+name").mkdir()
    with pytest.raises(source_files.SourceUnavailable):
        source_files.source_bytes("https://github.com/owner/name", "0" * 40, "x.csv", "0" * 40)
    shared = sorted(source_files.SHARED_SOURCES.glob("worldbank-population/SOURCE.txt"))
    if not shared:
        pytest.skip(f"no {source_files.SHARED_SOURCES} beside this repository")
    repo, commit = shared[0].read_text().split()[0].split("@")
    with pytest.raises(source_files.SourceChanged):
        source_files.source_bytes(repo, commit, "data/population.csv", "0" * 40)


def test_git_blob_id_is_the_id_git_gives():
    # `printf 'hello\n' | git hash-object --stdin`
    assert source_files.git_blob_id(b"hello\n") == "ce013625030ba8dba906f756967f9e9ca394464a"


def test_both_readmes_list_every_dataset_as_the_packages_say():
    import catalogue
    assert catalogue.with_table(catalogue.DATASETS_README.read_text(encoding="utf-8"),
                                catalogue.full_table()) == \
        catalogue.DATASETS_README.read_text(encoding="utf-8"), "run python datasets/catalogue.py"
    assert catalogue.with_table(catalogue.README.read_text(encoding="utf-8"),
                                catalogue.short_table()) == \
        catalogue.README.read_text(encoding="utf-8"), "run python datasets/catalogue.py"
