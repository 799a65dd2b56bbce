"""Sources and licences as the dataset page shows them (no CKAN needed)."""
from ckanext.kg import sources

POPULATION = {"title": "World Bank: Population, total (SP.POP.TOTL)",
              "path": "http://data.worldbank.org/indicator/SP.POP.TOTL",
              "repository": "https://github.com/datasets/population",
              "commit": "425fc447a53a26c767a15a7de60c4cc2478a0595",
              "file": "data/population.csv",
              "blob": "0c3dfd5ad5f6c0f1b7f0d4a6f9d5e3c2b1a09876"}


def test_a_source_in_a_repository_links_its_file_at_the_commit():
    assert sources.source_entry(POPULATION) == {
        "title": "World Bank: Population, total (SP.POP.TOTL)",
        "page": "http://data.worldbank.org/indicator/SP.POP.TOTL",
        "document": "",
        "repository": "https://github.com/datasets/population",
        "commit": "425fc447a53a",
        "files": [{"path": "data/population.csv",
                   "url": "https://github.com/datasets/population/blob/"
                          "425fc447a53a26c767a15a7de60c4cc2478a0595/data/population.csv"}],
        "date": "", "attribution": "", "copyright": ""}


def test_a_repository_that_is_the_producers_page_is_linked_once():
    entry = sources.source_entry({
        "title": "Kyrgyzstan Administrative Divisions Dataset",
        "path": "https://github.com/open-admin-data/kyrgyzstan-administrative-divisions",
        "commit": "b7c8acf2b87f51e3f2bca4a2936ef0be59e7617c",
        "files": ["data/all-flat.csv", "data/all settlement.json"],
        "attribution": "Data from Open Admin Data — CC-BY-4.0.",
        "copyright": "Copyright (c) 2026 jakkrapongt"})
    assert (entry["page"], entry["repository"]) == (
        "https://github.com/open-admin-data/kyrgyzstan-administrative-divisions", "")
    assert [f["url"] for f in entry["files"]] == [
        "https://github.com/open-admin-data/kyrgyzstan-administrative-divisions/blob/"
        "b7c8acf2b87f51e3f2bca4a2936ef0be59e7617c/" + path
        for path in ("data/all-flat.csv", "data/all%20settlement.json")]
    assert (entry["attribution"], entry["copyright"]) == (
        "Data from Open Admin Data — CC-BY-4.0.", "Copyright (c) 2026 jakkrapongt")


def test_a_document_without_a_web_address_is_named_not_linked():
    entry = sources.source_entry({"title": "Kabar news, 03.04.20",
                                  "path": "002_8e2727cdbd391d77.txt", "date": "2020-04-03"})
    assert (entry["page"], entry["document"], entry["files"], entry["date"]) == (
        "", "002_8e2727cdbd391d77.txt", [], "2020-04-03")


def test_a_file_outside_github_or_without_a_commit_has_no_link():
    assert sources.file_url("https://gitlab.com/a/b", "425fc447a53a", "data.csv") == ""
    assert sources.file_url("https://github.com/a/b", "", "data.csv") == ""
    assert sources.file_url("https://github.com/a/b", "main; rm", "data.csv") == ""
    assert sources.file_url("https://github.com/a/b.git", "425fc447a53a", "/data.csv") == (
        "https://github.com/a/b/blob/425fc447a53a/data.csv")


def test_the_sources_are_read_from_the_shown_list_or_the_stored_json():
    assert sources.source_entries([POPULATION]) == sources.source_entries(
        '[{"title": "World Bank: Population, total (SP.POP.TOTL)", '
        '"path": "http://data.worldbank.org/indicator/SP.POP.TOTL", '
        '"repository": "https://github.com/datasets/population", '
        '"commit": "425fc447a53a26c767a15a7de60c4cc2478a0595", '
        '"file": "data/population.csv"}]')
    assert sources.source_entries(None) == sources.source_entries("not json") == []


def test_the_licences_of_the_data_package_come_first_else_the_datasets_own():
    stated = {"licenses": [{"name": "ODC-PDDL-1.0", "path": "http://opendatacommons.org/licenses/pddl/",
                            "title": "Open Data Commons Public Domain Dedication and License v1.0"},
                           {"name": "MIT", "path": "javascript:alert(1)"}],
              "license_title": "Open Data Commons Public Domain Dedication and License (PDDL)"}
    assert sources.licence_entries(stated) == [
        {"title": "Open Data Commons Public Domain Dedication and License v1.0",
         "url": "http://opendatacommons.org/licenses/pddl/"},
        {"title": "MIT", "url": ""}]
    own = {"license_title": "Creative Commons Attribution",
           "license_url": "http://www.opendefinition.org/licenses/cc-by"}
    assert sources.licence_entries(own) == [
        {"title": "Creative Commons Attribution",
         "url": "http://www.opendefinition.org/licenses/cc-by"}]
    assert sources.licence_entries({}) == []
