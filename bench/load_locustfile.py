"""The visitors, agencies and the leak watcher of `bench/load_bench.py`,
for Locust (headless, started by that script; never imported by the
portal's own processes: Locust patches the standard library with gevent).

What the script hands over, in the environment:
KG_LOAD_PLAN      JSON: the published tables to read (dataset, resource,
                  a filter column and value), the agencies' organisations
                  and the hidden objects the watcher looks for
KG_LOAD_TOKEN     the sysadmin's API token (agencies publish with it)
KG_LOAD_THINK     "1-5": seconds between a visitor's requests; "0": none
KG_LOAD_KINDS     "users" (visitors, agencies, watcher), "visitors" (visitors
                  only) or "ceiling" (one trivial page: bench/minimal_wsgi.py)
KG_LOAD_HIDDEN    a JSON file the script writes once it has created the
                  hidden objects during the run; the watcher reads it
KG_LOAD_LEAKS     where the watcher writes what it saw, at the end
"""
from __future__ import annotations

import io
import json
import os
import random
import uuid

from locust import FastHttpUser, HttpUser, between, constant, events, task

PLAN = json.loads(os.environ.get("KG_LOAD_PLAN", "{}"))
TOKEN = os.environ.get("KG_LOAD_TOKEN", "")
THINK = os.environ.get("KG_LOAD_THINK", "1-5")
KINDS = os.environ.get("KG_LOAD_KINDS", "users")
QUERIES = {"ky": ["калк", "облус", "бюджет"], "ru": ["население", "область", "бюджет"],
           "en": ["population", "region", "budget"]}
FACETS = "&".join(f"facet.field={f}" for f in ("organization", "tags", "res_format"))
LEAKS: list[str] = []  # what the watcher saw; load_bench.py fails the run on any
# surfaces that name a hidden object: anything but a refusal is a leak
SHOWN_ONLY_TO_MEMBERS = ("watch: dataset page", "watch: draft page", "watch: DCAT dataset",
                         "watch: datastore_search")


def think():
    if THINK == "0":
        return constant(0)
    low, high = (float(x) for x in THINK.split("-"))
    return between(low, high)


def checked(response, name: str, ok=(200,)) -> None:
    """A response outside `ok` is a failure named by its status."""
    if response.status_code not in ok:
        response.failure(f"status {response.status_code}")
    else:
        response.success()


class Visitor(FastHttpUser):
    """A reader: pages in three languages, searches with facets, the API
    and downloads, in the proportions of the `@task` weights."""

    wait_time = think()
    weight = 50

    def table(self) -> dict:
        return random.choice(PLAN["tables"])

    def get(self, path: str, name: str, ok=(200,)) -> None:
        with self.client.get(path, name=name, catch_response=True) as response:
            checked(response, name, ok)

    @task(3)
    def front_page(self):
        self.get(f"/{random.choice(['ky', 'ru', 'en'])}/".replace("/ky/", "/"), "front page")

    @task(6)
    def search_page(self):
        lang = random.choice(list(QUERIES))
        prefix = "" if lang == "ky" else f"/{lang}"
        self.get(f"{prefix}/dataset/?q={random.choice(QUERIES[lang])}&res_format=CSV",
                 "dataset search (facets)")

    @task(4)
    def dataset_page(self):
        self.get(f"/dataset/{self.table()['dataset']}", "dataset page")

    @task(3)
    def resource_page(self):
        table = self.table()
        self.get(f"/dataset/{table['dataset']}/resource/{table['resource']}", "resource page")

    @task(4)
    def package_search_api(self):
        lang = random.choice(list(QUERIES))
        self.get(f"/api/3/action/package_search?q={random.choice(QUERIES[lang])}&{FACETS}"
                 "&facet.limit=10", "package_search API")

    @task(4)
    def datastore_search_api(self):
        table = self.table()
        filters = json.dumps({table["column"]: table["value"]}, ensure_ascii=False)
        self.get(f"/api/3/action/datastore_search?resource_id={table['resource']}"
                 f"&limit=20&filters={filters}", "datastore_search API")

    @task(2)
    def whole_download(self):
        table = self.table()
        fmt = random.choice(["csv", "excel", "parquet"])
        self.get(f"/dataset/{table['dataset']}/resource/{table['resource']}/export/{fmt}",
                 f"whole download ({fmt})")

    @task(1)
    def filtered_download(self):
        table = self.table()
        fmt = random.choice(["csv", "excel", "parquet"])
        filters = json.dumps({table["column"]: table["value"]}, ensure_ascii=False)
        self.get(f"/dataset/{table['dataset']}/resource/{table['resource']}/export/{fmt}"
                 f"?filters={filters}", f"filtered download ({fmt})")


class Agency(HttpUser):
    """An agency publishing tables one after another: a private dataset, a
    table uploaded (validated and loaded while it waits), then made public.
    (HttpUser: the multipart upload; the readers use the lighter FastHttpUser,
    so that the load generator takes less of the machine.)
    `load_bench.py` checks every one afterwards: nothing lost or half-done."""

    wait_time = between(2, 5)
    fixed_count = 2

    def on_start(self):
        self.organization = PLAN["agencies"].pop()

    def action(self, name: str, label: str, **kwargs):
        with self.client.post(f"/api/3/action/{name}", name=label, catch_response=True,
                              headers={"Authorization": TOKEN}, **kwargs) as response:
            checked(response, label)
            return response.json().get("result") if response.status_code == 200 else None

    @task
    def publish(self):
        name = f"load-pub-{uuid.uuid4().hex[:10]}"
        rows = random.randint(2_000, 6_000)
        dataset = self.action("package_create", "agency: create dataset", json={
            **PLAN["dataset_fields"], "name": name, "owner_org": self.organization,
            "private": True, "resources": []})
        if dataset is None:
            return
        table = io.BytesIO(table_csv(rows))
        resource = self.action("resource_create", "agency: upload table", data={
            "package_id": dataset["id"], "name": "Калк", "format": "CSV", "url": "kalk.csv",
            "schema": json.dumps(PLAN["schema"]), "description": str(rows)},
            files={"upload": ("kalk.csv", table, "text/csv")})
        if resource is not None:
            self.action("package_patch", "agency: make public",
                        json={"id": dataset["id"], "private": False})


def table_csv(rows: int) -> bytes:
    regions = ["Баткен", "Жалал-Абад", "Ысык-Көл", "Нарын", "Ош", "Талас", "Чүй"]
    lines = ["region,year,population"]
    lines += [f"{regions[i % 7]},{2000 + i % 24},{i}" for i in range(rows)]
    return ("\n".join(lines) + "\n").encode("utf-8")


class Watcher(FastHttpUser):
    """An anonymous client that looks for the private and draft datasets
    created during the run on every surface; any sighting is a leak."""

    wait_time = between(1, 2)
    fixed_count = 1

    def on_start(self):
        self.markers: list[str] = []
        self.surfaces: list[tuple[str, str]] = []

    def hidden(self) -> bool:
        """The hidden objects, once the script has created them."""
        if self.markers:
            return True
        try:
            with open(os.environ["KG_LOAD_HIDDEN"], encoding="utf-8") as stream:
                hidden = json.load(stream)
        except (OSError, ValueError):
            return False
        self.markers = hidden["markers"]
        self.surfaces = [
            (f"/api/3/action/package_search?q={hidden['word']}", "watch: package_search"),
            (f"/dataset/?q={hidden['word']}", "watch: search page"),
            (f"/dataset/{hidden['private']}", "watch: dataset page"),
            (f"/dataset/{hidden['draft']}", "watch: draft page"),
            (f"/dataset/{hidden['private']}.ttl", "watch: DCAT dataset"),
            ("/catalog.ttl", "watch: DCAT catalogue"),
            (f"/api/3/action/datastore_search?resource_id={hidden['resource']}",
             "watch: datastore_search")]
        return True

    @task
    def look(self):
        if not self.hidden():
            return
        path, name = random.choice(self.surfaces)
        with self.client.get(path, name=name, catch_response=True) as response:
            # a marker the request names itself may be echoed (a 404 page's
            # links, an error naming the id asked for); the status says more
            seen = [m for m in self.markers if m in response.text and m not in path]
            if response.status_code == 200 and name in SHOWN_ONLY_TO_MEMBERS:
                seen.append(f"served {response.status_code}")
            if seen:
                LEAKS.append(f"{name}: {seen}")
                response.failure(f"LEAK {seen}")
            elif response.status_code in (200, 403, 404):
                response.success()
            else:
                response.failure(f"status {response.status_code}")


@events.quitting.add_listener
def _report_leaks(environment, **_):
    path = os.environ.get("KG_LOAD_LEAKS")
    if path:
        with open(path, "w", encoding="utf-8") as stream:
            json.dump(LEAKS, stream, ensure_ascii=False)


class Ceiling(FastHttpUser):
    """One trivial page, as fast as it is answered (bench/minimal_wsgi.py)."""

    wait_time = constant(0)

    @task
    def page(self):
        with self.client.get("/", name="minimal WSGI page", catch_response=True) as response:
            checked(response, "minimal WSGI page")


def _choose_classes() -> None:
    """The classes Locust runs are those not abstract (a function: a
    module-level loop variable would be one more class to Locust)."""
    for user_class, kinds in ((Visitor, ("users", "visitors")), (Agency, ("users",)),
                              (Watcher, ("users",)), (Ceiling, ("ceiling",))):
        user_class.abstract = KINDS not in kinds


_choose_classes()
