"""`keel createadmin`: create a superuser, optionally a PMO administrator of one org unit."""

from __future__ import annotations

import getpass
import os
import sys
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from keel.core.errors import validation_errors
from keel.orgs import services as org_services
from keel.orgs.models import OrgUnit, Role, User

PASSWORD_ENV = "KEEL_ADMIN_PASSWORD"


class Command(BaseCommand):
    """Create a superuser; the password comes from KEEL_ADMIN_PASSWORD or is asked for twice."""

    help = (
        f"Create a superuser. The password is read from {PASSWORD_ENV}, or asked for twice on a terminal. "
        "With --unit CODE the user is also a PMO administrator of that org unit."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--username", required=True)
        parser.add_argument("--email", required=True)
        parser.add_argument(
            "--unit", metavar="CODE", help="Also make the user a PMO administrator of this unit."
        )

    def handle(self, *args: Any, username: str, email: str, unit: str | None, **options: Any) -> None:
        org_unit = None
        if unit:
            org_unit = OrgUnit.objects.filter(code=unit).first()
            if org_unit is None:
                codes = ", ".join(OrgUnit.objects.order_by("path").values_list("code", flat=True)[:10])
                raise CommandError(
                    f"--unit: there is no org unit with code {unit!r} (codes: {codes or 'none yet'})."
                )
        user = User(username=username, email=email, is_staff=True, is_superuser=True)
        try:
            user.full_clean(exclude=["password"])
        except ValidationError as exc:
            raise CommandError(self._describe(exc)) from exc
        password = self._password()
        try:
            validate_password(password, user)
        except ValidationError as exc:
            raise CommandError("password: " + " ".join(exc.messages)) from exc
        user.set_password(password)
        with transaction.atomic():
            user.save()
            if org_unit is not None:
                org_services.membership_create(actor=user, user=user, unit=org_unit, role=Role.PMO_ADMIN)
        where = f" and PMO administrator of {org_unit.code}" if org_unit else ""
        self.stdout.write(self.style.SUCCESS(f"Created superuser {username}{where}."))

    def _password(self) -> str:
        password = os.environ.get(PASSWORD_ENV)
        if password:
            return password
        if not sys.stdin.isatty():
            raise CommandError(
                f"No password: set {PASSWORD_ENV} in the environment, or run the command on a terminal to type it."
            )
        first = getpass.getpass("Password: ")
        if first != getpass.getpass("Password (again): "):
            raise CommandError("The two passwords differ; nothing was created.")
        if not first:
            raise CommandError("The password is empty; nothing was created.")
        return first

    @staticmethod
    def _describe(error: ValidationError) -> str:
        return "; ".join(
            f"{field}: {' '.join(messages)}" for field, messages in validation_errors(error).items()
        )
