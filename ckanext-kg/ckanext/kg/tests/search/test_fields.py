from ckanext.kg.search import fields


def test_document_terms_are_exact_deduplicated_and_skip_stored_blobs_and_text():
    doc = {"name": "kalk", "res_format": ["CSV", "CSV", "XLSX"], "private": False,
           "num_resources": 3, "data_dict": "{...}", "text": "long text",
           "organization": None, "notes": "Калк жөнүндө", "title_ky": "Калк",
           "extras_source": "NSC", "res_name": ["Таблица"]}
    assert fields.document_terms(doc) == [
        "name=kalk", "num_resources=3", "private=false",
        "res_format=CSV", "res_format=XLSX"]


def test_weighted_text_follows_ckans_query_fields():
    doc = {"name": "kalk", "title": "Калк", "tags": ["демография"],
           "notes": "Эскертүү", "extras_source": "NSC", "res_name": ["Таблица"]}
    a, b, c = fields.weighted_text(doc)
    assert a.split("\n") == ["kalk", "Калк"]
    assert b == "демография"
    assert set(c.split("\n")) == {"Эскертүү", "NSC", "Таблица"}


def test_solr_date_keeps_milliseconds_and_a_z():
    assert fields.solr_date("2014-06-10T08:24:12.782257Z") == "2014-06-10T08:24:12.782Z"
    assert fields.solr_date("2014-03-22T00:00:00") == "2014-03-22T00:00:00Z"
    assert fields.solr_date("2014-03-22T00:00:00.100000") == "2014-03-22T00:00:00.1Z"
    assert fields.solr_date("not a date") == "not a date"


def test_column_values_keep_the_filters_ckan_adds_to_every_query():
    doc = {"capacity": "public", "state": "active", "site_id": "kg-portal",
           "permission_labels": ["public", "member-1"], "dataset_type": ["odd", "list"]}
    assert fields.column_values(doc) == {
        "capacity": "public", "state": "active", "site_id": "kg-portal",
        "dataset_type": None, "permission_labels": ["public", "member-1"]}


def test_facet_terms_keep_only_the_fields_pages_facet_on():
    terms = fields.document_terms({"name": "kalk", "tags": ["калк", "эмгек"],
                                   "organization": "nsc", "res_url": "http://x"})
    assert fields.facet_terms(terms) == ["organization=nsc", "tags=калк", "tags=эмгек"]
