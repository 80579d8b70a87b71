"""`keel export PROJECT`: a project's schedule as a file MS Project or Primavera opens."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from keel.core.errors import NotFound
from keel.interchange.model import InterchangeError
from keel.interchange.mpxj import FORMATS
from keel.orgs.models import User
from keel.portfolio import selectors as portfolio_selectors
from keel.schedule import importing


def acting_user(username: str | None) -> User:
    """The user a command acts as: the one named, else the first active superuser."""
    if username:
        user = User.objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(f"There is no active user named {username!r}.")
        return user
    user = User.objects.filter(is_superuser=True, is_active=True).order_by("username").first()
    if user is None:
        raise CommandError("Name the user to act as with --user (there is no active superuser).")
    return user


def error_text(error: Exception) -> str:
    """A refusal as one readable line per field."""
    if isinstance(error, ValidationError) and hasattr(error, "error_dict"):
        return "\n".join(
            f"{field}: {message}" for field, messages in error.message_dict.items() for message in messages
        )
    if isinstance(error, ValidationError):
        return "\n".join(error.messages)
    return str(error)


class Command(BaseCommand):
    """Export a project's schedule (tasks, links, calendars, baselines) as MSPDI, XER or P6 XML."""

    help = "Export a project's schedule as a file MS Project (mspdi) or Primavera (xer, pmxml) opens."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("project", help="The project's code.")
        parser.add_argument(
            "--format", choices=sorted(FORMATS), default="mspdi", help="File format (default: mspdi)."
        )
        parser.add_argument("--output", help="File to write (default: CODE.xml / CODE.xer in this folder).")
        parser.add_argument("--user", help="Username the export is done as (default: the first superuser).")

    def handle(self, *args: Any, **options: Any) -> None:
        user = acting_user(options["user"])
        try:
            project = portfolio_selectors.project_get_by_code(user, options["project"])
        except NotFound as error:
            raise CommandError(
                f"There is no project {options['project']!r} that {user.username} may see."
            ) from error
        output = Path(options["output"] or f"{project.code}{FORMATS[options['format']][1]}")
        try:
            summary = importing.project_export(
                user=user, project=project, path=output, format=options["format"]
            )
        except InterchangeError as error:
            raise CommandError(str(error)) from error
        for line in summary.lines():
            self.stdout.write(line)
