"""Hidden datasets for the leak tests: a private dataset with a published
table, a draft, a public dataset beside them in the same agency and group,
a user of no agency (the outsider) and a member of the agency, all created
through the API by the sysadmin and purged at the end of the module."""
from __future__ import annotations

import difflib
import html
import io
import json
import re
import subprocess
import sys
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, quote_plus, unquote

import pytest
import requests

ROOT = Path(__file__).resolve().parents[2]
TABLE_SCHEMA = {"fields": [{"name": "region", "type": "string"},
                           {"name": "population", "type": "integer"}]}
SECRET_ROW = "Жашыруунайыл"
SECRET_FORMAT = "SECRETFMT"
HIDDEN = ("dataset", "dataset_id", "draft", "draft_id", "resource", "draft_resource",
          "activity", "tag")
CSRF = re.compile(r'(name="_csrf_token"\s+(?:value|content)=")[^"]*')
UPDATED = re.compile(r"(<updated>)[^<]*")  # a feed's time of writing


@dataclass
class HiddenDatasets:
    """What the callers may not see (`values`: placeholder -> its value),
    values of the same shape that name nothing (`unknown`), and the texts
    no answer may contain (`markers`)."""

    url: str
    values: dict[str, str]
    unknown: dict[str, str]
    markers: list[str]
    tokens: dict[str, str]
    session: requests.Session = field(default_factory=requests.Session)

    def headers(self, caller: str) -> dict[str, str]:
        token = self.tokens.get(caller)
        return {"Authorization": token} if token else {}

    def post(self, caller: str, action: str, data: dict) -> requests.Response:
        return self.session.post(f"{self.url}/api/3/action/{action}", json=data,
                                 headers=self.headers(caller), timeout=120)

    def get(self, caller: str, path: str, **params) -> requests.Response:
        """A page, as the caller sees it: redirects are not followed."""
        return self.session.get(self.url + path, params=params, headers=self.headers(caller),
                                timeout=120, allow_redirects=False)

    def leaked(self, response: requests.Response, asked: object) -> list[str]:
        """The markers an answer contains, leaving out those the request
        itself named (whether they are echoed is the oracle's question)."""
        request = json.dumps(asked, ensure_ascii=False)
        text = readable(response)
        texts = (text, unquote(text), html.unescape(text))
        return [m for m in self.markers
                if m not in request and any(m in t for t in texts)]

    def fill(self, data):
        return fill(data, self.values)

    def problems(self, caller: str, action: str, data: dict,
                 refused: bool = False) -> list[str]:
        """What is wrong with the answer to `action` called with `data`:
        hidden texts it contains, when `data` names a hidden object any
        difference from the answer about an unknown one, and a write done
        where it should have been `refused`."""
        found = self._compared(data, lambda asked: self.post(caller, action, asked),
                               f"{action} {data}")
        if refused and found[0].status_code < 400:
            found[1].append(f"{action} {data}: carried out ({found[0].status_code})")
        return found[1]

    def page_problems(self, caller: str, path: str) -> list[str]:
        """As `problems`, for a page (`path` with placeholders)."""
        return self._compared(path, lambda asked: self.get(caller, asked), path)[1]

    def _compared(self, data, send, label: str) -> tuple[requests.Response, list[str]]:
        asked = fill(data, self.values)
        response = send(asked)
        found = [f"{label}: answer {response.status_code} contains {m!r}"
                 for m in self.leaked(response, asked)]
        named = {key: value for key, value in self.values.items()
                 if "{" + key + "}" in repr(data)}
        if named.keys() & set(HIDDEN):
            unknown = {key: self.unknown[key] for key in named}
            other = send(fill(data, self.unknown))
            mine, theirs = self.answer(response, named), self.answer(other, unknown)
            if mine != theirs:
                found.append(f"{label}: hidden {mine[:2]} but unknown {theirs[:2]}\n"
                             + _difference(mine[2], theirs[2]))
        return response, found

    def answer(self, response: requests.Response, names: dict[str, str]) -> tuple:
        """Status, where it redirects to, and body, with each named value
        put back as its placeholder."""
        texts = [response.headers.get("Location") or "", readable(response)]
        for key, value in sorted(names.items(), key=lambda kv: -len(kv[1])):
            for form in (value, quote(value, safe=""), quote_plus(value)):  # as in links
                texts = [t.replace(form, "{" + key + "}") for t in texts]
        return response.status_code, *texts


def readable(response: requests.Response) -> str:
    """The body as text: JSON without escapes, pages and feeds without
    what changes with every request (CSRF token, time of writing)."""
    try:
        return json.dumps(response.json(), ensure_ascii=False, sort_keys=True)
    except ValueError:
        return UPDATED.sub(r"\1", CSRF.sub(r"\1", response.text))


def _difference(mine: str, theirs: str) -> str:
    lines = difflib.unified_diff(mine.splitlines(), theirs.splitlines(), "hidden",
                                 "unknown", n=0, lineterm="")
    return "\n".join(line[:300] for line in list(lines)[:12])


def fill(data, values: dict[str, str]):
    """`data` with every `{placeholder}` in its strings replaced."""
    if isinstance(data, str):
        for key, value in values.items():
            data = data.replace("{" + key + "}", value)
        return data
    if isinstance(data, dict):
        return {fill(k, values): fill(v, values) for k, v in data.items()}
    if isinstance(data, list):
        return [fill(v, values) for v in data]
    return data


def _user_with_token(admin, name: str) -> str:
    admin.action.user_create(name=name, email=f"{name}@example.invalid",
                             password="leak-test-password-1")
    return admin.action.api_token_create(user=name, name="leak-test")["token"]


def _table_upload() -> io.BytesIO:
    upload = io.BytesIO(f"region,population\n{SECRET_ROW},1234\nНарын,5678\n".encode())
    upload.name = "secret.csv"
    return upload


def _create(admin, compliant):
    org = admin.action.organization_create(name="leak-agency-e2e", title_translated={
        "ky": "Ачык эмес агенттик", "ru": "Закрытое агентство"})
    group = admin.action.group_create(name="leak-group-e2e", title="Leak group")
    groups = [{"name": group["name"]}]
    opened = admin.action.package_create(name="leak-open-e2e", groups=groups, **compliant(
        org["id"], "Ачык маалымат жыйнагы", "Открытый набор",
        keywords={"ky": ["ачыкбелгиe2e"], "ru": ["открытаяметкаe2e"]}))
    secret = admin.action.package_create(name="leak-secret-e2e", groups=groups, **compliant(
        org["id"], "Жашыруун маалымат жыйнагы", "Секретный набор данных", private=True,
        keywords={"ky": ["жашыруунбелгиe2e"], "ru": ["секретнаяметкаe2e"]},
        resources=[{"url": "http://example.invalid/secret.bin", "format": SECRET_FORMAT,
                    "name": "Жашыруун отчёт"}]))
    table = admin.action.resource_create(
        package_id=secret["id"], url="secret.csv", format="CSV", name="Жашыруун таблица",
        schema=json.dumps(TABLE_SCHEMA), upload=_table_upload())
    assert admin.action.kg_validation_show(id=table["id"])["status"] == "success"
    second = _table_upload()  # a second version: its versions differ (kg_resource_diff)
    second = io.BytesIO(second.getvalue() + "Талас,91011\n".encode())
    second.name = "secret.csv"
    admin.action.resource_patch(id=table["id"], upload=second)
    assert admin.action.kg_validation_show(id=table["id"])["status"] == "success"
    draft = admin.action.package_create(name="leak-draft-e2e", groups=groups, **compliant(
        org["id"], "Долбоор маалымат жыйнагы", "Черновой набор данных", state="draft",
        keywords={"ky": ["долбоорбелгиe2e"], "ru": ["черноваяметкаe2e"]}))
    secret = admin.action.package_show(id=secret["id"])
    return org, group, opened, secret, table, draft


HIDDEN_DOWNLOADS = 3  # of the private table, by the sysadmin: the most of any table


def _download_and_view(portal, dataset: str, resource_id: str) -> None:
    """The private dataset viewed and its table downloaded, so that it has
    counts (views, downloads) for the leak tests to look for."""
    headers = {"Authorization": portal.token}
    page = f"{portal.url}/dataset/{dataset}"
    assert requests.get(page, headers=headers, timeout=120).status_code == 200
    for _ in range(HIDDEN_DOWNLOADS):
        response = requests.get(f"{page}/resource/{resource_id}/export/csv",
                                headers=headers, timeout=120)
        assert response.status_code == 200


@pytest.fixture(scope="module")
def hidden(portal, compliant_dataset):
    admin = portal.sysadmin()
    org, group, opened, secret, table, draft = _create(admin, compliant_dataset)
    vocabulary = admin.action.vocabulary_create(name="leak-vocab-e2e",
                                                tags=[{"name": "leakterm"}])
    users = {caller: f"leak-{caller}-{uuid.uuid4().hex[:8]}"  # users are never purged
             for caller in ("outsider", "member")}
    tokens = {caller: _user_with_token(admin, name) for caller, name in users.items()}
    tokens["sysadmin"] = portal.token
    admin.action.organization_member_create(id=org["id"], username=users["member"],
                                            role="member")
    activity = admin.action.package_activity_list(id=secret["id"])[0]["id"]
    _download_and_view(portal, secret["name"], table["id"])
    values = {
        "dataset": secret["name"], "dataset_id": secret["id"], "draft": draft["name"],
        "draft_id": draft["id"], "resource": table["id"],
        "draft_resource": draft["resources"][0]["id"], "activity": activity,
        "tag": "жашыруунбелгиe2e", "tag_part": "белгиe2e", "title_word": "жашыруун",
        "format": SECRET_FORMAT, "row": SECRET_ROW, "org": org["name"],
        "group": group["name"], "open": opened["name"], "admin": "admin",
        "outsider": users["outsider"], "vocabulary": vocabulary["name"]}
    unknown = dict(values, dataset="leak-unknown-e2e", draft="leak-unknown-draft-e2e",
                   dataset_id="0e5a7b1c-0000-4000-8000-000000000001",
                   draft_id="0e5a7b1c-0000-4000-8000-000000000002",
                   resource="0e5a7b1c-0000-4000-8000-000000000003",
                   draft_resource="0e5a7b1c-0000-4000-8000-000000000004",
                   activity="0e5a7b1c-0000-4000-8000-000000000005",
                   tag="белгисизбелгиe2e")
    markers = [secret["id"], secret["name"], draft["id"], draft["name"], table["id"],
               secret["resources"][0]["id"], draft["resources"][0]["id"], SECRET_ROW,
               SECRET_FORMAT, "Жашыруун маалымат", "Секретный набор", "Долбоор маалымат",
               "Черновой набор", "жашыруунбелгиe2e", "секретнаяметкаe2e", "долбоорбелгиe2e",
               "черноваяметкаe2e", "Жашыруун таблица", "Жашыруун отчёт"]
    yield HiddenDatasets(portal.url, values, unknown, markers, tokens)
    for dataset in (opened, secret, draft):
        admin.action.dataset_purge(id=dataset["id"])
    admin.action.group_purge(id=group["id"])
    admin.action.organization_purge(id=org["id"])
    admin.action.tag_delete(id="leakterm", vocabulary_id=vocabulary["id"])
    admin.action.vocabulary_delete(id=vocabulary["id"])
    for name in users.values():
        admin.action.user_delete(id=name)


@pytest.fixture(scope="module")
def registry(portal) -> dict:
    """What CKAN registers on the portal's configuration: `actions` (name:
    side-effect free) and `routes` (GET routes with their variables)."""
    found = subprocess.run(
        [sys.executable, str(ROOT / "tests" / "portal_actions.py"), str(portal.ini),
         "registry"], capture_output=True, text=True, check=True)
    return json.loads(found.stdout)
