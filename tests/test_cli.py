"""The `keel` command: serve, createadmin, token and worker."""

from __future__ import annotations

import http.cookiejar
import io
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from keel.core.models import AuditEntry
from keel.orgs.models import ApiToken, Membership, Role, User
from keel.orgs.services import api_token_authenticate

BIN = Path(sys.executable).parent
ADMIN_PASSWORD = "correct horse battery staple 7"


def keel(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """Run the installed `keel` console script."""
    return subprocess.run(
        [str(BIN / "keel"), *args], capture_output=True, text=True, env={**os.environ, **env}, timeout=120
    )


def test_the_console_script_lists_keels_commands():
    result = keel("--help")
    assert result.returncode == 0, result.stderr
    for command in ("serve", "demo", "createadmin", "token", "worker", "migrate"):
        assert f"    {command}\n" in result.stdout, command


# --- keel token -----------------------------------------------------------------------------------


def test_token_create_prints_a_token_that_authenticates(org):
    out, err = StringIO(), StringIO()
    call_command("token", "create", "pm_north", "--name", "CI export", stdout=out, stderr=err)
    token = out.getvalue().strip()
    assert api_token_authenticate(token) == org.pm_north
    assert "shown only once" in err.getvalue()
    assert ApiToken.objects.get(user=org.pm_north).name == "CI export"


def test_token_list_and_revoke(org):
    out = StringIO()
    call_command("token", "create", "pm_north", stdout=out, stderr=StringIO())
    token = out.getvalue().strip()
    record = ApiToken.objects.get(user=org.pm_north)
    listing = StringIO()
    call_command("token", "list", "pm_north", stdout=listing)
    assert record.prefix in listing.getvalue() and "active" in listing.getvalue()
    call_command("token", "revoke", "pm_north", str(record.pk), stdout=StringIO())
    assert api_token_authenticate(token) is None
    listing = StringIO()
    call_command("token", "list", "pm_north", stdout=listing)
    assert "revoked" in listing.getvalue()


def test_token_commands_name_what_is_wrong(org):
    with pytest.raises(CommandError, match="no user named 'nobody'"):
        call_command("token", "create", "nobody", stdout=StringIO())
    call_command("token", "create", "pm_south", stdout=StringIO(), stderr=StringIO())
    theirs = ApiToken.objects.get(user=org.pm_south)
    # A token id of another user is not found for this one, and stays active.
    with pytest.raises(CommandError, match=f"no API token with id {theirs.pk}"):
        call_command("token", "revoke", "pm_north", str(theirs.pk), stdout=StringIO())
    theirs.refresh_from_db()
    assert theirs.is_active
    org.outsider.is_active = False
    org.outsider.save(update_fields=["is_active"])
    with pytest.raises(CommandError, match="inactive"):
        call_command("token", "create", "outsider", stdout=StringIO())
    assert not ApiToken.objects.filter(user=org.outsider).exists()


# --- keel createadmin ------------------------------------------------------------------------------


def test_createadmin_reads_the_password_from_the_environment(db, monkeypatch):
    monkeypatch.setenv("KEEL_ADMIN_PASSWORD", ADMIN_PASSWORD)
    call_command("createadmin", "--username", "root", "--email", "root@example.org", stdout=StringIO())
    user = User.objects.get(username="root")
    assert user.is_superuser and user.is_staff and user.check_password(ADMIN_PASSWORD)
    assert not Membership.objects.filter(user=user).exists()


def test_createadmin_with_a_unit_makes_a_pmo_administrator(org, monkeypatch):
    monkeypatch.setenv("KEEL_ADMIN_PASSWORD", ADMIN_PASSWORD)
    call_command(
        "createadmin",
        "--username",
        "head",
        "--email",
        "head@example.org",
        "--unit",
        "NORTH",
        stdout=StringIO(),
    )
    membership = Membership.objects.get(user__username="head")
    assert (membership.unit, membership.role) == (org.north, Role.PMO_ADMIN)
    assert AuditEntry.objects.filter(content_type__model="membership", object_id=str(membership.pk)).exists()


def test_createadmin_without_a_password_explains_and_creates_nothing(db, monkeypatch):
    monkeypatch.delenv("KEEL_ADMIN_PASSWORD", raising=False)
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))  # not a terminal
    with pytest.raises(CommandError, match="KEEL_ADMIN_PASSWORD"):
        call_command("createadmin", "--username", "root", "--email", "root@example.org")
    assert not User.objects.exists()


@pytest.mark.parametrize(
    ("args", "password", "message"),
    [
        (["--unit", "NOPE"], ADMIN_PASSWORD, "--unit: there is no org unit with code 'NOPE'"),
        ([], "short", "password: This password is too short"),
        (["--username", "pm_north"], ADMIN_PASSWORD, "username: A user with that username already exists"),
        (["--email", "not-an-email"], ADMIN_PASSWORD, "email: Enter a valid email address"),
    ],
)
def test_createadmin_refuses_bad_input_and_writes_nothing(org, monkeypatch, args, password, message):
    monkeypatch.setenv("KEEL_ADMIN_PASSWORD", password)
    users = User.objects.count()
    options = {"--username": "root", "--email": "root@example.org"}
    for flag, value in zip(args[::2], args[1::2], strict=True):
        options[flag] = value
    with pytest.raises(CommandError, match=message):
        call_command("createadmin", *[item for pair in options.items() for item in pair], stdout=StringIO())
    assert User.objects.count() == users


# --- keel worker ---------------------------------------------------------------------------------------


def test_worker_processes_every_queue_without_reloading():
    from keel.core.management.commands.worker import Command

    options = Command().create_parser("keel", "worker").parse_args([])
    assert options.queue_name == "*"
    assert options.reload is False


# --- keel serve ------------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """`keel serve` in a subprocess on a fresh SQLite database under `var_dir`."""

    def __init__(self, var_dir: Path) -> None:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("KEEL_", "DATABASE_URL"))}
        self.port = free_port()
        self.process = subprocess.Popen(
            [str(BIN / "keel"), "serve", "--port", str(self.port), "--no-worker"],
            env={
                **env,
                "KEEL_VAR_DIR": str(var_dir),
                "KEEL_DEMO_PASSWORD": settings.KEEL_DEMO_PASSWORD,
                "PYTHONUNBUFFERED": "1",
            },
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self.output: list[str] = []
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.cookies))
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            line = self.process.stdout.readline()
            if not line:
                break
            self.output.append(line)
            if "Keel is running at" in line:
                return
        self.stop()
        raise AssertionError("keel serve did not start:\n" + "".join(self.output))

    @property
    def text(self) -> str:
        return "".join(self.output)

    def get(self, path: str, data: dict[str, str] | None = None) -> tuple[int, str]:
        """GET (or POST `data` to) a path with this server's cookies; follows redirects."""
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        request = urllib.request.Request(f"http://127.0.0.1:{self.port}{path}", data=body)
        with self.opener.open(request, timeout=30) as response:
            return response.status, response.read().decode()

    def stop(self) -> int:
        self.process.send_signal(signal.SIGINT)
        rest, _ = self.process.communicate(timeout=30)
        self.output.append(rest)
        return self.process.returncode


def test_serve_migrates_loads_the_demo_once_and_serves(tmp_path):
    # given an empty var directory, when Keel is served for the first time
    server = Server(tmp_path)
    try:
        # then the database is migrated, the demo loaded, the logins printed and pages served
        assert "loading the demo organisation" in server.text
        assert "dana" in server.text and "Password for every demo login" in server.text
        assert f"http://127.0.0.1:{server.port}/" in server.text
        # a demo login signs in with the demo password and lands on the dashboard
        status, login_page = server.get("/")
        assert status == 200 and "csrfmiddlewaretoken" in login_page
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', login_page).group(1)
        form = {"csrfmiddlewaretoken": token, "username": "dana", "password": settings.KEEL_DEMO_PASSWORD}
        status, home = server.get("/accounts/login/?next=/", form)
        assert status == 200 and "Portfolio overview" in home
        status, css = server.get("/static/vendor/bootstrap.min.css")
        assert status == 200 and "Bootstrap" in css
    finally:
        assert server.stop() == 0
    assert (tmp_path / "keel.sqlite3").exists()
    # when it is served again, the data is kept and the demo is not loaded twice
    server = Server(tmp_path)
    try:
        assert "Keeping the existing data: 8 org units, 40 projects." in server.text
    finally:
        assert server.stop() == 0


def test_serve_refuses_a_port_in_use(tmp_path):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        env = {k: v for k, v in os.environ.items() if not k.startswith(("KEEL_", "DATABASE_URL"))}
        result = subprocess.run(
            [str(BIN / "keel"), "serve", "--port", str(port), "--no-demo", "--no-worker"],
            env={**env, "KEEL_VAR_DIR": str(tmp_path)},
            capture_output=True,
            text=True,
            timeout=120,
        )
    assert result.returncode != 0
    assert f"Cannot listen on 127.0.0.1:{port}" in result.stderr


# --- deployment settings -----------------------------------------------------------------------------


def redis_url() -> str | None:
    """The local Redis (CI starts one), or None when nothing answers."""
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=1):
            return "redis://127.0.0.1:6379/15"
    except OSError:
        return None


@pytest.mark.skipif(redis_url() is None, reason="no Redis on 127.0.0.1:6379")
def test_keel_redis_url_shares_the_cache_between_processes(tmp_path):
    # given two separate Keel processes configured with the same KEEL_REDIS_URL
    key = f"keel-probe-{os.getpid()}-{time.time_ns()}"
    env = {"KEEL_REDIS_URL": redis_url(), "KEEL_VAR_DIR": str(tmp_path)}
    # when one writes to the cache
    writer = keel(
        "shell", "-c", f"from django.core.cache import cache; cache.set({key!r}, 'shared', 30)", **env
    )
    assert writer.returncode == 0, writer.stderr
    # then the other reads it (a per-process cache would not have it)
    reader = keel("shell", "-c", f"from django.core.cache import cache; print(cache.get({key!r}))", **env)
    assert reader.returncode == 0, reader.stderr
    assert reader.stdout.split()[-1] == "shared"
