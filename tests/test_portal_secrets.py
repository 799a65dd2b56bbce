"""Secrets stay secret (scripts/portal.py): no password is ever on a command
line, where `ps` shows it to every user of the machine, and every file
holding one is private from its first byte.

Command lines are seen as the operating system gets them: Python's audit
hook reports every process `portal.py` starts, with its arguments, and
/proc shows every process running; a file's mode at creation is seen by
letting the file be created but not written (a file size limit of 0)."""
from __future__ import annotations

import json
import os
import resource
import signal
import socket
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PORTAL = ROOT / "scripts" / "portal.py"

# run in a child: portal.py's functions named on the command line, each
# process they start recorded (Python's audit hook) into the file argv[1]
RECORDER = """
import json, runpy, sys
started = []
sys.addaudithook(lambda event, args: started.append([str(a) for a in args[1]])
                 if event == "subprocess.Popen" else None)
portal = runpy.run_path(sys.argv[2])
secret = portal["load_secrets"]()
for name in sys.argv[3:]:
    portal[name](secret)
open(sys.argv[1], "w").write(json.dumps(started))
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def command_lines() -> dict[int, str]:
    """Every running process's command line, as `ps` shows it."""
    lines = {}
    for path in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            lines[int(path.parent.name)] = path.read_bytes().replace(b"\0", b" ").decode(
                "utf-8", "replace")
        except OSError:  # ended meanwhile
            continue
    return lines


def secrets_in(text: str, secret: dict[str, str]) -> list[str]:
    return sorted(name for name, value in secret.items() if value in text)


@pytest.fixture
def own_redis(tmp_path):
    """portal.py starting a Redis server of its own (a var/ and a port of
    its own): (var, port, what it started); the server is stopped after."""
    port, record = free_port(), tmp_path / "started.json"
    env = dict(os.environ, KG_VAR=str(tmp_path / "var"), KG_REDIS_PORT=str(port))
    env.pop("KG_REDIS_URL", None)
    subprocess.run([sys.executable, "-c", RECORDER, str(record), str(PORTAL), "start_redis"],
                   env=env, check=True, capture_output=True)
    pidfile = tmp_path / "var" / "run" / "redis.pid"
    try:
        yield tmp_path / "var", port, json.loads(record.read_text())
    finally:
        for _ in range(50):
            if pidfile.exists():
                os.kill(int(pidfile.read_text()), signal.SIGTERM)
                break
            time.sleep(0.1)


def test_redis_gets_its_password_from_a_private_file_not_its_command_line(own_redis):
    import redis
    var, port, started = own_redis
    secret = json.loads((var / "secrets.json").read_text())
    [server] = [argv for argv in started if argv[0].endswith("redis-server")]
    assert server[1:] == [str(var / "run" / "redis.conf")]
    assert [secrets_in(" ".join(argv), secret) for argv in started] == [[]]
    assert {pid: line for pid, line in command_lines().items()
            if secrets_in(line, secret)} == {}
    assert stat.S_IMODE((var / "run" / "redis.conf").stat().st_mode) == 0o600
    # the password is the server's: asked for, and accepted
    assert redis.Redis(port=port, password=secret["redis"]).ping() is True
    with pytest.raises(redis.AuthenticationError):
        redis.Redis(port=port).ping()


def test_the_sysadmin_is_created_without_its_password_on_a_command_line(portal_script):
    """The `ops` portal made anew, as the backup tests do, recording every
    process portal.py starts on the way."""
    import psycopg2
    from passlib.hash import pbkdf2_sha512
    started = []

    def record(event, args):
        if event == "subprocess.Popen" and recording:
            started.append([str(a) for a in args[1]])
    recording = True
    sys.addaudithook(record)  # for good: it records only while `recording`
    try:
        portal_script.fresh_portal("ops")
    finally:
        recording = False
    secret = portal_script.load_secrets()
    assert ["user", "add", "admin"] in [argv[3:6] for argv in started]
    assert [argv for argv in started if secrets_in(" ".join(argv), secret)] == []
    admin_url = portal_script.start_postgres(secret)
    with psycopg2.connect(portal_script._with_db(admin_url, "ckan_ops")) as connection:
        with connection.cursor() as cursor:
            cursor.execute("""SELECT password, sysadmin FROM "user" WHERE name = 'admin'""")
            hashed, sysadmin = cursor.fetchone()
    connection.close()
    assert sysadmin is True
    assert pbkdf2_sha512.verify(secret["sysadmin"], hashed)  # it came through stdin


WRITERS = {  # what portal.py writes with a secret in it, and how to make it write
    "secrets.json": "portal['load_secrets']()",
    "ckan.ini": "portal['write_config']('ckan', 'postgresql://postgres:pw@db/postgres', "
                "'redis://:pw@redis/0', portal['load_secrets']())",
    "run/redis.conf": "portal['RUN'].mkdir(exist_ok=True); portal['LOG'].mkdir(); "
                      "portal['write_redis_config'](portal['load_secrets']())",
    "sysadmin.token": "portal['write_private'](portal['VAR'] / 'sysadmin.token', 'token')",
}


@pytest.mark.parametrize("name", WRITERS)
@pytest.mark.parametrize("existing", [False, True], ids=["new", "made-earlier"])
def test_secret_files_are_private_before_their_first_byte(tmp_path, name, existing):
    """The child may create files but not write a byte into them (and
    with umask 0 every file it creates is readable by all unless it says
    otherwise): what it leaves behind is the file as first created."""
    var = tmp_path / "var"
    target = var / name
    if name != "secrets.json":  # the others need the secrets written first
        subprocess.run([sys.executable, "-c", "import runpy, sys; "
                        "runpy.run_path(sys.argv[1])['load_secrets']()", str(PORTAL)],
                       env=dict(os.environ, KG_VAR=str(var)), check=True)
    if existing:  # e.g. by an older portal.py; secrets.json then lacked a secret
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text('{"postgres": "written earlier, readable by all"}')
        target.chmod(0o644)

    def no_room():
        os.umask(0)
        resource.setrlimit(resource.RLIMIT_FSIZE, (0, 0))
    script = f"import runpy, sys; portal = runpy.run_path(sys.argv[1]); {WRITERS[name]}"
    result = subprocess.run([sys.executable, "-c", script, str(PORTAL)], capture_output=True,
                            text=True, preexec_fn=no_room, env=dict(os.environ, KG_VAR=str(var)))
    assert "File too large" in result.stderr  # it did try to write
    assert (stat.S_IMODE(target.stat().st_mode), target.stat().st_size) == (0o600, 0)
