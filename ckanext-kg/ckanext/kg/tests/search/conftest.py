"""The readers the search tests compare answers for, and their agencies;
each module's index made anew."""
import pytest
import sqlalchemy as sa
from ckan.tests import factories

# every entry the counts hold, recounted from an index row: its facet
# entries, its agency (`owner_org`, from `terms`) and itself ('')
COUNTED_ENTRIES = ("unnest(array_append(facet_terms, ''::text) || ARRAY(SELECT e "
                   "FROM unnest(terms) AS e WHERE split_part(e, '=', 1) = 'owner_org')) AS t")


@pytest.fixture
def people():
    """A member (editor of `stat`), a collaborator-to-be, a sysadmin, the
    agencies `stat` and `health`, and the group `economy`."""
    member = factories.User(name="member")
    return {
        "member": member,
        "collaborator": factories.User(name="collaborator"),
        "sysadmin": factories.Sysadmin(name="root"),
        "stat": factories.Organization(
            name="stat", users=[{"name": "member", "capacity": "editor"}]),
        "health": factories.Organization(name="health"),
        "group": factories.Group(name="economy"),
    }


@pytest.fixture(autouse=True, scope="module")
def index_made_anew():
    """Each module starts with no search table at all, made anew by its
    first search or write. CKAN's `clean_index` deletes this site's rows
    only, and these tests also write rows of other sites, keep words and
    change the tables' layout, which a later module would read: under
    `make test`'s two processes, any module may come before any other."""
    import ckan.model as model
    session = model.Session
    session.rollback()
    tables = session.execute(sa.text(
        "SELECT string_agg(oid::regclass::text, ', ') FROM pg_class "
        "WHERE relkind IN ('r', 'p') AND relname LIKE 'kg!_search!_index%' ESCAPE '!'")
    ).scalar()
    if tables:
        session.execute(sa.text(f"DROP TABLE {tables} CASCADE"))
    session.commit()
