"""pytest fixtures of the portal's tests (loaded with -p, see setup.cfg)."""
import pytest


@pytest.fixture
def portal_db(reset_db, migrate_db_for):
    """CKAN's clean database plus the activity plugin's tables, as in production."""
    reset_db()
    migrate_db_for("activity")


@pytest.fixture
def upload_file(create_with_upload):
    """CKAN's create_with_upload, acting as a sysadmin (the activity stream
    records who changed what, so an action needs a real user)."""
    from ckan.tests import factories
    user = factories.Sysadmin()

    def upload(*args, **kwargs):
        kwargs.setdefault("context", {"user": user["name"]})
        return create_with_upload(*args, **kwargs)
    return upload
