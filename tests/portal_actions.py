"""CKAN actions on one configuration, as its sysadmin `admin`: the client
of the backup and restore tests (a separate process, since the test process
runs CKAN on var/test.ini).

    python tests/portal_actions.py INI seed CSV   an agency, a dataset, an uploaded table
    python tests/portal_actions.py INI show ID    the dataset, its table's validation and rows
    python tests/portal_actions.py INI purge ID   the dataset and its DataStore table, gone
    python tests/portal_actions.py INI registry   every action CKAN registers (name: side-effect
                                                  free) and every page's route with its variables

Prints one JSON document.
"""
from __future__ import annotations

import json
import sys

from ckan.cli import load_config
from ckan.config.middleware import make_app

SCHEMA = json.dumps({"fields": [
    {"name": "region", "type": "string"},
    {"name": "year", "type": "integer"},
    {"name": "population", "type": "integer"}]})


def seed(ckan, csv_path: str) -> dict:
    org = ckan.action.organization_create(
        name="backup-agency", title_translated={"ky": "Агенттик", "ru": "Агентство"})
    dataset = ckan.action.package_create(
        name="backed-up-population", private=True, owner_org=org["id"],
        title_translated={"ky": "Облустардын калкы", "ru": "Население областей"},
        notes_translated={"ky": "Калктын саны.", "ru": "Численность населения."},
        keywords={"ky": ["калк"], "ru": ["население"]},
        contact_name="Маалымат бөлүмү", contact_email="info@example.invalid",
        license_id="cc-by", access_level="open", frequency="ANNUAL",
        temporal_start="2023-01-01", spatial_divisions=["KG02000000000"], theme="SOCI")
    with open(csv_path, "rb") as upload:
        resource = ckan.action.resource_create(
            package_id=dataset["id"], url="population.csv", format="CSV",
            schema=SCHEMA, upload=upload)
    return {"dataset": dataset["id"], "resource": resource["id"]}


def show(ckan, dataset_id: str) -> dict:
    dataset = ckan.action.package_show(id=dataset_id)
    resource = dataset["resources"][0]
    rows = ckan.action.datastore_search(resource_id=resource["id"], sort="region")
    return {"title": dataset["title_translated"], "resource": resource["id"],
            "validation": ckan.action.kg_validation_show(id=resource["id"])["status"],
            "rows": [[r["region"], r["year"], r["population"]] for r in rows["records"]]}


def purge(ckan, dataset_id: str) -> dict:
    dataset = ckan.action.package_show(id=dataset_id)
    for resource in dataset["resources"]:
        ckan.action.datastore_delete(resource_id=resource["id"], force=True)
    ckan.action.dataset_purge(id=dataset_id)
    return {"purged": dataset_id}


def registry(app) -> dict:
    """What the leak tests must cover: CKAN's own action registry, once
    `get_action` has filled it, and the Flask app's URL map (GET routes)."""
    import ckan.logic as logic
    logic.get_action("package_show")
    actions = {name: bool(getattr(action, "side_effect_free", False))
               for name, action in logic._actions.items()}
    routes = [{"rule": rule.rule, "endpoint": rule.endpoint,
               "arguments": sorted(set(rule.arguments) - set(rule.defaults or {}))}
              for rule in app.url_map.iter_rules() if "GET" in (rule.methods or ())]
    return {"actions": actions, "routes": routes}


def main() -> None:
    ini, command = sys.argv[1:3]
    app = make_app(load_config(ini))
    if command == "registry":
        print(json.dumps(registry(app._wsgi_app)))
        return
    argument = sys.argv[3]
    with app._wsgi_app.test_request_context():
        from ckanapi import LocalCKAN
        ckan = LocalCKAN(username="admin")
        result = {"seed": seed, "show": show, "purge": purge}[command](ckan, argument)
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
