#!/bin/sh
# The portal's roles and databases on the official PostgreSQL image. The
# image runs this once, when the db container starts on an empty volume
# (/docker-entrypoint-initdb.d). The names are scripts/portal.py's
# (OWNER_ROLE, READ_ROLE, DATABASES["ckan"]); tests/test_deployment_files.py
# keeps them the same. The portal then creates the tables as the owner role
# and grants the DataStore's read-only permissions (ckanext.datastore's
# set_permissions.sql) on its first start. The passwords reach psql through
# its environment (\getenv), never its command line, which `ps` shows to
# every user of the host.
set -eu
: "${CKAN_DB_PASSWORD:?set CKAN_DB_PASSWORD}" "${DATASTORE_RO_PASSWORD:?set DATASTORE_RO_PASSWORD}"
export CKAN_DB_PASSWORD DATASTORE_RO_PASSWORD
psql -v ON_ERROR_STOP=1 --no-psqlrc --username "${POSTGRES_USER:-postgres}" --dbname postgres <<'SQL'
\getenv owner_password CKAN_DB_PASSWORD
\getenv read_password DATASTORE_RO_PASSWORD
CREATE ROLE ckan LOGIN PASSWORD :'owner_password';
CREATE ROLE datastore_ro LOGIN PASSWORD :'read_password';
CREATE DATABASE ckan OWNER ckan ENCODING 'UTF8' TEMPLATE template0;
CREATE DATABASE datastore OWNER ckan ENCODING 'UTF8' TEMPLATE template0;
-- the read-only role reads the DataStore, never CKAN's own tables
REVOKE CONNECT ON DATABASE ckan FROM PUBLIC;
GRANT CONNECT ON DATABASE ckan TO ckan;
SQL
