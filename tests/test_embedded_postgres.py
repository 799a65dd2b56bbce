"""The embedded PostgreSQL of `make run` and `make test`: its own cache
sized for the search index, from the memory the machine gives it."""
from __future__ import annotations

import configparser
import os
from pathlib import Path

import psycopg2
import pytest

ROOT = Path(__file__).resolve().parents[1]
MB = 2 ** 20


@pytest.mark.parametrize("memory, cache", [
    (24 * 1024 * MB, "2048MB"),  # at most 2 GB
    (4 * 1024 * MB, "1024MB"),   # a quarter
    (1024 * MB, "256MB"),
    (256 * MB, "128MB"),         # never below PostgreSQL's default
])
def test_a_quarter_of_memory_between_128_mb_and_2_gb(portal_script, monkeypatch,
                                                     memory, cache):
    monkeypatch.delenv("KG_PG_SHARED_BUFFERS", raising=False)
    monkeypatch.setattr(portal_script, "_memory_bytes", lambda: memory)
    assert portal_script.shared_buffers() == cache


def test_the_operator_may_say_how_much(portal_script, monkeypatch):
    monkeypatch.setenv("KG_PG_SHARED_BUFFERS", "3GB")
    assert portal_script.shared_buffers() == "3GB"


@pytest.mark.parametrize("value", ["lots", "1 GB", "2GB -c fsync=off", "-1MB", "1.5GB"])
def test_anything_but_a_size_is_refused_with_its_name(portal_script, monkeypatch, value):
    monkeypatch.setenv("KG_PG_SHARED_BUFFERS", value)
    with pytest.raises(SystemExit) as refused:
        portal_script.shared_buffers()
    assert str(refused.value) == (f"KG_PG_SHARED_BUFFERS={value!r}: give a size such as "
                                  "512MB or 2GB")


def test_a_containers_limit_counts_when_it_is_lower(portal_script, tmp_path):
    limit = tmp_path / "memory.max"
    limit.write_text(f"{512 * MB}\n")
    missing = str(tmp_path / "no-such-file")
    assert portal_script._memory_bytes((missing, str(limit))) == 512 * MB
    limit.write_text("max\n")  # no limit: the machine's memory
    machine = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    assert portal_script._memory_bytes((str(limit),)) == machine


@pytest.mark.skipif(bool(os.environ.get("KG_DATABASE_URL")),
                    reason="KG_DATABASE_URL: a server the portal did not start")
def test_the_running_server_has_that_cache(portal_script):
    ini = configparser.ConfigParser(interpolation=None)
    ini.read(ROOT / "var" / "test.ini")
    with psycopg2.connect(ini["app:main"]["sqlalchemy.url"]) as connection:
        with connection.cursor() as cursor:
            cursor.execute("SELECT setting::bigint * 8192 FROM pg_settings "
                           "WHERE name = 'shared_buffers'")
            (cache,) = cursor.fetchone()
    wanted = portal_script.shared_buffers()
    assert wanted.endswith("MB")
    assert cache == int(wanted[:-2]) * MB, (
        "the embedded PostgreSQL was started with another cache: `make stop`, "
        "then run the tests again")
