"""Writes to the organisation: units, users, memberships, API tokens, project calendars."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Mapping, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Value
from django.db.models.functions import Concat, Substr
from django.utils import timezone

from keel.core.audit import audit_record
from keel.core.errors import NotFound
from keel.core.models import AuditEntry
from keel.core.services import audited_create, audited_delete, audited_update
from keel.orgs import scoping
from keel.orgs.models import (
    ApiToken,
    Calendar,
    CalendarException,
    Membership,
    OrgUnit,
    Role,
    User,
    unit_path_segment,
)
from keel.orgs.scoping import Action

TOKEN_PREFIX = "keel_"


@transaction.atomic
def org_unit_create(
    *,
    actor: Any,
    code: str,
    name: str,
    kind: str,
    parent: OrgUnit | None,
    currency: str = "",
    location: Any = None,
    calendar: Any = None,
) -> OrgUnit:
    """Create an org unit under `parent` (a root unit needs a superuser); currency defaults to the parent's."""
    if parent is None:
        if not scoping.is_global(actor):
            raise ValidationError(
                {"parent": "Only a superuser may create a top-level unit; choose a parent."}
            )
    else:
        scoping.require(actor, Action.ADMIN, OrgUnit, parent, "parent")
    unit = OrgUnit(
        code=code,
        name=name,
        kind=kind,
        parent=parent,
        currency=currency or (parent.currency if parent else ""),
        location=location if location is not None else (parent.location if parent else None),
        calendar=calendar,
        path=f"pending-{secrets.token_hex(8)}",
    )
    unit.full_clean()
    unit.save()
    unit.path = (parent.path if parent else "") + unit_path_segment(unit.pk)
    OrgUnit.objects.filter(pk=unit.pk).update(path=unit.path)
    audited_create(actor=actor, instance=unit)
    return unit


@transaction.atomic
def org_unit_update(*, actor: Any, unit: OrgUnit, version: int, **changes: Any) -> OrgUnit:
    """Change an org unit; moving it to another parent moves its whole subtree."""
    scoping.require(actor, Action.ADMIN, OrgUnit, unit, "unit")
    new_parent = changes.get("parent", unit.parent)
    if "parent" in changes and new_parent != unit.parent:
        if new_parent is None:
            raise ValidationError({"parent": "A unit cannot be made a top-level unit."})
        if new_parent.path.startswith(unit.path):
            raise ValidationError(
                {"parent": "A unit cannot be moved under itself or one of its descendants."}
            )
        scoping.require(actor, Action.ADMIN, OrgUnit, new_parent, "parent")
        old_path = unit.path
        new_path = new_parent.path + unit_path_segment(unit.pk)
        OrgUnit.objects.filter(path__startswith=old_path).update(
            path=Concat(Value(new_path), Substr(F("path"), len(old_path) + 1))
        )
        unit.path = new_path
    audited_update(actor=actor, instance=unit, version=version, changes=changes)
    return unit


@transaction.atomic
def org_unit_delete(*, actor: Any, unit: OrgUnit, version: int | None = None) -> None:
    """Delete an empty org unit: refused while any record (child unit, project, membership...) refers to it."""
    scoping.require(actor, Action.ADMIN, OrgUnit, unit, "unit")
    remaining = []
    for relation in unit._meta.related_objects:
        if relation.many_to_many:
            continue
        count = relation.related_model._default_manager.filter(**{relation.field.name: unit}).count()
        if count:
            meta = relation.related_model._meta
            label = "child units" if relation.related_model is OrgUnit else meta.verbose_name_plural
            remaining.append(f"{count} {label}")
    if remaining:
        raise ValidationError(
            {"unit": f"{unit.code} still has {', '.join(remaining)}; move or delete them first."}
        )
    audited_delete(actor=actor, instance=unit, version=version)


@transaction.atomic
def user_create(
    *,
    actor: Any,
    username: str,
    email: str,
    unit: OrgUnit,
    role: str,
    password: str | None = None,
    first_name: str = "",
    last_name: str = "",
) -> User:
    """Create a user with a first role membership in `unit` (the actor administers that unit)."""
    scoping.require(actor, Action.ADMIN, OrgUnit, unit, "unit")
    user = User(username=username, email=email, first_name=first_name, last_name=last_name)
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.full_clean()
    user.save()
    membership_create(actor=actor, user=user, unit=unit, role=role)
    return user


@transaction.atomic
def membership_create(*, actor: Any, user: User, unit: OrgUnit, role: str) -> Membership:
    """Give `user` a role in `unit` (and so in its subtree)."""
    scoping.require(actor, Action.ADMIN, OrgUnit, unit, "unit")
    if role not in Role.values:
        raise ValidationError({"role": f"'{role}' is not a role; choose one of {', '.join(Role.values)}."})
    if Membership.objects.filter(user=user, unit=unit, role=role).exists():
        raise ValidationError({"role": "The user already holds this role in this unit."})
    membership = Membership(user=user, unit=unit, role=role)
    audited_create(actor=actor, instance=membership)
    scoping.forget(user)
    return membership


@transaction.atomic
def membership_delete(*, actor: Any, membership: Membership) -> None:
    """Remove a role membership."""
    scoping.require(actor, Action.ADMIN, OrgUnit, membership.unit, "unit")
    audited_delete(actor=actor, instance=membership, version=None)
    scoping.forget(membership.user)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def api_token_create(*, user: User, name: str) -> tuple[ApiToken, str]:
    """Create a personal API token; returns the record and the token, which is shown only once."""
    plaintext = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(user=user, name=name or "API token", prefix=plaintext[:12], digest=_digest(plaintext))
    token.full_clean()
    token.save()
    return token, plaintext


@transaction.atomic
def api_token_revoke(*, user: User, token_id: int) -> ApiToken:
    """Revoke one of the user's own tokens."""
    token = ApiToken.objects.filter(user=user, pk=token_id).first()
    if token is None:
        raise NotFound("API token")
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token


def api_token_authenticate(plaintext: str) -> User | None:
    """Return the active user a token belongs to, or None for an unknown or revoked token."""
    if not plaintext.startswith(TOKEN_PREFIX):
        return None
    token = (
        ApiToken.objects.select_related("user")
        .filter(digest=_digest(plaintext), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if token is None:
        return None
    now = timezone.now()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


USER_FIELDS = ("username", "email", "first_name", "last_name", "is_active", "time_zone")


@transaction.atomic
def user_update(*, actor: Any, user: User, **changes: Any) -> User:
    """Change a person's name, e-mail, time zone or active flag (the actor administers one of their units).

    Only a superuser may change a superuser, and privileges (staff, superuser) are not changed here.
    """
    unknown = set(changes) - set(USER_FIELDS)
    if unknown:
        raise TypeError(f"Unknown user fields: {', '.join(sorted(unknown))}")
    if not scoping.is_global(actor):
        administered = OrgUnit.objects.filter(
            scoping.path_q("path", scoping.scope_paths(actor, {Role.PMO_ADMIN}))
        )
        if user.is_superuser or not user.memberships.filter(unit__in=administered).exists():
            raise NotFound("user")
    for name, value in changes.items():
        setattr(user, name, value)
    user.full_clean()
    if changes:
        user.save(update_fields=list(changes))
    return user


@transaction.atomic
def calendar_create(
    *,
    actor: Any,
    unit: OrgUnit,
    name: str,
    working_week: list[list[list[str]]],
    exceptions: Sequence[Mapping[str, Any]] = (),
) -> Calendar:
    """Create a calendar with its exceptions for a project of `unit` (e.g. one imported from a file).

    Needs the right to change projects' records in `unit` (not the organisation-wide reference-data
    right): the calendar belongs to what the actor is creating there. Each exception is a mapping of
    CalendarException fields (name, start_date, end_date, working_times, recurs_yearly). All rows are
    validated first; a ValidationError names the exception and field, and nothing is written.
    """
    scoping.require(actor, Action.CHANGE, Calendar, unit, "calendar")
    calendar = Calendar(name=name, working_week=working_week)
    calendar.full_clean()
    rows = [CalendarException(calendar=calendar, **values) for values in exceptions]
    problems = []
    for row in rows:
        try:
            row.full_clean(exclude=["calendar"])
        except ValidationError as error:
            problems.append(f"exception {row.name!r} of {row.start_date}: {'; '.join(error.messages)}")
    if problems:
        raise ValidationError({"exceptions": problems})
    calendar.save()
    for row in rows:
        row.calendar = calendar
    CalendarException.objects.bulk_create(rows, batch_size=500)
    audit_record(
        actor=actor,
        instance=calendar,
        action=AuditEntry.Action.CREATE,
        unit_path=unit.path,
        changes={"name": [None, name], "working_week": [None, working_week], "exceptions": [None, len(rows)]},
    )
    return calendar
