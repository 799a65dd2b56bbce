"""The readers the search tests compare answers for, and their agencies."""
import pytest
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
