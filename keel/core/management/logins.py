"""Printing the demo logins, shared by `keel demo` and `keel serve`."""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import OutputWrapper

from keel.core.demo import demo_logins


def write_logins(stdout: OutputWrapper) -> None:
    """Write the demo logins as a table, then the one demo password."""
    rows = [(login.username, login.role, login.unit, login.does) for login in demo_logins()]
    header = ("username", "role", "unit", "who")
    widths = [max(len(str(row[i])) for row in (header, *rows)) for i in range(3)]
    stdout.write("Demo logins:")
    for row in (header, *rows):
        stdout.write(
            "  "
            + "  ".join(str(value).ljust(width) for value, width in zip(row, widths, strict=False))
            + "  "
            + row[3]
        )
    stdout.write(f"Password for every demo login: {settings.KEEL_DEMO_PASSWORD}")
