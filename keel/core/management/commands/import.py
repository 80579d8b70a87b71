"""`keel import FILE`: a project file (MS Project, Primavera, GanttProject, ...) becomes a Keel project."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from keel.core.errors import NotFound, PermissionDenied
from keel.core.management.commands.export import acting_user, error_text
from keel.interchange.model import InterchangeError
from keel.orgs import selectors as org_selectors
from keel.orgs.models import OrgUnit, User
from keel.schedule import importing


class Command(BaseCommand):
    """Import a project file as a new project with its schedule, calendars and baselines."""

    help = (
        "Import a project file (MS Project .mpp/.xml, Primavera .xer/P6 XML, GanttProject .gan, Planner, ...) "
        "as a new project; all or nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="The project file.")
        parser.add_argument(
            "--unit", help="Code of the org unit the project belongs to (default: the top unit)."
        )
        parser.add_argument("--code", help="Project code (default: made from the project's name).")
        parser.add_argument("--name", help="Project name (default: the file's project title).")
        parser.add_argument("--user", help="Username the import is done as (default: the first superuser).")

    def handle(self, *args: Any, **options: Any) -> None:
        user = acting_user(options["user"])
        unit = self._unit(user, options["unit"])
        try:
            summary = importing.project_import(
                actor=user,
                path=options["file"],
                org_unit=unit,
                code=options["code"],
                name=options["name"],
                progress=lambda step: self.stderr.write(f"… {step}"),
            )
        except (InterchangeError, ValidationError, PermissionDenied) as error:
            raise CommandError(f"Nothing was imported.\n{error_text(error)}") from error
        for line in summary.lines():
            self.stdout.write(line)

    @staticmethod
    def _unit(user: User, code: str | None) -> OrgUnit:
        """The unit named by code, or the top unit when there is exactly one."""
        if code:
            try:
                return org_selectors.org_unit_get_by_code(user, code)
            except NotFound as error:
                raise CommandError(f"There is no org unit {code!r} that {user.username} may see.") from error
        roots = list(org_selectors.org_unit_list_for_user(user).filter(parent__isnull=True)[:2])
        if len(roots) != 1:
            raise CommandError("Name the org unit of the project with --unit CODE.")
        return roots[0]
