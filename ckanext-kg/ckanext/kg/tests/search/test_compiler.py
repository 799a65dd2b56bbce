import datetime as dt

import pytest

from ckanext.kg.search import compiler, lucene

NOW = dt.datetime(2026, 3, 15, 13, 45, 30, tzinfo=dt.timezone.utc)


@pytest.mark.parametrize("expr, expected", [
    ("NOW", NOW),
    ("NOW-1DAY", dt.datetime(2026, 3, 14, 13, 45, 30, tzinfo=dt.timezone.utc)),
    ("NOW/DAY", dt.datetime(2026, 3, 15, tzinfo=dt.timezone.utc)),
    ("NOW-2MONTHS/MONTH", dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)),
    ("NOW+1YEAR", dt.datetime(2027, 3, 15, 13, 45, 30, tzinfo=dt.timezone.utc)),
    ("2020-01-02T03:04:05Z", dt.datetime(2020, 1, 2, 3, 4, 5, tzinfo=dt.timezone.utc)),
    ("2020-01-02T03:04:05Z+1DAY",
     dt.datetime(2020, 1, 3, 3, 4, 5, tzinfo=dt.timezone.utc)),
])
def test_resolve_date_applies_solr_date_math(expr, expected):
    assert compiler.resolve_date(expr, NOW) == expected


@pytest.mark.parametrize("expr", ["NOW-1FORTNIGHT", "yesterday", "2020-13-45T00:00:00Z"])
def test_resolve_date_rejects_what_solr_rejects(expr):
    with pytest.raises(lucene.QuerySyntaxError):
        compiler.resolve_date(expr, NOW)


def test_values_and_field_names_are_bound_never_inlined():
    hostile = "x'); DROP TABLE package; --"
    out = compiler.Compiled()
    sql = compiler.compile_node(lucene.parse_standard(
        f'title:"{hostile}" OR name:"{hostile}" OR tags:[a TO "{hostile}"]'), out)
    assert "DROP" not in sql
    assert hostile in out.params.values()
    assert ["name=" + hostile] in out.params.values()


def test_or_of_exact_values_becomes_one_array_overlap():
    out = compiler.Compiled()
    sql = compiler.compile_node(lucene.parse_standard('tags:("калк" OR "эмгек")'), out)
    assert sql == "(terms && CAST(:p0 AS text[]))"
    assert out.params == {"p0": ["tags=калк", "tags=эмгек"]}


def test_permission_labels_match_their_own_column():
    out = compiler.Compiled()
    sql = compiler.compile_node(
        lucene.parse_standard('permission_labels:("public" OR "member-1")'), out)
    assert sql == "(permission_labels && CAST(:p0 AS text[]))"
    assert out.params == {"p0": ["public", "member-1"]}


def test_the_filters_ckan_adds_to_every_query_match_columns_not_terms():
    out = compiler.Compiled()
    sql = compiler.compile_node(lucene.parse_standard(
        '+capacity:public +state:(active OR draft) +site_id:"kg-portal"'), out)
    assert sql == ("((capacity = :p0) AND (state = ANY(CAST(:p1 AS text[]))) "
                   "AND (site_id = :p2))")
    assert out.params == {"p0": "public", "p1": ["active", "draft"], "p2": "kg-portal"}


def test_a_wildcard_on_a_column_field_still_reads_terms():
    out = compiler.Compiled()
    sql = compiler.compile_node(lucene.parse_standard("state:act*"), out)
    assert "unnest(terms)" in sql
    assert out.params == {"p0": "state=act%"}
