"""Printing the demo logins, shared by `keel demo` and `keel serve`."""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import OutputWrapper

from keel.core.demo import demo_logins


def write_logins(stdout: OutputWrapper) -> None:
    """Write the demo logins as a table, then the one demo password."""
    rows = [("username", "role", "unit", "who")]
    rows += [(login.username, login.role, login.unit, login.does) for login in demo_logins()]
    w = [max(len(row[i]) for row in rows) for i in range(3)]
    stdout.write("Demo logins:")
    for username, role, unit, who in rows:
        stdout.write(f"  {username:<{w[0]}}  {role:<{w[1]}}  {unit:<{w[2]}}  {who}")
    stdout.write(f"Password for every demo login: {settings.KEEL_DEMO_PASSWORD}")
