"""What the fuzzers attack: an agency with a private dataset (a distinctive
tag, title and a table in the DataStore with a distinctive row) and a public
dataset with a table, plus an outsider: a user with an API token and no
membership anywhere. Created through the API as the sysadmin."""
from __future__ import annotations

import io
import json
import uuid
from dataclasses import dataclass

from kg_fuzz.hostile import Known
from kg_fuzz.verdict import Secrets

AGENCY = "fuzz-agency"
PRIVATE, PUBLIC = "zqhidden-census", "fuzz-open-census"
PRIVATE_TAG, PRIVATE_TITLE, PRIVATE_ROW = "zqhiddentag", "Zqhiddentitle", "Zqhiddenrow"
OUTSIDER = "fuzz-outsider"  # and a suffix: a deleted user's name stays taken
SCHEMA = {"fields": [{"name": "region", "type": "string"},
                     {"name": "year", "type": "integer"}]}


@dataclass(frozen=True)
class Planted:
    secrets: Secrets
    known: Known
    public_dataset: str
    public_table: str
    private_dataset: str
    private_table: str
    outsider_token: str
    outsider: str


def dataset(owner_org: str, title: str, tag: str, **extra) -> dict:
    """A dataset that meets every rule of the data-exchange code."""
    data = {
        "title_translated": {"ky": title, "ru": title},
        "notes_translated": {"ky": f"{title}: сүрөттөмө.", "ru": f"{title}: описание."},
        "keywords": {"ky": [tag], "ru": [tag]}, "owner_org": owner_org,
        "contact_name": "Байланыш кызматы", "contact_email": "open-data@example.invalid",
        "license_id": "cc-by", "access_level": "open", "frequency": "ANNUAL",
        "temporal_start": "2020-01-01", "spatial_divisions": ["KG08000000000"],
        "theme": "SOCI", "private": True,
        "resources": [{"url": "http://example.invalid/report.pdf", "format": "PDF",
                       "name": "Report"}]}
    data.update(extra)
    return data


def add_table(admin, dataset_id: str, rows: list[tuple[str, int]]) -> str:
    text = "region,year\n" + "".join(f"{region},{year}\n" for region, year in rows)
    upload = io.BytesIO(text.encode("utf-8"))
    upload.name = "table.csv"
    resource = admin.action.resource_create(
        package_id=dataset_id, url="table.csv", format="CSV", name="Table",
        schema=json.dumps(SCHEMA), upload=upload)
    status = admin.action.kg_validation_show(id=resource["id"])["status"]
    assert status == "success", status
    return resource["id"]


def plant(admin) -> Planted:
    """Creates the catalogue with the sysadmin's client `admin` (ckanapi)."""
    outsider = f"{OUTSIDER}-{uuid.uuid4().hex[:8]}"
    admin.action.user_create(name=outsider, email=f"{outsider}@example.invalid",
                             password=uuid.uuid4().hex)
    token = admin.action.api_token_create(user=outsider, name="fuzz")["token"]
    org = admin.action.organization_create(
        name=AGENCY, title_translated={"ky": "Фаззинг агенттиги", "ru": "Агентство фаззинга"})
    hidden = admin.action.package_create(name=PRIVATE, **dataset(
        org["id"], PRIVATE_TITLE, PRIVATE_TAG))
    hidden_table = add_table(admin, hidden["id"], [(PRIVATE_ROW, 1999)])
    open_ = admin.action.package_create(name=PUBLIC, **dataset(
        org["id"], "Калктын саны", "калк"))
    open_table = add_table(admin, open_["id"], [("Нарын", 2020), ("Ош", 2021)])
    admin.action.package_patch(id=open_["id"], private=False)
    secrets = Secrets(
        values={"private dataset id": hidden["id"], "private dataset name": PRIVATE,
                "private dataset title": PRIVATE_TITLE, "private tag": PRIVATE_TAG,
                "private table id": hidden_table, "private row": PRIVATE_ROW},
        identifiers=(hidden["id"], PRIVATE, hidden_table))
    known = Known(
        identifiers=(hidden["id"], PRIVATE, hidden_table, open_["id"], PUBLIC, open_table,
                     AGENCY, org["id"], "admin", outsider, PRIVATE_TAG, "калк",
                     str(uuid.UUID(int=0)), "nonexistent"),
        resource_ids=(hidden_table, open_table))
    return Planted(secrets, known, open_["id"], open_table, hidden["id"], hidden_table,
                   token, outsider)


def remove(admin, planted: Planted) -> None:
    for dataset_id in (planted.private_dataset, planted.public_dataset):
        admin.action.dataset_purge(id=dataset_id)
    admin.action.organization_purge(id=AGENCY)
    admin.action.user_delete(id=planted.outsider)
