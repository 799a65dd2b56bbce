"""The search benchmark's bulk-written catalogue is what `package_create`
makes: the same database rows, hence the same search index rows.

Each sample dataset is created with `package_create`; its index row is kept,
the dataset purged, and the same dataset (same id, name and resource ids)
written by `CatalogueWriter` and indexed by `search.rebuild`, as the
benchmark does. Only the times may differ.
"""
import importlib.util
import json
import re
from pathlib import Path

import ckan.model as model
import ckan.plugins.toolkit as tk
import psycopg2
import pytest
import sqlalchemy as sa
from ckan.lib import search
from ckan.tests import factories, helpers

from ckanext.kg.search import index_table
from ckanext.kg.tests.conftest import uses_portal_schema

_BENCH = Path(__file__).resolve().parents[5] / "bench" / "generated_catalogue.py"
_TIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z?")


def _catalogue():
    spec = importlib.util.spec_from_file_location("generated_catalogue", _BENCH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _index_row(package_id):
    row = model.Session.execute(sa.text(
        "SELECT capacity, state, site_id, dataset_type, permission_labels, sort_keys, "
        f"terms, facet_terms, tsv::text AS tsv, {index_table.whole_doc('k')} AS doc "
        "FROM kg_search_index AS k WHERE id = :id"),
        {"id": package_id}).mappings().one()
    row = dict(row)
    doc = dict(row.pop("doc"))
    for key in ("data_dict", "validated_data_dict"):
        doc[key] = json.loads(doc[key])
    row["doc"] = doc
    return json.loads(_TIME.sub("<time>", json.dumps(row, sort_keys=True,
                                                        ensure_ascii=False)))


def _sample(catalogue):
    """Datasets of every kind: public, private, draft, with and without groups."""
    picked, kinds = [], set()
    for data in catalogue.datasets(20261206, 0, 400):
        kind = (data["private"], data.get("state"), bool(data["groups"]))
        if kind not in kinds:
            kinds.add(kind)
            picked.append(data)
    return picked


@uses_portal_schema
def test_bulk_rows_index_as_package_create_rows():
    catalogue = _catalogue()
    sysadmin = factories.Sysadmin()
    context = {"user": sysadmin["name"], "ignore_auth": True}
    sample = _sample(catalogue)
    assert len(sample) >= 6  # private, draft, public; with and without groups
    for name in sorted({data["owner_org"] for data in sample}):
        helpers.call_action("organization_create", context=dict(context), name=name,
                            title_translated={"ky": name, "ru": name})
    for name in catalogue.GROUPS:
        helpers.call_action("group_create", context=dict(context), name=name)

    from_create, from_rebuild, created = {}, {}, []
    for data in sample:
        dataset = tk.get_action("package_create")(dict(context), dict(data))
        from_create[dataset["id"]] = _index_row(dataset["id"])
        model.Session.commit()
        model.Session.remove()  # read back from the database, as a rebuild does
        search.rebuild(dataset["id"])
        from_rebuild[dataset["id"]] = _index_row(dataset["id"])
        created.append(dict(data, id=dataset["id"], resources=[
            dict(r, id=c["id"]) for r, c in zip(data["resources"],
                                                dataset["resources"], strict=True)]))
        helpers.call_action("dataset_purge", context=dict(context), id=dataset["id"])
    model.Session.commit()

    connection = psycopg2.connect(str(model.Session.get_bind().url.render_as_string(
        hide_password=False)))
    try:
        ids = catalogue.CatalogueWriter(connection, sysadmin["id"]).write(created)
    finally:
        connection.close()
    model.Session.remove()
    search.rebuild(package_ids=ids)
    model.Session.commit()
    for package_id in ids:
        row = _index_row(package_id)
        # what `ckan search-index rebuild` writes for the package_create'd
        # dataset, exactly
        assert row == from_rebuild[package_id]
        # and what package_create wrote, but for the order of `extras`:
        # within package_create's session they are in the order given, read
        # back from the database in jsonb's order (so again on any rebuild),
        # which also moves their words in the tsvector
        assert _order_free(row) == _order_free(from_create[package_id])


def _order_free(row):
    row = json.loads(json.dumps(row))
    row["doc"]["data_dict"]["extras"].sort(key=lambda e: e["key"])
    row["tsv"] = sorted(_lexeme_weights(entry) for entry in row["tsv"].split(" "))
    return row


def _lexeme_weights(entry):
    """'word':3A,17C as ('word', 'AC'): the tsvector entry without positions."""
    lexeme, _, positions = entry.rpartition(":")
    weights = {re.sub(r"\d", "", p) or "D" for p in positions.split(",")}
    return lexeme, "".join(sorted(weights))


@pytest.mark.parametrize("lang", ["ky", "ru", "en"])
def test_words_follow_zipf(lang):
    """The most frequent word is in most datasets, a long-tail word in a
    handful of 100,000 or none."""
    vocabulary = _catalogue().VOCABULARIES[lang]
    import random
    rng = random.Random(1)
    words = vocabulary.draw(rng, 100_000)
    top = words.count(vocabulary.words[0]) / len(words)
    long_tail = set(vocabulary.words[10_000:])  # built once, not once per word
    tail = sum(1 for w in words if w in long_tail) / len(words)
    assert 0.08 < top < 0.2
    assert tail < 0.1
