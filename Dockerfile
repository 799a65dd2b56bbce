# The portal's image: the same install script as `make run` and the tests.
# docker-compose.yml runs it as `ckan` (gunicorn) and `worker` (jobs).
# Chart.js for the preview's charts, at the version of the committed lock
# file (scripts/install.sh finds it in place and does not need npm).
FROM node:20-bookworm-slim AS charting
WORKDIR /charting
COPY ckanext-kg/charting/package.json ckanext-kg/charting/package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund \
 && mkdir vendor && cp node_modules/chart.js/dist/chart.umd.js vendor/ \
 && cp node_modules/chart.js/LICENSE.md vendor/chart.js.LICENSE.md \
 && sha256sum package-lock.json | cut -d' ' -f1 > vendor/.lock-sha256

FROM python:3.11-slim-bookworm
RUN apt-get update \
 && apt-get install -y --no-install-recommends build-essential libmagic1 \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --user-group --home-dir /srv/portal --create-home portal
WORKDIR /srv/portal
# Everything scripts/install.sh reads, owned by the unprivileged user that
# installs and runs the portal (CKAN writes its JavaScript translations and
# the portal its compiled catalogues next to the code).
COPY --chown=portal:portal requirements.txt requirements-dev.txt requirements-shapes.txt constraints.txt ./
COPY --chown=portal:portal scripts ./scripts
COPY --chown=portal:portal validation ./validation
COPY --chown=portal:portal ckanext-kg ./ckanext-kg
COPY --from=charting --chown=portal:portal /charting/vendor ./ckanext-kg/ckanext/kg/assets/vendor
COPY --chown=portal:portal config ./config
COPY --chown=portal:portal datasets ./datasets
USER portal
RUN bash scripts/install.sh
RUN mkdir -p var
ENV KG_BIND_HOST=0.0.0.0 KG_VAR=/srv/portal/var
EXPOSE 5000
CMD [".venv/bin/python", "scripts/portal.py", "serve"]
