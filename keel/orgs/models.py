"""Org units (a tree with a materialised path), locations, calendars, users, roles, API tokens."""

from __future__ import annotations

import datetime as dt
import zoneinfo

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models

from keel.core.models import TimeStampedModel, VersionedModel

currency_validator = RegexValidator(r"^[A-Z]{3}$", "Use a three-letter ISO 4217 code such as EUR.")
code_validator = RegexValidator(
    r"^[A-Za-z0-9][A-Za-z0-9_.-]*$", "Use letters, digits, '.', '_' and '-', starting with a letter or digit."
)
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def validate_time_zone(value: str) -> None:
    """Refuse a name that is not an IANA time zone."""
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
        raise ValidationError(
            f"'{value}' is not a known time zone (use a name such as Europe/Berlin)."
        ) from exc


def validate_intervals(value: object) -> None:
    """Check a list of ["HH:MM", "HH:MM"] working intervals: well-formed, ordered, not overlapping."""
    if not isinstance(value, list):
        raise ValidationError("Working times must be a list of [start, end] pairs.")
    previous_end = None
    for pair in value:
        if not (isinstance(pair, list | tuple) and len(pair) == 2):
            raise ValidationError("Each working time must be a [start, end] pair such as ['09:00', '17:00'].")
        try:
            start, end = (dt.time.fromisoformat(x) if x != "24:00" else dt.time.max for x in pair)
        except (TypeError, ValueError) as exc:
            raise ValidationError(f"{pair!r} is not a pair of HH:MM times.") from exc
        if start >= end:
            raise ValidationError(f"Working time {pair[0]}–{pair[1]} ends before it starts.")
        if previous_end is not None and start < previous_end:
            raise ValidationError("Working times overlap or are not in order.")
        previous_end = end


def validate_working_week(value: object) -> None:
    """Check seven days (Monday first) of working intervals."""
    if not isinstance(value, list) or len(value) != 7:
        raise ValidationError("A working week is a list of 7 days, Monday first.")
    for day in value:
        validate_intervals(day)
    if not any(value):
        raise ValidationError("A working week needs at least one working day.")


def standard_week() -> list[list[list[str]]]:
    """Monday to Friday, 09:00–12:00 and 13:00–17:00."""
    day = [["09:00", "12:00"], ["13:00", "17:00"]]
    return [day, day, day, day, day, [], []]


class Role(models.TextChoices):
    """What a membership lets its holder do in a unit's subtree."""

    PMO_ADMIN = "pmo_admin", "PMO administrator"
    PORTFOLIO_MANAGER = "portfolio_manager", "Portfolio manager"
    PROJECT_MANAGER = "project_manager", "Project manager"
    RESOURCE_MANAGER = "resource_manager", "Resource manager"
    TEAM_MEMBER = "team_member", "Team member"
    EXECUTIVE = "executive", "Executive viewer"


class Location(TimeStampedModel):
    """A place where an org unit works, with its time zone."""

    name = models.CharField(max_length=100, unique=True)
    country = models.CharField(max_length=2, help_text="ISO 3166 country code, e.g. DE")
    time_zone = models.CharField(max_length=64, validators=[validate_time_zone])

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Calendar(VersionedModel):
    """Working time: the working hours of each weekday plus dated exceptions and holidays."""

    name = models.CharField(max_length=100, unique=True)
    working_week = models.JSONField(default=standard_week, validators=[validate_working_week])

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def minutes_per_week(self) -> int:
        """Working minutes in a regular week."""
        total = 0
        for day in self.working_week:
            for start, end in day:
                h1, m1 = map(int, start.split(":"))
                h2, m2 = map(int, end.split(":"))
                total += (h2 * 60 + m2) - (h1 * 60 + m1)
        return total


class CalendarException(models.Model):
    """A holiday or a change of working time over a date range, optionally every year."""

    calendar = models.ForeignKey(Calendar, on_delete=models.CASCADE, related_name="exceptions")
    name = models.CharField(max_length=100)
    start_date = models.DateField()
    end_date = models.DateField()
    working_times = models.JSONField(
        default=list, blank=True, validators=[validate_intervals], help_text="Empty for a non-working day."
    )
    recurs_yearly = models.BooleanField(default=False)

    class Meta:
        ordering = ["start_date"]

    def __str__(self) -> str:
        return f"{self.name} ({self.start_date})"

    def clean(self) -> None:
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": "The exception ends before it starts."})


class OrgUnit(VersionedModel):
    """A unit of the organisation: central PMO, department, division, team. Forms a tree."""

    class Kind(models.TextChoices):
        CENTRAL_PMO = "central_pmo", "Central PMO"
        DEPARTMENT = "department", "Department"
        DIVISION = "division", "Division"
        TEAM = "team", "Team"

    code = models.CharField(max_length=30, unique=True, validators=[code_validator])
    name = models.CharField(max_length=150)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    # Materialised path: the ids of the ancestors and the unit itself, each zero-padded and dot-terminated.
    path = models.CharField(max_length=255, unique=True, editable=False)
    location = models.ForeignKey(
        Location, null=True, blank=True, on_delete=models.PROTECT, related_name="units"
    )
    calendar = models.ForeignKey(
        Calendar,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="units",
        help_text="Leave empty to inherit the parent's calendar.",
    )
    currency = models.CharField(max_length=3, validators=[currency_validator], help_text="Reporting currency")

    scope_path = "path"
    scope_roles = {"change": {Role.PMO_ADMIN}}

    class Meta:
        ordering = ["path"]

    def __str__(self) -> str:
        return f"{self.code} — {self.name}"

    def audit_scope(self) -> tuple[str, int | None]:
        """Unit path and project id for the audit trail."""
        return self.path, None

    @property
    def depth(self) -> int:
        return self.path.count(".") - 1 if self.path else 0

    @property
    def ancestor_ids(self) -> list[int]:
        """Ids from the root down to this unit, inclusive."""
        return [int(part) for part in self.path.split(".") if part]


def unit_path_segment(pk: int) -> str:
    """The path segment of one unit."""
    return f"{pk:06d}."


class User(AbstractUser):
    """A person who signs in to Keel."""

    time_zone = models.CharField(max_length=64, blank=True, validators=[validate_time_zone])

    class Meta:
        ordering = ["username"]

    def __str__(self) -> str:
        return self.get_full_name() or self.username


class Membership(TimeStampedModel):
    """A user's role in an org unit; it applies to the unit's whole subtree."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    unit = models.ForeignKey(OrgUnit, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=30, choices=Role.choices)

    scope_path = "unit__path"
    scope_roles = {"change": {Role.PMO_ADMIN}}

    class Meta:
        ordering = ["unit__path", "user__username"]
        constraints = [models.UniqueConstraint(fields=["user", "unit", "role"], name="unique_membership")]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} in {self.unit.code}"

    def audit_scope(self) -> tuple[str, int | None]:
        """Unit path and project id for the audit trail."""
        return self.unit.path, None


class ApiToken(models.Model):
    """A personal API token; only its SHA-256 digest is stored."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=12, db_index=True, help_text="First characters, to recognise it")
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
