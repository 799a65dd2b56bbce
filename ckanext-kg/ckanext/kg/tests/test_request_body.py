"""A large multipart body is read from the server in steps of
`request_body.STEP` bytes (`request_body.read_in_large_steps`), and parsed
to the same form and file; other bodies are left as they come."""
import hashlib
import io

from werkzeug.test import EnvironBuilder
from werkzeug.wrappers import Request

from ckanext.kg.request_body import STEP, read_in_large_steps

TABLE = b"region,year,population\n" + b"\xd0\x9d\xd0\xb0\xd1\x80\xd1\x8b\xd0\xbd,2023,301600\n" * (
    3 * STEP // 24)


class ServerBody:
    """A body stream as gunicorn gives it (`read` and `readline`, no
    `readinto`; `wsgi.input_terminated`), remembering how much each read
    asked for."""

    def __init__(self, data: bytes) -> None:
        self._data = io.BytesIO(data)
        self.asked: list[int] = []

    def read(self, size=-1):
        self.asked.append(size)
        return self._data.read(size)

    def readline(self, size=-1):
        return self._data.readline(size)


def form_app(environ, start_response):
    request = Request(environ)
    upload = request.files["upload"]
    answer = f"{request.form['name']} {upload.filename} " \
             f"{hashlib.sha256(upload.read()).hexdigest()}".encode()
    start_response("200 OK", [("Content-Length", str(len(answer)))])
    return [answer]


def posted(data, app, **builder):
    environ = EnvironBuilder(method="POST", data=data, **builder).get_environ()
    body = ServerBody(environ["wsgi.input"].read())
    environ["wsgi.input"] = body
    environ["wsgi.input_terminated"] = True
    answer = b"".join(app(environ, lambda status, headers: None))
    return answer, body.asked


def upload_form(table: bytes = TABLE):
    return {"name": "population", "upload": (io.BytesIO(table), "population.csv")}


def test_a_large_upload_is_read_a_step_at_a_time_and_parsed_the_same():
    answer, asked = posted(upload_form(), read_in_large_steps(form_app))
    assert answer == f"population population.csv {hashlib.sha256(TABLE).hexdigest()}".encode()
    assert set(asked) == {STEP}
    assert len(asked) == 4 + 1  # about 3 MiB of body, then the end


def test_werkzeug_alone_reads_64_kib_at_a_time():
    """What `read_in_large_steps` is for: each such read made gunicorn copy
    what it had received beyond it."""
    answer, asked = posted(upload_form(), form_app)
    assert answer.endswith(hashlib.sha256(TABLE).hexdigest().encode())
    assert set(asked[:-1]) == {64 * 1024}


def test_a_small_form_and_other_bodies_are_read_as_they_come():
    small = b"region,population\n"
    assert posted(upload_form(small), read_in_large_steps(form_app))[1] == \
        posted(upload_form(small), form_app)[1]

    def json_app(environ, start_response):
        start_response("200 OK", [])
        return [environ["wsgi.input"].read(7)]

    big_json = b'{"a": "' + b"x" * (2 * STEP) + b'"}'
    answer, asked = posted(big_json, read_in_large_steps(json_app),
                           content_type="application/json")
    assert (answer, asked) == (b'{"a": "', [7])
