"""The code's rules on datasets as package_show returns them."""
from ckanext.kg import code


def test_a_table_schema_counts_whether_shown_or_stored():
    shown = {"format": "CSV", "schema": {"fields": [{"name": "a"}]}}
    stored = {"format": "CSV", "schema": '{"fields": [{"name": "a"}]}'}
    empty = {"format": "CSV", "schema": {}}
    assert [code.has_table_schema(r) for r in (shown, stored, empty)] == [True, True, False]


def test_openness_stars_follow_the_formats():
    base = {"license_id": "cc-by"}
    assert code.openness_stars(dict(base, resources=[{"format": "PDF"}])) == 1
    assert code.openness_stars(dict(base, resources=[{"format": "XLSX"}])) == 2
    assert code.openness_stars(dict(base, resources=[{"format": "CSV"}])) == 3
    assert code.openness_stars(dict(license_id="notspecified",
                                    resources=[{"format": "CSV"}])) == 0
