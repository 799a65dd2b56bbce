"""pytest fixtures of the portal's tests (loaded with -p, see setup.cfg)."""
from pathlib import Path

import pytest

from ckanext.kg.tests import workers


def pytest_configure(config):
    """Under pytest-xdist, each worker runs CKAN on a configuration of its
    own (workers.py); CKAN's plugin reads it at the session's start."""
    number = workers.worker_number()
    if not number or not config.getoption("ckan_ini", None):
        return
    ini = workers.worker_ini(config.option.ckan_ini, number)
    if not ini.exists():
        raise pytest.UsageError(
            f"worker gw{number} runs CKAN on {ini}, which does not exist: "
            "`scripts/portal.py prepare` writes one per worker that `make test` starts")
    config.option.ckan_ini = str(ini)


@pytest.hookimpl(tryfirst=True)
def pytest_runtestloop(session):
    """CKAN's plugin unloads every CKAN plugin that collecting the tests
    loaded, in its own pytest_runtestloop; a pytest-xdist worker's loop
    runs before it and never returns to it, so it is done here first."""
    if workers.worker_number() is not None:
        import ckan.plugins as plugins
        plugins.unload_all()


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    """Each test in its group of tests that run on one worker (workers.py):
    pytest-xdist's `--dist loadgroup` reads the mark."""
    if not config.getoption("loadgroup", False):  # a worker's, set by pytest-xdist
        return
    root = Path(str(config.rootpath))
    for item in items:
        path = Path(str(item.path)).relative_to(root).as_posix()
        item.add_marker(pytest.mark.xdist_group(workers.group_of(path, item.fixturenames)))

_migrated = {}


def _activity_revision():
    import ckan.model as model
    import sqlalchemy as sa
    connection = model.Session.connection()
    if not sa.inspect(connection).has_table("activity_alembic_version"):
        return None
    return connection.execute(
        sa.text("SELECT version_num FROM activity_alembic_version")).scalar()


@pytest.fixture
def portal_db(reset_db, migrate_db_for):
    """CKAN's clean database plus the activity plugin's tables, as in
    production. The migrations run again only when the activity plugin's
    revision is not the one they left (a test dropped or changed them):
    reading alembic's scripts took a fifth of a test's set-up."""
    reset_db()
    if "activity" not in _migrated or _activity_revision() != _migrated["activity"]:
        migrate_db_for("activity")
        _migrated["activity"] = _activity_revision()


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


@pytest.fixture
def refuse_writes_to():
    """`refuse_writes_to(table, when="TRUE")`: from then on until the test
    ends, PostgreSQL refuses every row written to `table` of CKAN's
    database for which the condition `when` (on NEW) holds, as a full disk
    or a lost connection would: a real failure at a chosen step."""
    import ckan.model as model
    import sqlalchemy as sa

    from ckanext.kg.publishing.gate import reports
    tables = []

    def refuse(table, when="TRUE"):
        if table == reports.TABLE:
            reports._ensure_table(model.Session)  # created when first needed
        model.Session.execute(sa.text("""
            CREATE OR REPLACE FUNCTION kg_test_refuse() RETURNS trigger LANGUAGE plpgsql
            AS $$ BEGIN RAISE EXCEPTION 'refused by the test'; END $$"""))
        model.Session.execute(sa.text(
            f"CREATE TRIGGER kg_test_refuse BEFORE INSERT OR UPDATE ON {table} "
            f"FOR EACH ROW WHEN ({when}) EXECUTE FUNCTION kg_test_refuse()"))
        model.Session.commit()
        tables.append(table)
    yield refuse
    model.Session.rollback()
    for table in tables:  # CKAN's fixtures keep tables they do not know of
        model.Session.execute(sa.text(f"DROP TRIGGER IF EXISTS kg_test_refuse ON {table}"))
    model.Session.commit()


@pytest.fixture(scope="session", autouse=True)
def plugins_reload_quickly():
    """CKAN's reload of the plugins around each test, without the work
    whose answer cannot change during the run (see quick_reload)."""
    from ckanext.kg.tests import quick_reload
    with pytest.MonkeyPatch.context() as monkeypatch:
        quick_reload.install(monkeypatch)
        yield
