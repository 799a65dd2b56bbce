# The portal's image: the same install script as `make run` and the tests.
FROM python:3.11-slim-bookworm
RUN apt-get update \
 && apt-get install -y --no-install-recommends build-essential libmagic1 \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /srv/portal
COPY requirements.txt requirements-dev.txt constraints.txt ./
COPY scripts ./scripts
COPY ckanext-kg ./ckanext-kg
COPY config ./config
RUN bash scripts/install.sh
ENV KG_BIND_HOST=0.0.0.0 KG_VAR=/srv/portal/var
EXPOSE 5000
CMD [".venv/bin/python", "scripts/portal.py", "serve"]
