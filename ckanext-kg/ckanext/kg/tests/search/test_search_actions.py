"""kg_pgsearch through CKAN's real actions and API on a real database."""
import ckan.model as model
import pytest
import sqlalchemy as sa
from ckan.lib import search
from ckan.tests import factories, helpers

pytestmark = [
    pytest.mark.ckan_config("ckan.plugins", "kg_pgsearch"),
    pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index"),
]


def names(result):
    return sorted(d["name"] for d in result["results"])


def search_as(user, **params):
    context = {"user": user["name"] if user else "", "ignore_auth": False}
    return helpers.call_action("package_search", context=context, **params)


class TestCyrillicText:
    @pytest.fixture
    def datasets(self):
        factories.Dataset(name="kg-kalk", title="Кыргыз Республикасынын калкы",
                          notes="Калктын саны облустар боюнча")
        factories.Dataset(name="ru-naselenie", title="Население Кыргызской Республики",
                          notes="Численность населения по областям")
        factories.Dataset(name="onuguu", title="ӨНҮГҮҮ программасы",
                          tags=[{"name": "санарип"}])
        factories.Dataset(name="en-gdp", title="GDP of the Kyrgyz Republic")

    @pytest.mark.parametrize("q, expected", [
        ("калк", ["kg-kalk"]),          # Kyrgyz word forms: калкы, калктын
        ("КАЛК", ["kg-kalk"]),
        ("население", ["ru-naselenie"]),
        ("населения", ["ru-naselenie"]),  # Russian stemming
        ("НАСЕЛЕНИЕ", ["ru-naselenie"]),
        ("өнүгүү", ["onuguu"]),
        ("санарип", ["onuguu"]),         # tags
        ("Кыргыз", ["kg-kalk", "ru-naselenie"]),
        ("kyrgyz", ["en-gdp"]),
        ("калк облустар", ["kg-kalk"]),
        ("калк population", []),          # two words: both must match
        ('"Кыргызской Республики"', ["ru-naselenie"]),
        ("title:население", ["ru-naselenie"]),
    ])
    def test_words_are_found_in_any_case_and_form(self, datasets, q, expected):
        assert names(helpers.call_action("package_search", q=q)) == expected

    def test_autocomplete_matches_cyrillic_titles(self, datasets):
        result = helpers.call_action("package_autocomplete", q="насел")
        assert [r["name"] for r in result] == ["ru-naselenie"]


@pytest.mark.ckan_config("ckan.auth.allow_dataset_collaborators", True)
class TestVisibility:
    """Private and draft datasets, seen by each kind of user."""

    @pytest.fixture
    def world(self):
        member = factories.User(name="member")
        outsider = factories.User(name="outsider")
        collaborator = factories.User(name="collaborator")
        sysadmin = factories.Sysadmin(name="root")
        org = factories.Organization(
            name="stat", users=[{"name": "member", "capacity": "editor"}])
        factories.Dataset(name="open-table", title="Калк open", owner_org=org["id"])
        private = factories.Dataset(name="secret-table", title="Калк secret",
                                    owner_org=org["id"], private=True)
        factories.Dataset(name="draft-table", title="Калк draft", state="draft",
                          owner_org=org["id"], user=member)
        helpers.call_action("package_collaborator_create", id=private["id"],
                            user_id=collaborator["id"], capacity="member")
        return {"anonymous": None, "member": member, "outsider": outsider,
                "collaborator": collaborator, "sysadmin": sysadmin}

    @pytest.mark.parametrize("who, expected", [
        ("anonymous", ["open-table"]),
        ("outsider", ["open-table"]),
        ("collaborator", ["open-table", "secret-table"]),
        ("member", ["draft-table", "open-table", "secret-table"]),
        ("sysadmin", ["draft-table", "open-table", "secret-table"]),
    ])
    def test_search_shows_exactly_what_permissions_allow(self, world, who, expected):
        result = search_as(world[who], q="калк", include_private=True,
                           include_drafts=True,
                           **{"facet.field": '["organization", "tags"]'})
        assert names(result) == expected
        assert result["count"] == len(expected)
        assert result["facets"]["organization"] == {"stat": len(expected)}

    def test_anonymous_never_sees_private_or_draft_anywhere(self, world):
        anon = {"user": "", "ignore_auth": False}
        assert names(search_as(None, q="*:*", include_private=True,
                               include_drafts=True, include_deleted=True)) == ["open-table"]
        assert [r["name"] for r in helpers.call_action(
            "package_autocomplete", context=anon, q="table")] == ["open-table"]
        org = helpers.call_action("organization_show", context=anon, id="stat",
                                  include_datasets=True)
        assert org["package_count"] == 1
        assert [p["name"] for p in org["packages"]] == ["open-table"]
        orgs = helpers.call_action("organization_list", context=anon, all_fields=True)
        assert [(o["name"], o["package_count"]) for o in orgs] == [("stat", 1)]

    def test_private_dataset_leaves_public_search_when_made_private(self, world):
        helpers.call_action("package_patch", id="open-table", private=True)
        assert names(search_as(None, q="калк")) == []


class TestTransactions:
    @pytest.fixture
    def failing_commit(self):
        """A deferred constraint: the commit of a dataset titled 'boom' fails
        after CKAN has written the search index inside the transaction."""
        conn = model.Session.connection()
        conn.execute(sa.text("""
            CREATE OR REPLACE FUNCTION kg_test_boom() RETURNS trigger AS $$
            BEGIN
              IF NEW.title = 'boom' THEN RAISE EXCEPTION 'boom refused'; END IF;
              RETURN NEW;
            END $$ LANGUAGE plpgsql"""))
        conn.execute(sa.text(
            "CREATE CONSTRAINT TRIGGER kg_test_boom AFTER UPDATE ON package "
            "DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION kg_test_boom()"))
        model.Session.commit()
        yield
        model.Session.rollback()
        model.Session.execute(sa.text("DROP TRIGGER IF EXISTS kg_test_boom ON package"))
        model.Session.commit()

    def test_index_rolls_back_with_the_dataset(self, failing_commit):
        dataset = factories.Dataset(name="stable", title="Калк")
        with pytest.raises(sa.exc.SQLAlchemyError):
            helpers.call_action("package_patch", id=dataset["id"], title="boom")
        model.Session.rollback()
        assert model.Package.get("stable").title == "Калк"
        assert names(helpers.call_action("package_search", q="boom")) == []
        indexed = search.show("stable")
        assert indexed["title"] == "Калк"

    def test_index_follows_update_and_delete(self):
        dataset = factories.Dataset(name="moving", title="Калк")
        helpers.call_action("package_patch", id=dataset["id"], title="Население")
        assert names(helpers.call_action("package_search", q="население")) == ["moving"]
        assert names(helpers.call_action("package_search", q="калк")) == []
        helpers.call_action("package_delete", id=dataset["id"])
        assert names(helpers.call_action("package_search", q="население")) == []


class TestBadInput:
    @pytest.mark.parametrize("params", [
        {"q": 'title:"unbalanced'},
        {"q": "{!lucene}title:x"},
        {"q": "_query_:x"},
        {"fq": "tags:(a OR"},
        {"fq": "{!frange l=1}x"},
        {"sort": "no_such_field asc"},
        {"sort": "title_string sideways"},
        {"sort": "title_string asc; DROP TABLE package"},
        {"q": "x'); DROP TABLE package; --"},
        {"rows": "many"},
        {"facet.field": "[not json"},
    ])
    def test_bad_search_parameters_get_an_answer_not_a_500(self, app, params):
        factories.Dataset(name="survivor")
        response = app.get("/api/3/action/package_search", query_string=params,
                           status=None)
        assert response.status_code in (400, 409), response.body
        body = response.json
        assert body["success"] is False
        error = body["error"]
        assert error["__type"] in ("Search Query Error", "Search Error", "Validation Error")
        # a message for the caller: CKAN's text, or the invalid field's errors
        assert error.get("message") or set(error) - {"__type"}
        assert model.Package.get("survivor") is not None

    @pytest.mark.parametrize("params", [
        {"q": "'); DROP TABLE package;"},
        {"fq": "name:\"x'); DROP TABLE package; --\""},
        {"q": "title:\"'); DROP TABLE package;\""},
    ])
    def test_sql_in_a_query_is_just_text(self, app, params):
        factories.Dataset(name="survivor", title="drop table package")
        response = app.get("/api/3/action/package_search", query_string=params)
        expected = 0 if "fq" in params else 1
        assert response.json["result"]["count"] == expected
        assert model.Package.get("survivor") is not None


def test_facets_on_any_string_field_not_only_the_usual_ones():
    factories.Dataset(name="a-one", tags=[{"name": "калк"}])
    factories.Dataset(name="b-two", tags=[{"name": "калк"}, {"name": "эмгек"}])
    result = helpers.call_action("package_search", **{
        "facet.field": '["tags", "name"]', "facet.limit": -1})
    assert result["facets"] == {"tags": {"калк": 2, "эмгек": 1},
                                "name": {"a-one": 1, "b-two": 1}}


def test_only_the_fields_asked_for_are_read_from_the_index():
    """A page of results reads each document's fields named in `fl`
    (CKAN's pages: the id and the dataset's JSON) and no other."""
    dataset = factories.Dataset(name="kalk", title="Калк", notes="Калктын саны")
    query = search.query_for(model.Package)
    query.run({"q": "калк", "fl": "id validated_data_dict name"})
    # CKAN's query adds `extras`, the document's `extras_*` fields (none read)
    assert [sorted(doc) for doc in query.results] == [
        ["extras", "id", "name", "validated_data_dict"]]
    assert query.results[0]["id"] == dataset["id"]
    query.run({"q": "калк", "fl": "id no_such_field"})
    assert query.results == [{"id": dataset["id"], "extras": {}}]
    whole = search.query_for(model.Package)
    whole.run({"q": "калк", "fl": "*"})
    assert {"id", "name", "title", "data_dict", "validated_data_dict"} <= set(whole.results[0])
    # the fields CKAN always indexes as strings are read as text: the same
    # values as in the whole document
    query.run({"q": "калк", "fl": "id validated_data_dict name data_dict score"})
    texts = query.results[0]
    assert {k: texts[k] for k in ("id", "validated_data_dict", "name", "data_dict")} == {
        k: whole.results[0][k] for k in ("id", "validated_data_dict", "name", "data_dict")}
    assert isinstance(texts["score"], float) and texts["name"] == "kalk"
    # any other field as JSON, of its own type
    query.run({"q": "калк", "fl": "id metadata_modified"})
    assert query.results[0]["metadata_modified"] == whole.results[0]["metadata_modified"]
    listed = helpers.call_action("package_search", q="калк")["results"]
    assert [(d["name"], d["notes"]) for d in listed] == [("kalk", "Калктын саны")]
