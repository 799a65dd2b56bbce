"""A Data Package's descriptor as the portal's dataset fields, and when the
portal already has them (so that ingesting twice writes nothing); its
tables' files stay inside its folder."""
import json

import pytest

from kg_validation.datapackage import PackageError, package_fields, read_descriptor, same_metadata

SOURCES = [{"title": "World Bank: Population, total (SP.POP.TOTL)",
            "path": "http://data.worldbank.org/indicator/SP.POP.TOTL",
            "repository": "https://github.com/datasets/population",
            "commit": "425fc447a53a26c767a15a7de60c4cc2478a0595",
            "file": "data/population.csv"}]
LICENSES = [{"name": "ODC-PDDL-1.0", "path": "http://opendatacommons.org/licenses/pddl/",
             "title": "Open Data Commons Public Domain Dedication and License v1.0"}]
DESCRIPTOR = {
    "name": "kalk", "title": "Population", "licenses": LICENSES, "sources": SOURCES,
    "kg": {"publisher": "world-bank", "license_id": "odc-pddl",
           "title_translated": {"ky": "Калк", "ru": "Население"}},
    "resources": [{"name": "population", "path": "population.csv"}]}


def test_the_kg_block_and_the_sources_and_licences_become_the_datasets_fields():
    assert package_fields(DESCRIPTOR) == {
        "name": "kalk", "owner_org": "world-bank", "license_id": "odc-pddl",
        "title_translated": {"ky": "Калк", "ru": "Население"},
        "sources": SOURCES, "licenses": LICENSES}


def test_a_descriptor_without_sources_sends_no_sources():
    descriptor = {k: v for k, v in DESCRIPTOR.items() if k not in ("sources", "licenses")}
    assert set(package_fields(descriptor)) == {"name", "owner_org", "license_id",
                                               "title_translated"}


def shown(**changes):
    """The dataset as package_show returns it (sources as lists)."""
    dataset = {"name": "kalk", "license_id": "odc-pddl",
               "title_translated": {"ky": "Калк", "ru": "Население", "en": ""},
               "organization": {"name": "world-bank"}, "owner_org": "0f1e-id",
               "sources": json.loads(json.dumps(SOURCES)), "licenses": LICENSES,
               "metadata_modified": "2026-12-06T10:00:00"}
    dataset.update(changes)
    return dataset


def test_the_same_sources_shown_or_stored_are_the_same_metadata():
    fields = package_fields(DESCRIPTOR)
    assert same_metadata(fields, shown()) is True
    assert same_metadata(fields, shown(sources=json.dumps(SOURCES, ensure_ascii=False))) is True


@pytest.mark.parametrize("changes", [
    {"sources": []},
    {"sources": [dict(SOURCES[0], commit="822019c80142c162e4ca4eb1a63699ae36075078")]},
    {"sources": SOURCES + SOURCES},
    {"licenses": [dict(LICENSES[0], path="https://opendatacommons.org/licenses/pddl/")]},
])
def test_a_changed_source_or_licence_is_new_metadata(changes):
    assert same_metadata(package_fields(DESCRIPTOR), shown(**changes)) is False


def package_with_path(root, path):
    """A Data Package folder whose one table has ``path``; beside it, a
    secret file outside the folder."""
    (root / "secret.csv").write_text("password\nhunter2\n", encoding="utf-8")
    folder = root / "kalk"
    folder.mkdir()
    (folder / "population.csv").write_text("region\nНарын\n", encoding="utf-8")
    (folder / "datapackage.json").write_text(json.dumps(
        {"name": "kalk", "resources": [{"name": "population", "path": path}]}))
    return folder


@pytest.mark.parametrize("path, reason", [
    ("{root}/secret.csv", 'an absolute path; a table\'s "path" is relative to the folder '
                          "of datapackage.json"),
    ("../secret.csv", '".." leads out of the folder of datapackage.json; a table\'s '
                      '"path" must stay inside it'),
    ("data/../../secret.csv", '".." leads out of the folder of datapackage.json; a '
                              'table\'s "path" must stay inside it'),
    ("..\\secret.csv", '".." leads out of the folder of datapackage.json; a table\'s '
                        '"path" must stay inside it'),
    ("C:\\secret.csv", 'an absolute path; a table\'s "path" is relative to the folder '
                        "of datapackage.json"),
])
def test_a_path_out_of_the_packages_folder_is_refused(tmp_path, path, reason):
    path = path.format(root=tmp_path)
    folder = package_with_path(tmp_path, path)
    with pytest.raises(PackageError) as error:
        read_descriptor(folder / "datapackage.json")
    assert str(error.value) == f"{path}: {reason}"


def test_a_symbolic_link_out_of_the_packages_folder_is_refused(tmp_path):
    folder = package_with_path(tmp_path, "population-link.csv")
    (folder / "population-link.csv").symlink_to(tmp_path / "secret.csv")
    with pytest.raises(PackageError) as error:
        read_descriptor(folder / "datapackage.json")
    assert str(error.value) == ("population-link.csv: a symbolic link leads out of the "
                                "folder of datapackage.json; a table's file must be inside it")


def test_a_path_inside_the_folder_is_read_even_through_a_link(tmp_path):
    folder = package_with_path(tmp_path, "tables/population.csv")
    (folder / "tables").mkdir()
    (folder / "tables" / "population.csv").symlink_to(folder / "population.csv")
    assert read_descriptor(folder / "datapackage.json")["resources"][0]["path"] == \
        "tables/population.csv"


RESOURCE = {"name": "population", "path": "population.csv", "title": "Population",
            "schema": {"fields": [{"name": "year", "type": "year"}]},
            "kg": {"name_translated": {"ky": "Калктын саны", "ru": "Численность населения",
                                       "en": "Population"}}}


def test_a_tables_names_per_language_are_sent_as_json_text():
    from kg_validation.datapackage import resource_fields
    assert resource_fields(RESOURCE) == {
        "name": "population", "description": "Population", "format": "CSV",
        "schema": '{"fields": [{"name": "year", "type": "year"}]}',
        "name_translated": '{"ky": "Калктын саны", "ru": "Численность населения", '
                           '"en": "Population"}',
        "description_translated": "{}"}


def shown_table(**changes):
    """The table as package_show shows it (names per language as objects)."""
    table = {"name": "population", "description": "Population", "format": "CSV",
             "schema": {"fields": [{"name": "year", "type": "year"}]},
             "name_translated": dict(RESOURCE["kg"]["name_translated"]),
             "description_translated": {}}
    table.update(changes)
    return table


def test_the_same_names_shown_or_stored_are_the_same_table():
    from kg_validation.datapackage import resource_fields, same_table
    fields = resource_fields(RESOURCE)
    assert same_table(fields, shown_table()) is True
    assert same_table(fields, shown_table(
        name_translated=fields["name_translated"], description_translated=None)) is True


@pytest.mark.parametrize("changes", [
    {"name_translated": {"ky": "Калк", "ru": "Численность населения", "en": "Population"}},
    {"name_translated": {}},
    {"description_translated": {"ky": "Жыл сайын."}},
])
def test_a_changed_name_or_description_per_language_is_a_changed_table(changes):
    from kg_validation.datapackage import resource_fields, same_table
    assert same_table(resource_fields(RESOURCE), shown_table(**changes)) is False
