import pytest

from ckanext.kg.search import lucene as q


@pytest.mark.parametrize("text, expected", [
    ("*:*", q.MatchAll()),
    ("", q.MatchAll()),
    ('tags:"economy"', q.Phrase("tags", "economy")),
    ("name:abc*", q.Term("name", "abc*", wildcard=True)),
    ("res_format:*", q.Exists("res_format")),
    ("+capacity:public +state:(active OR draft)", q.And((
        q.Term("capacity", "public"),
        q.Or((q.Term("state", "active"), q.Term("state", "draft"))),
    ))),
    ("-tags:x", q.Not(q.Term("tags", "x"))),
    ("a OR b c", q.Or((q.Term("text", "a"), q.And((q.Term("text", "b"), q.Term("text", "c")))))),
    ("metadata_modified:[NOW-1DAY TO *]",
     q.Range("metadata_modified", "NOW-1DAY", None, True, True)),
    ("num:{1 TO 5]", q.Range("num", "1", "5", False, True)),
    ('tags: "x"', q.Phrase("tags", "x")),
    ("title:Кыргыз^2", q.Term("title", "Кыргыз")),
    (r"name:a\:b", q.Term("name", "a:b")),
])
def test_parse_standard_builds_the_expected_tree(text, expected):
    assert q.parse_standard(text) == expected


@pytest.mark.parametrize("text", [
    'title:"unbalanced', "(a OR b", "a)", "{!lucene}x", "--included",
    "name:[a TO", "AND x", "field:", "bad field:x" + ")",
])
def test_parse_standard_rejects_bad_syntax(text):
    with pytest.raises(q.QuerySyntaxError):
        q.parse_standard(text)


def test_parse_standard_reads_fifty_levels_of_nesting():
    assert q.parse_standard("(" * 50 + "tags:x" + ")" * 50) == q.Term("tags", "x")
    node = q.parse_standard("NOT " * 50 + "x")
    for _ in range(50):
        node = node.child
    assert node == q.Term("text", "x")


@pytest.mark.parametrize("text", [
    "(" * 51 + "tags:x" + ")" * 51,
    "tags:(" + "(" * 50 + "x" + ")" * 51,
    "NOT " * 51 + "x",
    "(" * 5000 + "x:y",  # far past the parser's recursion, refused all the same
])
def test_parse_standard_refuses_nesting_deeper_than_fifty_levels(text):
    with pytest.raises(q.QuerySyntaxError, match="nested more than 50 levels deep"):
        q.parse_standard(text)


@pytest.mark.parametrize("spec, n, expected", [
    ("2<-1 5<80%", 1, 1), ("2<-1 5<80%", 2, 2), ("2<-1 5<80%", 3, 2),
    ("2<-1 5<80%", 5, 4), ("2<-1 5<80%", 6, 4), ("2<-1 5<80%", 10, 8),
    ("", 3, 3), ("100%", 4, 4), ("1", 4, 1), ("-1", 4, 3),
])
def test_minimum_should_match_follows_solr(spec, n, expected):
    assert q.minimum_should_match(spec, n) == expected


def test_dismax_splits_required_excluded_and_optional_words():
    node = q.parse_dismax('калк +"Кыргыз Республикасы" -old gdp', "2<-1 5<80%")
    assert node == q.MinMatch(
        optional=(q.Term(None, "калк"), q.Term(None, "gdp")),
        minimum=2,
        required=(q.Phrase(None, "Кыргыз Республикасы"),),
        excluded=(q.Term(None, "old"),),
    )
