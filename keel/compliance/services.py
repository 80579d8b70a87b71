"""Writes of compliance: the PMO's settings per unit, waivers of gaps, reminders to the owners of gaps.

Every write checks scope first (a viewer gets PermissionDenied before any validation), validates with
an error naming the field, runs in one transaction, saves versioned rows against the version the
caller edited and records an audit entry. A reminder writes the owner's notification (kind REMINDER)
in the same transaction.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from keel.compliance import selectors
from keel.compliance.models import ComplianceConfig, Reminder, Waiver
from keel.core.services import audited_create, audited_delete, audited_update
from keel.notifications.models import Kind
from keel.notifications.services import notify
from keel.orgs import scoping
from keel.orgs.models import OrgUnit
from keel.orgs.scoping import Action
from keel.portfolio.models import Project

CONFIG_FIELDS = ("stale_raid_days", "change_age_days", "baseline_required")


@transaction.atomic
def compliance_config_set(
    *, actor: Any, unit: OrgUnit, version: int | None = None, **fields: Any
) -> ComplianceConfig:
    """Set the unit's compliance settings (creating them, or changing those edited at `version`)."""
    scoping.require(actor, Action.CHANGE, ComplianceConfig, unit, "unit")
    unknown = set(fields) - set(CONFIG_FIELDS)
    if unknown:
        raise TypeError(f"Unknown compliance settings: {', '.join(sorted(unknown))}")
    for name, value in fields.items():
        if value is None:
            raise ValidationError({name: "This field is required."})
    existing = ComplianceConfig.objects.filter(org_unit=unit).first()
    if existing is None:
        inherited = selectors.rules_for_unit(unit)
        values = {
            "stale_raid_days": inherited.stale_raid_days,
            "change_age_days": inherited.change_age_days,
            "baseline_required": inherited.baseline_required,
            **fields,
        }
        config = ComplianceConfig(org_unit=unit, **values)
        audited_create(actor=actor, instance=config)
        return config
    if version is None:
        raise ValidationError({"version": "Give the version of the settings you edited."})
    audited_update(actor=actor, instance=existing, version=version, changes=fields)
    return existing


@transaction.atomic
def compliance_config_clear(*, actor: Any, unit: OrgUnit, version: int | None = None) -> None:
    """Drop the unit's own settings: it inherits its parent's (or the defaults) again."""
    scoping.require(actor, Action.CHANGE, ComplianceConfig, unit, "unit")
    config = ComplianceConfig.objects.filter(org_unit=unit).first()
    if config is not None:
        audited_delete(actor=actor, instance=config, version=version)


def _current_gap(project: Project, key: Any, today: dt.date) -> tuple[Any, Waiver | None]:
    if not isinstance(key, str) or not key.strip():
        raise ValidationError({"key": "Name the gap (its key, e.g. baseline)."})
    if not selectors.is_checked(project):
        raise ValidationError(
            {"key": f"{project.code} is {project.get_status_display().lower()}: it has no gaps."}
        )
    gap, waiver = selectors.gap_of(project, key.strip(), today=today)
    if gap is None:
        raise ValidationError({"key": f"{project.code} has no gap {key.strip()[:200]!r} today."})
    return gap, waiver


@transaction.atomic
def waiver_create(
    *,
    actor: Any,
    project: Project,
    key: str,
    reason: str,
    expires_on: dt.date | None = None,
    today: dt.date | None = None,
) -> Waiver:
    """Waive one of the project's current gaps with a reason (PMO administrators); it counts as in place.

    A gap whose earlier waiver expired can be waived again (the expired waiver is replaced).
    """
    scoping.require(actor, Action.CHANGE, Waiver, project.org_unit, "project")
    today = today or timezone.localdate()
    if not (reason or "").strip():
        raise ValidationError({"reason": "Record why this gap is waived."})
    if expires_on is not None and expires_on <= today:
        raise ValidationError({"expires_on": "The waiver must expire after today (or never)."})
    gap, active = _current_gap(project, key, today)
    if active is not None:
        raise ValidationError({"key": f"This gap is already waived (since {active.waived_at:%Y-%m-%d})."})
    expired = Waiver.objects.select_for_update().filter(project=project, key=gap.key).first()
    if expired is not None:
        audited_delete(actor=actor, instance=expired, version=expired.version)
    waiver = Waiver(
        project=project,
        key=gap.key,
        kind=gap.kind,
        title=gap.title[:300],
        reason=reason.strip(),
        waived_by=actor,
        waived_at=timezone.now(),
        expires_on=expires_on,
    )
    audited_create(actor=actor, instance=waiver)
    return waiver


@transaction.atomic
def waiver_delete(*, actor: Any, waiver: Waiver, version: int | None) -> None:
    """Withdraw a waiver: the gap counts again (PMO administrators)."""
    scoping.require(actor, Action.CHANGE, Waiver, waiver.project.org_unit, "project")
    audited_delete(actor=actor, instance=waiver, version=version)


@transaction.atomic
def gap_remind(*, actor: Any, project: Project, key: str, today: dt.date | None = None) -> Reminder:
    """Remind the owner of one of the project's open gaps (in-app and by e-mail per their preference)."""
    scoping.require(actor, Action.CHANGE, Reminder, project.org_unit, "project")
    today = today or timezone.localdate()
    gap, waiver = _current_gap(project, key, today)
    if waiver is not None:
        raise ValidationError({"key": "This gap is waived: there is nothing to remind anyone of."})
    owner = gap.owner
    if owner is None or not owner.is_active:
        raise ValidationError(
            {"key": "This gap has no owner to remind: give the item or the project an owner."}
        )
    reminder = Reminder(
        project=project,
        key=gap.key,
        title=gap.title[:300],
        recipient=owner,
        sent_by=actor,
        sent_at=timezone.now(),
    )
    audited_create(actor=actor, instance=reminder)
    days = "today" if gap.age_days == 0 else f"for {gap.age_days} day{'s' if gap.age_days != 1 else ''}"
    notify(
        recipients=[owner],
        kind=Kind.REMINDER,
        title=f"{project.code}: {gap.title}",
        body=f"{gap.detail or gap.title} — open {days}. Reminder from {actor.get_full_name() or actor.username}.",
        url=gap.url,
        project=project,
    )
    return reminder
