"""A fresh test or benchmark portal (`scripts/portal.py fresh_portal`)
starts with empty databases: CKAN's, and the DataStore's too."""
import psycopg2
from psycopg2 import sql

LEFT_OVER = "0e4b59c4-b002-48a7-93da-7e1f340c93c8"  # a resource of an earlier run


def datastore(portal_script):
    admin_url = portal_script.start_postgres(portal_script.load_secrets())
    connection = psycopg2.connect(portal_script._with_db(admin_url, "datastore_ops"))
    connection.autocommit = True
    return connection


def test_no_table_of_an_earlier_run_stays_in_the_datastore(portal_script):
    portal_script.fresh_portal("ops")
    connection = datastore(portal_script)
    try:
        with connection.cursor() as cursor:
            cursor.execute(sql.SQL("CREATE TABLE public.{} (x int)").format(
                sql.Identifier(LEFT_OVER)))
            cursor.execute(sql.SQL("CREATE VIEW public.{} AS SELECT x FROM public.{}").format(
                sql.Identifier("an-alias"), sql.Identifier(LEFT_OVER)))
            cursor.execute("INSERT INTO _table_stats (resource_id, stats) VALUES (%s, '{}')",
                           (LEFT_OVER,))
        portal_script.fresh_portal("ops")
        with connection.cursor() as cursor:
            cursor.execute("SELECT table_name FROM information_schema.tables "
                           "WHERE table_schema = 'public' ORDER BY 1")
            # the DataStore's own: its view of tables and its statistics
            assert cursor.fetchall() == [("_table_metadata",), ("_table_stats",)]
            cursor.execute("SELECT count(*) FROM _table_stats")
            assert cursor.fetchone() == (0,)
    finally:
        connection.close()
