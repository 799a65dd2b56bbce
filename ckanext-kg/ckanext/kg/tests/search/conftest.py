"""The readers the search tests compare answers for, and their agencies."""
import pytest
from ckan.tests import factories


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
