"""Writers of the index at the same time, each in its own transaction on
its own connection: none waits for another's commit until it commits
itself, none deadlocks, and the facet counts, the kept words' hits and
counts and the index's version come out as a recount of the index gives."""
import threading

import ckan.model as model
import ckan.plugins.toolkit as tk
import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from ckanext.kg.search import facet_counts, frequent_words, index_table
from ckanext.kg.tests.search.conftest import COUNTED_ENTRIES

pytestmark = [
    pytest.mark.ckan_config("ckan.plugins", "kg_pgsearch"),
    pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index"),
]
WRITERS = 4
ROUNDS = 25
WORD = "калк"


def document(name, k):
    """A dataset of agency `stat` or `health`, public or private, with
    tags shared by every writer, and the kept word in every other one."""
    private = k % 3 == 0
    org = "stat" if k % 2 else "health"
    return {
        "id": name, "index_id": name, "name": name,
        "title": f"{WORD} {name}" if k % 2 else f"суу {name}",
        "site_id": tk.config["ckan.site_id"], "state": "active",
        "capacity": "private" if private else "public",
        "permission_labels": [f"member-{org}"] if private else ["public"],
        "dataset_type": "dataset", "organization": org,
        "tags": ["shared", f"t{k % 4}"], "res_format": ["CSV"],
        "metadata_modified": f"2026-01-01T00:00:{k % 60:02d}Z",
    }


def write(writer, errors):
    session = Session(bind=model.Session.get_bind())
    try:
        for k in range(ROUNDS):
            name = f"w{writer}-{k}"
            index_table.upsert(session, [document(name, k)])
            if k % 5 == 4:  # change an earlier one, and take another away
                index_table.upsert(session, [document(f"w{writer}-{k - 4}", k + 1)])
                index_table.delete_where(session, "index_id = :i",
                                         {"i": f"w{writer}-{k - 2}"})
            session.commit()
    except Exception as error:  # reported by the test, with its kind
        errors.append(error)
    finally:
        session.close()


def counts(word_ids):
    return model.Session.execute(sa.text(
        f"SELECT word_id, capacity, permission_labels, term, sum(n) "
        f"FROM {facet_counts.COUNTS} WHERE word_id = ANY(:w) "
        f"GROUP BY 1, 2, 3, 4 HAVING sum(n) <> 0 ORDER BY 1, 2, 3, 4"),
        {"w": word_ids}).all()


def recounted(word_ids):
    return model.Session.execute(sa.text(
        f"SELECT s.word_id, capacity, permission_labels, t, count(*) "
        f"FROM kg_search_index AS r CROSS JOIN LATERAL ("
        f"  SELECT 0 AS word_id UNION ALL "
        f"  SELECT w.word_id FROM {frequent_words.WORDS} AS w WHERE r.tsv @@ w.query) AS s, "
        f"{COUNTED_ENTRIES} "
        f"WHERE s.word_id = ANY(:w) GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4"),
        {"w": word_ids}).all()


def test_writers_at_the_same_time_leave_exact_counts_hits_and_version():
    session = model.Session
    index_table.upsert(session, [document(f"seed-{k}", k) for k in range(6)])
    session.commit()
    frequent_words.keep(session, [WORD], 1)
    session.commit()
    [word_id] = session.execute(sa.text(
        f"SELECT word_id FROM {frequent_words.WORDS}")).scalars().all()
    version = session.execute(sa.text(facet_counts.VERSION_READ)).one()[1]
    session.commit()

    errors = []
    writers = [threading.Thread(target=write, args=(w, errors)) for w in range(WRITERS)]
    for thread in writers:
        thread.start()
    for thread in writers:
        thread.join(120)
    assert errors == []
    assert not any(thread.is_alive() for thread in writers)

    # 6 seeds; each writer 25 written, 5 taken away
    assert session.execute(sa.text("SELECT count(*) FROM kg_search_index")).scalar() == (
        6 + WRITERS * (ROUNDS - ROUNDS // 5))
    assert counts([0, word_id]) == recounted([0, word_id])
    assert session.execute(sa.text(
        f"SELECT index_id FROM {frequent_words.HITS} ORDER BY 1")).scalars().all() == \
        session.execute(sa.text(
            f"SELECT r.index_id FROM kg_search_index AS r JOIN {frequent_words.WORDS} AS w "
            f"ON r.tsv @@ w.query ORDER BY 1")).scalars().all()
    # a new number at each writer's commit
    assert session.execute(sa.text(facet_counts.VERSION_READ)).one()[1] >= (
        version + WRITERS * ROUNDS)
    assert session.execute(sa.text(
        f"SELECT count(*) FROM {facet_counts.DELTAS}")).scalar() == 0
