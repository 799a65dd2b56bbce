"""Large tables go to the jobs worker; the publisher follows the job's state
and progress; a job killed in the middle loses nothing and can be retried."""
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import ckan.plugins.toolkit as tk
import pytest
import sqlalchemy as sa
from ckan.lib import jobs as ckan_jobs
from ckan.tests import factories, helpers
from sqlalchemy import text

from ckanext.kg.publishing.gate import state, workspace
from ckanext.kg.tests.conftest import PORTAL_PLUGINS, portal_schema
from ckanext.kg.tests.publishing.conftest import SCHEMA, VALID
from ckanext.kg.tests.publishing.load.test_swap import staged_tables

pytestmark = [*portal_schema,
              pytest.mark.ckan_config("ckanext.kg.validation.sync_max_bytes", 10),
              pytest.mark.usefixtures("clean_queues")]
ValidationError = helpers.logic.ValidationError
NotAuthorized = helpers.logic.NotAuthorized


def upload(upload_file, dataset, data, action="resource_create", schema=SCHEMA, **extra):
    return upload_file(data, "population.csv", action=action, package_id=dataset["id"],
                       url="population.csv", format="CSV", schema=schema, **extra)


def shown(resource_id):
    return helpers.call_action("kg_validation_show", id=resource_id)


def run_worker():
    ckan_jobs.Worker(["default"]).work(burst=True)


def test_a_large_table_waits_in_the_queue_then_passes(upload_file, dataset):
    resource = upload(upload_file, dataset, VALID)
    queued = shown(resource["id"])
    assert (queued["status"], queued["job"]["state"], queued["job"]["stage"]) == (
        None, "queued", None)
    assert [j["title"] for j in helpers.call_action("job_list")] == [
        f"kg: validate resource {resource['id']}"]
    run_worker()
    done = shown(resource["id"])
    # the last stage: the rows were served, then their full-text search built
    assert (done["status"], done["job"]["state"], done["job"]["stage"]) == (
        "success", "done", "indexing")
    assert done["report"]["datastore"] == {"loaded": True, "rows": 2}


def test_a_run_overtaken_by_a_newer_change_leaves_the_newer_runs_state(
        upload_file, dataset, monkeypatch):
    """A change queued while a job runs (as a new file or Table Schema
    queues one): the older job, once done, does not say "done" over the
    newer job's "queued"; the newer job then runs and says it."""
    from ckanext.kg.publishing.gate import jobs, validation
    resource = upload(upload_file, dataset, VALID)
    first = state.find(resource["id"])
    newer = []

    def a_newer_change_queued_meanwhile(source, *args, **kwargs):
        if not newer:
            jobs.enqueue(resource["id"], "newer " + first["key"])
            newer.append(state.find(resource["id"])["job_id"])
        return validate_table(source, *args, **kwargs)
    validate_table = validation.validate_table
    monkeypatch.setattr(validation, "validate_table", a_newer_change_queued_meanwhile)
    jobs.validate_resource_job(resource["id"], first["key"])  # the older job, in this process

    after = state.find(resource["id"])
    assert (after["key"], after["state"], after["stage"], after["job_id"]) == (
        "newer " + first["key"], "queued", None, newer[0])
    assert shown(resource["id"])["status"] == "success"  # the older job's report is kept
    run_worker()
    done = state.find(resource["id"])
    assert (done["state"], done["stage"], done["job_id"]) == ("done", "indexing", newer[0])


@pytest.mark.ckan_config("ckanext.kg.validation.job_timeout", 5400)
def test_a_validation_job_may_run_longer_than_other_jobs(upload_file, dataset):
    from ckan.lib.jobs import job_from_id
    resource = upload(upload_file, dataset, VALID)
    job = job_from_id(state.find(resource["id"])["job_id"])
    assert job.timeout == 5400  # CKAN's ckan.jobs.timeout is 180 s


def test_the_report_page_tells_the_publisher_the_job_is_waiting(
        app, upload_file, dataset):
    resource = upload(upload_file, dataset, VALID)
    token = factories.SysadminWithToken()["token"]
    pages = {lang: app.get(f"/{lang}/dataset/{dataset['name']}/resource/{resource['id']}"
                           "/validation", headers={"Authorization": token}).body
             for lang in ("ky", "ru", "en")}
    assert "The file is waiting to be validated." in pages["en"]
    assert "Файл текшерүүнү күтүүдө." in pages["ky"]
    assert "Файл ожидает проверки." in pages["ru"]


def test_the_report_page_says_a_published_table_is_being_indexed(
        app, upload_file, dataset):
    resource = upload(upload_file, dataset, VALID)
    run_worker()
    # the job's last stage, as the page shows it while the job runs it
    state.progress(resource["id"], state.INDEXING)
    token = factories.SysadminWithToken()["token"]
    pages = {lang: app.get(f"/{lang}/dataset/{dataset['name']}/resource/{resource['id']}"
                           "/validation", headers={"Authorization": token}).body
             for lang in ("ky", "ru", "en")}
    assert "The table is published. Full-text search over its rows is being prepared" \
        in pages["en"]
    assert "Таблица жарыяланды. Анын саптары боюнча толук тексттик издөө" in pages["ky"]
    assert "Таблица опубликована. Полнотекстовый поиск по её строкам готовится" \
        in pages["ru"]
    assert "The table passed validation." in pages["en"]


def test_a_retry_is_refused_while_a_job_is_queued(upload_file, sysadmin, dataset):
    resource = upload(upload_file, dataset, VALID)
    with pytest.raises(ValidationError) as error:
        helpers.call_action("kg_validation_retry", context={"user": sysadmin["name"]},
                            id=resource["id"])
    assert error.value.error_dict == {"id": ["This table is being validated already."]}


def test_only_who_may_change_a_table_may_retry(upload_file, dataset):
    resource = upload(upload_file, dataset, VALID)
    run_worker()
    member = factories.User()
    helpers.call_action("organization_member_create", id=dataset["owner_org"],
                        username=member["name"], role="member")
    with pytest.raises(NotAuthorized):
        helpers.call_action("kg_validation_retry", context={
            "user": member["name"], "ignore_auth": False}, id=resource["id"])


def test_a_table_the_user_may_not_see_is_retried_as_an_unknown_one(upload_file, dataset):
    resource = upload(upload_file, dataset, VALID)
    run_worker()
    outsider = {"user": factories.User()["name"], "ignore_auth": False}
    answers = []
    for resource_id in (resource["id"], "0e5a7b1c-0000-4000-8000-000000000003"):
        with pytest.raises(helpers.logic.NotFound) as error:
            helpers.call_action("kg_validation_retry", context=dict(outsider), id=resource_id)
        answers.append(str(error.value))
    assert answers[0] == answers[1]


def big_table(rows: int) -> str:
    lines = ["region,year,population"]
    lines += [f"Аймак {i},{2000 + i % 24},{i}" for i in range(rows)]
    return "\n".join(lines) + "\n"


def worker_ini(tmp_path: Path, ckan_ini: str, extra: str = "") -> Path:
    """The test configuration with this module's plugins (and `extra`
    options), for `ckan jobs worker`."""
    ini = tmp_path / "worker.ini"
    ini.write_text(f"""[app:main]
use = config:{Path(ckan_ini).resolve()}
ckan.plugins = {PORTAL_PLUGINS}
scheming.dataset_schemas = ckanext.kg:schemas/dataset.yaml
scheming.organization_schemas = ckanext.kg:schemas/organization.yaml
scheming.presets = ckanext.scheming:presets.json ckanext.kg:schemas/presets.yaml
ckanext.dcat.rdf.profiles = euro_dcat_ap_3 kg_dcat_ap
{extra}""", encoding="utf-8")
    return ini


def wait_for(condition, seconds: float):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = condition()
        if found:
            return found
        time.sleep(0.05)
    raise AssertionError("timed out")


def work_horse(worker: subprocess.Popen) -> int:
    """The child process RQ forks to run the job."""
    children = Path(f"/proc/{worker.pid}/task/{worker.pid}/children")
    return int(wait_for(lambda: children.read_text().split(), 60)[0])


@pytest.mark.ckan_config("ckan.max_resource_size", 100)  # MB
# the load after the verdict, which reports its rows in the "loading" stage
# (an early load COPYs while the stage is still "validating")
@pytest.mark.ckan_config("ckanext.kg.validation.load_while_validating", False)
def test_a_job_killed_while_loading_loses_nothing_and_can_be_retried(
        request, tmp_path, upload_file, sysadmin, dataset):
    # "-" as a missing value: the rows COPYed are those validation wrote
    # for PostgreSQL, not the upload as it is
    schema = json.dumps(dict(json.loads(SCHEMA), missingValues=["", "-"]))
    resource = upload(upload_file, dataset, VALID, schema=schema)
    run_worker()  # the published version: two rows
    upload(upload_file, dataset, big_table(400_000), action="resource_update",
           id=resource["id"], schema=schema)
    assert shown(resource["id"])["job"]["state"] == "queued"
    ini = worker_ini(tmp_path, request.config.getoption("ckan_ini"),
                     "ckanext.kg.validation.load_while_validating = false\n")
    # a reader of the live table: the new one cannot take its place until
    # the reader's transaction ends, so the job is still loading when killed
    # however fast its COPY (a race with the test's polling before)
    reader = sa.create_engine(tk.config["ckan.datastore.write_url"]).connect()
    reading = reader.begin()
    reader.execute(text(f'SELECT count(*) FROM "{resource["id"]}"'))
    worker = subprocess.Popen(
        [str(Path(sys.executable).with_name("ckan")), "-c", str(ini), "jobs", "worker",
         "--burst"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        running = wait_for(lambda: (lambda job: job if job["stage"] == "loading"
                                    and (job["rows"] or 0) >= 100_000 else None)(
            shown(resource["id"])["job"]), 120)
        assert running["state"] == "running"
        # the horse is looked up now, while the reader holds the job: a child
        # seen earlier could be the horse of another queued job, gone since
        horse = work_horse(worker)
        os.kill(horse, signal.SIGKILL)
        worker.wait(60)
    finally:
        if worker.poll() is None:
            worker.kill()
        reading.rollback()
        reader.close()
    after = shown(resource["id"])
    assert (after["status"], after["job"]["state"]) == (None, "interrupted")
    published = helpers.call_action("datastore_search", resource_id=resource["id"])
    assert published["total"] == 2  # the previous version is still served
    assert staged_tables() == []  # the half-built table went with its transaction
    # the killed job's files stay until the next job, which removes them
    left = Path(tempfile.gettempdir()) / workspace.ROOT / str(horse)
    assert [p.name.split("-")[:2] for p in left.iterdir()] == [["kg", "canonical"]]
    retried = helpers.call_action("kg_validation_retry",
                                  context={"user": sysadmin["name"]}, id=resource["id"])
    assert retried["job"]["state"] == "queued"
    run_worker()
    final = shown(resource["id"])
    assert (final["status"], final["job"]["state"]) == ("success", "done")
    assert helpers.call_action("datastore_search", resource_id=resource["id"],
                               limit=0)["total"] == 400_000
    assert not left.exists()


class ConnectionKiller(threading.Thread):
    """Ends the PostgreSQL connection that COPYs a new table, as a server
    restart would, the moment that COPY shows in `pg_stat_activity`."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.killed, self.stop = [], threading.Event()

    def run(self) -> None:
        from ckanext.datastore.backend.postgres import get_write_engine
        # autocommit: within one transaction pg_stat_activity stays a snapshot
        with get_write_engine().connect().execution_options(
                isolation_level="AUTOCOMMIT") as connection:
            while not self.stop.is_set() and not self.killed:
                self.killed = connection.execute(text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND state = 'active' "
                    "AND query LIKE 'COPY \"kg_staging\".%'"
                )).fetchall()
                time.sleep(0.005)


@pytest.mark.ckan_config("ckanext.kg.validation.load_while_validating", False)
@pytest.mark.ckan_config("ckan.max_resource_size", 100)  # MB
def test_a_load_whose_database_connection_ends_loses_nothing_and_can_be_retried(
        upload_file, sysadmin, dataset):
    resource = upload(upload_file, dataset, VALID)
    run_worker()  # the published version: two rows
    upload(upload_file, dataset, big_table(400_000), action="resource_update",
           id=resource["id"])
    killer = ConnectionKiller()
    killer.start()
    try:
        run_worker()
    finally:
        killer.stop.set()
        killer.join(10)
    assert killer.killed == [(True,)]
    after = shown(resource["id"])
    assert after["status"] == "failure"
    assert after["report"]["datastore"]["loaded"] is False
    assert helpers.call_action("datastore_search", resource_id=resource["id"],
                               limit=0)["total"] == 2  # the previous version
    assert staged_tables() == []
    helpers.call_action("kg_validation_retry", context={"user": sysadmin["name"]},
                        id=resource["id"])
    run_worker()
    assert shown(resource["id"])["status"] == "success"
    assert helpers.call_action("datastore_search", resource_id=resource["id"],
                               limit=0)["total"] == 400_000
