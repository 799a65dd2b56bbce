"""The gate's tables are created by one transaction at a time: a second
one creating the same table waits, then finds it, instead of failing (a
fresh portal's first report stored while a page asks for it)."""
import threading
import uuid

import pytest
import sqlalchemy as sa

from ckanext.kg.publishing.gate import tables


@pytest.fixture
def table_name():
    from ckan import model
    name = f"kg_test_created_once_{uuid.uuid4().hex[:8]}"
    yield name
    with model.meta.engine.begin() as connection:
        connection.execute(sa.text(f"DROP TABLE IF EXISTS {name}"))


def test_two_transactions_creating_a_table_at_once_both_succeed(table_name):
    from ckan import model
    ddl = f"CREATE TABLE IF NOT EXISTS {table_name} (id text PRIMARY KEY)"
    first = model.meta.engine.connect()
    first_transaction = first.begin()
    tables.ensure(first, table_name, ddl)  # created, not committed yet
    outcome = {}

    def second() -> None:
        try:
            with model.meta.engine.begin() as connection:
                tables.ensure(connection, table_name, ddl)
                connection.execute(sa.text(f"INSERT INTO {table_name} VALUES ('b')"))
            outcome["second"] = "created or found"
        except Exception as error:  # noqa: BLE001 - the outcome is the assertion
            outcome["second"] = repr(error)

    waiting = threading.Thread(target=second)
    waiting.start()
    waiting.join(1.0)
    assert waiting.is_alive()  # it waits for the first transaction
    first.execute(sa.text(f"INSERT INTO {table_name} VALUES ('a')"))
    first_transaction.commit()
    first.close()
    waiting.join(30)
    assert outcome == {"second": "created or found"}
    with model.meta.engine.connect() as connection:
        rows = connection.execute(sa.text(f"SELECT id FROM {table_name} ORDER BY id")).all()
    assert [row.id for row in rows] == ["a", "b"]


def test_without_the_lock_postgresql_refuses_the_second_creation(table_name):
    """Why the lock: the same two transactions with `CREATE TABLE IF NOT
    EXISTS` alone fail."""
    from ckan import model
    ddl = f"CREATE TABLE IF NOT EXISTS {table_name} (id text PRIMARY KEY)"
    first = model.meta.engine.connect()
    first_transaction = first.begin()
    first.execute(sa.text(ddl))
    outcome = {}

    def second() -> None:
        try:
            with model.meta.engine.begin() as connection:
                connection.execute(sa.text(ddl))
            outcome["second"] = "created"
        except sa.exc.IntegrityError:
            outcome["second"] = "duplicate"

    waiting = threading.Thread(target=second)
    waiting.start()
    waiting.join(1.0)
    first_transaction.commit()
    first.close()
    waiting.join(30)
    assert outcome == {"second": "duplicate"}
