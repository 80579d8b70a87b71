"""Writes to the benefits register: benefits, contributing projects, measurements, thresholds, reminders.

Every write checks scope first (so a viewer gets PermissionDenied before any validation), validates
every field with an error naming it, runs in one transaction, saves versioned rows against the version
the caller edited, and records an audit entry.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from keel.benefits import selectors
from keel.benefits.models import AtRiskThreshold, Benefit, Contribution, Measurement, Reminder, parse_value
from keel.core.errors import PermissionDenied
from keel.core.services import audited_create, audited_delete, audited_update
from keel.notifications.models import Kind
from keel.notifications.services import notify
from keel.orgs import scoping
from keel.orgs import selectors as org_selectors
from keel.orgs.models import OrgUnit
from keel.orgs.scoping import Action
from keel.portfolio.models import Project

log = logging.getLogger(__name__)

BENEFIT_FIELDS = (
    "code",
    "name",
    "description",
    "financial",
    "currency",
    "owner",
    "measure",
    "measure_unit",
    "baseline_value",
    "baseline_date",
    "target_value",
    "target_date",
    "milestones",
    "frequency",
    "status",
    "org_unit",
    "lead_project",
)
VALUE_FIELDS = ("baseline_value", "target_value")
DATE_FIELDS = ("baseline_date", "target_date")


def _date(raw: Any, field: str) -> dt.date:
    """A date from a date or an ISO string; ValidationError naming `field` otherwise."""
    if isinstance(raw, dt.datetime):
        return raw.date()
    if isinstance(raw, dt.date):
        return raw
    try:
        return dt.date.fromisoformat(str(raw))
    except ValueError as exc:
        raise ValidationError({field: f"{str(raw)[:40]!r} is not a date (use YYYY-MM-DD)."}) from exc


def _normalise(values: dict[str, Any]) -> dict[str, Any]:
    """Numbers and dates of a benefit's fields parsed, each error naming its field (all at once)."""
    errors: dict[str, list[str]] = {}
    result = dict(values)
    for name in VALUE_FIELDS:
        if name in values:
            if values[name] is None:
                errors[name] = ["This field is required."]
                continue
            try:
                result[name] = parse_value(values[name], name)
            except ValidationError as exc:
                errors[name] = exc.messages
    for name in DATE_FIELDS:
        if name in values:
            if values[name] is None:
                errors[name] = ["This field is required."]
                continue
            try:
                result[name] = _date(values[name], name)
            except ValidationError as exc:
                errors[name] = exc.messages
    if errors:
        raise ValidationError(errors)
    return result


def _check_refs(actor: Any, benefit: Benefit) -> None:
    """The lead project must be one the actor sees; the owner must hold a role covering the unit."""
    errors = {}
    project = benefit.lead_project
    if project is not None and not scoping.visible(actor, Project.objects.filter(pk=project.pk)).exists():
        errors["lead_project"] = "Unknown project."
    owner = benefit.owner_id and benefit.owner
    if owner and not org_selectors.people_for_unit(benefit.org_unit).filter(pk=owner.pk).exists():
        errors["owner"] = f"{owner} holds no role covering {benefit.org_unit.code}."
    if errors:
        raise ValidationError(errors)


def _add_contribution(actor: Any, benefit: Benefit, project: Project, **fields: Any) -> Contribution:
    if benefit.contributions.filter(project=project).exists():
        raise ValidationError({"project": f"{project.code} already contributes to {benefit.code}."})
    contribution = Contribution(benefit=benefit, project=project, **fields)
    audited_create(actor=actor, instance=contribution)
    return contribution


@transaction.atomic
def benefit_create(
    *,
    actor: Any,
    code: str,
    name: str,
    org_unit: OrgUnit | None = None,
    lead_project: Project | None = None,
    **fields: Any,
) -> Benefit:
    """Register a benefit in `org_unit` (default: the lead project's unit); the lead project contributes.

    A financial benefit without a currency takes its unit's reporting currency.
    """
    unknown = set(fields) - set(BENEFIT_FIELDS)
    if unknown:
        raise TypeError(f"Unknown benefit fields: {', '.join(sorted(unknown))}")
    unit = org_unit or (lead_project.org_unit if lead_project is not None else None)
    if unit is None:
        if not scoping.can_anywhere(actor, Action.CHANGE, Benefit):
            raise PermissionDenied("org_unit: you may not change benefits in any org unit.")
        raise ValidationError({"org_unit": "Give the org unit, or a lead project whose unit is used."})
    scoping.require(actor, Action.CHANGE, Benefit, unit, "org_unit")
    values = _normalise(fields)
    if values.get("financial") and not values.get("currency"):
        values["currency"] = unit.currency
    values.setdefault("milestones", [])
    benefit = Benefit(code=code, name=name, org_unit=unit, lead_project=lead_project, **values)
    _check_refs(actor, benefit)
    audited_create(actor=actor, instance=benefit)
    if lead_project is not None:
        _add_contribution(actor, benefit, lead_project)
    return benefit


@transaction.atomic
def benefit_update(*, actor: Any, benefit: Benefit, version: int, **changes: Any) -> Benefit:
    """Change a benefit edited at `version`; a stale version raises ConflictError and writes nothing."""
    scoping.require(actor, Action.CHANGE, Benefit, benefit.org_unit, "benefit")
    unknown = set(changes) - set(BENEFIT_FIELDS)
    if unknown:
        raise TypeError(f"Unknown benefit fields: {', '.join(sorted(unknown))}")
    if "org_unit" in changes and changes["org_unit"] != benefit.org_unit:
        if changes["org_unit"] is None:
            raise ValidationError({"org_unit": "A benefit belongs to an org unit."})
        scoping.require(actor, Action.CHANGE, Benefit, changes["org_unit"], "org_unit")
    for required in ("owner", "code", "name", "measure", "frequency", "status"):
        if required in changes and changes[required] in (None, ""):
            raise ValidationError({required: "This field is required."})
    changes = _normalise(changes)
    lead = changes.get("lead_project")

    def check(changed: Benefit) -> None:
        _check_refs(actor, changed)

    audited_update(actor=actor, instance=benefit, version=version, changes=changes, check=check)
    if lead is not None and not benefit.contributions.filter(project=lead).exists():
        _add_contribution(actor, benefit, lead)
    return benefit


@transaction.atomic
def benefit_delete(*, actor: Any, benefit: Benefit, version: int | None = None) -> None:
    """Delete a benefit with its contributions and measurements (refused when `version` is stale)."""
    scoping.require(actor, Action.CHANGE, Benefit, benefit.org_unit, "benefit")
    for contribution in benefit.contributions.select_related("project"):
        audited_delete(actor=actor, instance=contribution, version=None)
    for measurement in benefit.measurements.all():
        audited_delete(actor=actor, instance=measurement, version=None)
    audited_delete(actor=actor, instance=benefit, version=version)


@transaction.atomic
def contribution_add(
    *, actor: Any, benefit: Benefit, project: Project, share_percent: Any = None, note: str = ""
) -> Contribution:
    """Record that `project` (one the actor sees) contributes to `benefit`."""
    scoping.require(actor, Action.CHANGE, Benefit, benefit.org_unit, "benefit")
    if not scoping.visible(actor, Project.objects.filter(pk=project.pk)).exists():
        raise ValidationError({"project": "Unknown project."})
    return _add_contribution(actor, benefit, project, share_percent=share_percent, note=note or "")


@transaction.atomic
def contribution_remove(*, actor: Any, contribution: Contribution) -> None:
    """Remove a contributing project (the lead project stays until another lead is chosen)."""
    benefit = contribution.benefit
    scoping.require(actor, Action.CHANGE, Benefit, benefit.org_unit, "benefit")
    if benefit.lead_project_id == contribution.project_id:
        raise ValidationError(
            {"project": f"{contribution.project.code} is the lead project; choose another lead first."}
        )
    audited_delete(actor=actor, instance=contribution, version=None)


@transaction.atomic
def measurement_record(
    *,
    actor: Any,
    benefit: Benefit,
    measured_on: Any,
    value: Any,
    note: str = "",
    today: dt.date | None = None,
) -> Measurement:
    """Record the realized value of `benefit` on a day (its owner or whoever may change it).

    Allowed whatever the state of its projects (benefits arrive after delivery); refused on a cancelled
    benefit, for a day in the future or before the baseline date, and twice for the same day.
    """
    if not selectors.can_record(actor, benefit):
        raise PermissionDenied("benefit: only its owner or a manager of its unit records measurements.")
    today = today or timezone.localdate()
    errors: dict[str, list[str]] = {}
    day = None
    try:
        day = _date(measured_on, "measured_on") if measured_on not in (None, "") else None
        if day is None:
            errors["measured_on"] = ["Give the day the value was measured."]
    except ValidationError as exc:
        errors["measured_on"] = exc.messages
    number = None
    try:
        if value in (None, ""):
            errors["value"] = ["Give the measured value."]
        else:
            number = parse_value(value, "value")
    except ValidationError as exc:
        errors["value"] = exc.messages
    if day is not None:
        if day > today:
            errors["measured_on"] = [
                f"{day} is in the future; record what was measured up to today ({today})."
            ]
        elif day < benefit.baseline_date:
            errors["measured_on"] = [f"{day} is before the baseline date ({benefit.baseline_date})."]
        elif benefit.measurements.filter(measured_on=day).exists():
            errors["measured_on"] = [f"There is already a measurement on {day}; delete it first."]
    if benefit.status == Benefit.Status.CANCELLED:
        errors["benefit"] = ["The benefit is cancelled; it takes no more measurements."]
    if errors:
        raise ValidationError(errors)
    measurement = Measurement(
        benefit=benefit, measured_on=day, value=number, note=note or "", recorded_by=actor
    )
    audited_create(actor=actor, instance=measurement)
    return measurement


@transaction.atomic
def measurement_delete(*, actor: Any, measurement: Measurement) -> None:
    """Delete a measurement recorded by mistake (its benefit's owner or whoever may change it)."""
    if not selectors.can_record(actor, measurement.benefit):
        raise PermissionDenied("benefit: only its owner or a manager of its unit deletes measurements.")
    audited_delete(actor=actor, instance=measurement, version=None)


@transaction.atomic
def threshold_set(*, actor: Any, org_unit: OrgUnit, at_risk_percent: Any) -> AtRiskThreshold:
    """Set the at-risk threshold (percent behind plan) of a unit's subtree (PMO administrators)."""
    scoping.require(actor, Action.CHANGE, AtRiskThreshold, org_unit, "org_unit")
    percent = parse_value(at_risk_percent, "at_risk_percent")
    if not 0 <= percent <= 100:
        raise ValidationError({"at_risk_percent": f"{percent} is not between 0 and 100."})
    current = AtRiskThreshold.objects.filter(org_unit=org_unit).first()
    if current is None:
        current = AtRiskThreshold(org_unit=org_unit, percent=percent)
        audited_create(actor=actor, instance=current)
    else:
        audited_update(actor=actor, instance=current, version=current.version, changes={"percent": percent})
    return current


# --- reminders -----------------------------------------------------------------------------------


def _reminder_text(state: selectors.BenefitState) -> tuple[str, str]:
    """Subject and body of the reminder of an overdue benefit."""
    benefit = state.benefit
    base = getattr(settings, "KEEL_BASE_URL", "").rstrip("/")
    url = base + reverse("benefits:detail", kwargs={"benefit_id": benefit.pk})
    last = (
        f"The last measurement was on {state.latest.measured_on}: {state.latest.value} {benefit.measure_unit}."
        if state.latest
        else "No measurement has been recorded yet."
    )
    subject = f"Keel: please record the realized value of {benefit.code} — {benefit.name}"
    body = (
        f"Hello {benefit.owner.get_full_name() or benefit.owner.get_username()},\n\n"
        f"You own the benefit {benefit.code} — {benefit.name} ({benefit.measure}).\n"
        f"A measurement was due on {state.next_due} ({benefit.get_frequency_display().lower()}). {last}\n"
        f"The plan expects {selectors.planned_value(benefit, state.today)} {benefit.measure_unit} by now.\n\n"
        f"Record the realized value here: {url}\n"
    )
    return subject, body


def reminders_send(*, today: dt.date | None = None) -> list[Reminder]:
    """Email the owner of each overdue benefit once per overdue period; returns the reminders sent.

    What was sent is remembered (one Reminder per benefit and period), so running this daily, or twice
    a day, sends each reminder once. Each reminder is also an in-app notification (kind REMINDER).
    Owners without an email address are told in the app only (and logged); reminders the mail server
    does not take are logged, and tried again on the next run.
    """
    today = today or timezone.localdate()
    sent = []
    for state in selectors.overdue_everywhere(today):
        benefit = state.benefit
        period = state.overdue_since
        email = benefit.owner.email
        if period is None or Reminder.objects.filter(benefit=benefit, period_start=period).exists():
            continue
        subject, body = _reminder_text(state)
        in_app = {
            "recipients": [benefit.owner],
            "kind": Kind.REMINDER,
            "title": f"Record the realized value of {benefit.code} — {benefit.name}",
            "body": body,
            "url": reverse("benefits:detail", kwargs={"benefit_id": benefit.pk}),
            "key": f"benefit:{benefit.pk}:{period.isoformat()}",
        }
        if not email:
            log.warning("Benefit %s is overdue but its owner has no email address.", benefit.code)
            with transaction.atomic():
                notify(**in_app)  # told in the app, once per overdue period
            continue
        try:
            with transaction.atomic():
                reminder = Reminder.objects.create(
                    benefit=benefit, period_start=period, recipient=email, sent_at=timezone.now()
                )
                notify(**in_app, emailed=True)
                # Sent inside the transaction: a failed send leaves no record, so the next run retries.
                send_mail(subject, body, None, [email])
        except OSError:
            # The mail server refused or is unreachable: the other owners are still reminded.
            log.exception("The reminder of benefit %s to %s could not be sent.", benefit.code, email)
            continue
        sent.append(reminder)
    return sent
