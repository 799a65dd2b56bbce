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


def rule(number):
    return next(r for r in code.RULES if r.number == number)


def test_a_contact_point_is_a_name_and_an_e_mail_address_or_a_web_page():
    name = {"contact_name": "Маалымат бөлүмү"}
    email = {"contact_email": "info@example.invalid"}
    page = {"contact_url": "https://example.invalid/contact"}
    cases = [dict(name, **email), dict(name, **page), dict(name, **email, **page),
             name, dict(email, **page), dict(name, contact_email=" ", contact_url="")]
    assert [rule("2.2").check(d) for d in cases] == [True, True, True, False, False, False]
    assert rule("2.2").field == "contact_email"
    assert code.publication_errors(dict(name))["contact_email"] == [
        "2.2 A contact point is given: a name and an e-mail address or a contact web page."]
