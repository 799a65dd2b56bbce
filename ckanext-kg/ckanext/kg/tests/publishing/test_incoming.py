"""An uploaded file is written once (`publishing/incoming.py`): received
into a file without a name in the storage's own folder and given the
resource's path, never copied; where the system cannot, CKAN's copy is
used. Nothing is left behind by a request that is refused."""
import contextlib
import errno
import hashlib
import os
import stat
from pathlib import Path

import pytest
import sqlalchemy as sa
from ckan import model
from ckan.lib import uploader
from ckan.tests import factories

from ckanext.kg.publishing import incoming
from ckanext.kg.publishing.gate import checksums
from ckanext.kg.tests.conftest import portal_schema
from ckanext.kg.tests.publishing.conftest import VALID
from ckanext.kg.tests.publishing.test_uploads import api_upload, files_in, table_fields

pytestmark = [*portal_schema]


@pytest.fixture
def storage(tmp_path, ckan_config, monkeypatch):
    monkeypatch.setitem(ckan_config, "ckan.storage_path", str(tmp_path))
    return tmp_path


@pytest.fixture
def copies(monkeypatch):
    """The files CKAN's uploader copied (its `_copy_file`, which still runs)."""
    copied = []
    copy = uploader._copy_file

    def recorded(input_file, output_file, max_size):
        copied.append(output_file.name)
        return copy(input_file, output_file, max_size)

    monkeypatch.setattr(uploader, "_copy_file", recorded)
    return copied


def stored_file(storage, resource_id):
    return Path(storage, "resources", resource_id[:3], resource_id[3:6], resource_id[6:])


def open_incoming_files(storage):
    """This process's descriptors of files in the incoming folder."""
    folder = str(Path(storage, *incoming.FOLDER))
    found = []
    for entry in Path("/proc/self/fd").iterdir():
        try:
            target = os.readlink(entry)
        except OSError:
            continue
        if target.startswith(folder):
            found.append(target)
    return found


def upload(app, dataset, body=VALID.encode("utf-8"), token=None, lang="en"):
    token = token or factories.SysadminWithToken()["token"]
    return api_upload(app, token, "resource_create", table_fields(dataset), body, lang)


def test_an_upload_is_given_its_path_without_a_copy(app, dataset, storage, copies):
    response = upload(app, dataset)
    assert response.status_code == 200
    resource = response.json["result"]
    path = stored_file(storage, resource["id"])
    assert path.read_bytes() == VALID.encode("utf-8")
    assert copies == []
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(path.stat().st_mode) == 0o666 & ~umask  # as CKAN's own file
    assert [name for name in files_in(storage) if not name.startswith("kg/tables/")] == [
        str(path.relative_to(storage))]
    assert open_incoming_files(storage) == []
    # hashed as it was received: kept for this very file, never read back
    with model.meta.engine.connect() as connection:
        assert tuple(connection.execute(sa.text(
            f"SELECT identity, checksum FROM {checksums.TABLE} WHERE path = :p"),
            {"p": str(path)}).one()) == (
            checksums.identity(path.stat()),
            "sha256:" + hashlib.sha256(VALID.encode("utf-8")).hexdigest())


def test_a_refused_upload_leaves_nothing(app, dataset, storage, copies):
    outsider = factories.UserWithToken()["token"]
    response = upload(app, dataset, token=outsider)
    assert response.status_code == 404  # the dataset is private
    assert files_in(storage) == []
    assert open_incoming_files(storage) == []


@pytest.mark.ckan_config("ckan.max_resource_size", 1)
@pytest.mark.parametrize("lang, message", [
    ("en", "The file is larger than the portal accepts (1 MB)."),
    ("ru", "Файл больше, чем принимает портал (1 МБ)."),
])
def test_an_upload_over_the_limit_is_refused_in_the_readers_language(
        app, dataset, storage, copies, lang, message):
    too_large = ("region,population\n" + "Ысык-Көл,513000\n" * 80000).encode("utf-8")
    response = upload(app, dataset, too_large, lang=lang)
    assert response.status_code == 409
    assert response.json["error"]["upload"] == [message]
    assert (files_in(storage), copies) == ([], [])
    assert open_incoming_files(storage) == []


def test_without_files_that_have_no_name_ckan_copies_the_upload(
        app, dataset, storage, copies, monkeypatch):
    monkeypatch.delattr(os, "O_TMPFILE")
    response = upload(app, dataset)
    assert response.status_code == 200
    path = stored_file(storage, response.json["result"]["id"])
    assert path.read_bytes() == VALID.encode("utf-8")
    assert copies == [f"{path}~"]


def test_where_the_file_cannot_be_linked_ckan_copies_it(app, dataset, storage, copies,
                                                         monkeypatch):
    """As when the resources' folder is on another file system."""
    def cross_device(*args, **kwargs):
        raise OSError(errno.EXDEV, os.strerror(errno.EXDEV))

    monkeypatch.setattr(incoming.os, "link", cross_device)
    response = upload(app, dataset)
    assert response.status_code == 200
    path = stored_file(storage, response.json["result"]["id"])
    assert path.read_bytes() == VALID.encode("utf-8")
    assert copies == [f"{path}~"]
    assert not path.with_name(path.name + "~").exists()


@pytest.fixture
def file_size_limit():
    """Files this process writes may not grow past `limit` bytes while the
    fixture's function runs: the system refuses the write (EFBIG), as a
    full disk would (ENOSPC)."""
    import resource
    import signal

    @contextlib.contextmanager
    def limited(limit):
        old_limit = resource.getrlimit(resource.RLIMIT_FSIZE)
        old_handler = signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, old_limit[1]))
        try:
            yield
        finally:
            resource.setrlimit(resource.RLIMIT_FSIZE, old_limit)
            signal.signal(signal.SIGXFSZ, old_handler)
    return limited


def test_a_storage_without_room_refuses_the_upload_in_the_readers_language(
        app, dataset, storage, copies, file_size_limit):
    table = ("region,population\n" + "Ысык-Көл,513000\n" * 20000).encode("utf-8")
    with file_size_limit(64 * 1024):
        response = upload(app, dataset, table, lang="ru")
    assert response.status_code == 409
    assert response.json["error"]["upload"] == [
        "Сейчас на портале нет места, чтобы сохранить файл, поэтому ничего не сохранено. "
        "Попробуйте позже; если это повторится, сообщите команде портала."]
    assert (files_in(storage), copies) == ([], [])
    assert open_incoming_files(storage) == []


def received_stream(app, headers):
    """What the file part of a multipart request is received into, once
    CKAN has identified the request's user (its `before_request`)."""
    import io as _io

    from flask import request
    flask_app = app.flask_app
    with flask_app.test_request_context(
            "/api/3/action/resource_create", method="POST", headers=headers,
            data={"upload": (_io.BytesIO(VALID.encode("utf-8")), "population.csv")}):
        flask_app.preprocess_request()
        return type(request.files["upload"].stream)


def test_only_a_signed_in_users_upload_is_received_into_the_storage(app, storage):
    token = factories.UserWithToken()["token"]
    assert received_stream(app, {"Authorization": token}) is incoming.IncomingFile
    assert received_stream(app, {}) is not incoming.IncomingFile
