"""Writes to the RAID log: the PMO's RAID settings, risks and their actions, issues, assumptions,
decisions, escalations and their resolution, and the escalation emails.

Every write checks scope first (a viewer gets PermissionDenied before any validation), validates each
field with an error naming it (a probability outside the unit's scale, a residual score above the
score, an action without due date, a decision without rationale, ...), runs in one transaction, saves
versioned rows against the version the caller edited and records an audit entry. Escalation emails
are sent by a background job queued once the transaction commits, once per escalation.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone

from keel.core.audit import audit_record
from keel.core.errors import ConflictError, PermissionDenied
from keel.core.models import AuditEntry
from keel.core.services import audited_create, audited_delete, audited_update, versioned_update
from keel.governance import selectors
from keel.governance.models import (
    Assumption,
    Decision,
    Escalatable,
    Issue,
    RaidConfig,
    Risk,
    RiskAction,
)
from keel.notifications.models import Kind
from keel.notifications.services import notify
from keel.orgs import scoping
from keel.orgs import selectors as org_selectors
from keel.orgs.models import Membership, OrgUnit, Role
from keel.orgs.scoping import Action
from keel.portfolio.models import Project

log = logging.getLogger(__name__)

CONFIG_FIELDS = (
    "scale_size",
    "probability_labels",
    "impact_labels",
    "escalation_threshold",
    "escalation_severity",
    "categories",
)
COMMON_FIELDS = ("title", "description", "owner")
RISK_FIELDS = (
    *COMMON_FIELDS,
    "cause",
    "event",
    "effect",
    "category",
    "probability",
    "impact",
    "proximity",
    "response_strategy",
    "trigger",
    "status",
    "residual_probability",
    "residual_impact",
)
ACTION_FIELDS = ("description", "owner", "due_date", "status", "completed_on")
ISSUE_FIELDS = (*COMMON_FIELDS, "severity", "due_date", "status", "resolution_note", "resolved_on")
ASSUMPTION_FIELDS = (*COMMON_FIELDS, "validation_date", "status", "validation_note")
DECISION_FIELDS = (*COMMON_FIELDS, "decided_by", "decided_on", "rationale", "options_considered")
DECISION_LINKS = {"linked_risks": Risk, "linked_issues": Issue, "linked_assumptions": Assumption}
REQUIRED = {
    Risk: ("title", "probability", "impact"),
    Issue: ("title", "severity"),
    Assumption: ("title",),
    Decision: ("title", "decided_by", "decided_on", "rationale"),
    RiskAction: ("description", "due_date"),
}


def _unknown(fields: dict[str, Any], allowed: tuple[str, ...], what: str) -> None:
    unknown = set(fields) - set(allowed)
    if unknown:
        raise TypeError(f"Unknown {what} fields: {', '.join(sorted(unknown))}")


def _required(model: type[Any], values: dict[str, Any], *, creating: bool) -> None:
    """Refuse required fields given empty (or missing, on creation), naming each."""
    errors = {}
    for name in REQUIRED[model]:
        if (creating and name not in values) or (name in values and values[name] in (None, "")):
            errors[name] = "This field is required."
    if model is RiskAction and "due_date" in errors:
        errors["due_date"] = "Give the action's due date."
    if model is Decision and "rationale" in errors:
        errors["rationale"] = "Record why this was decided."
    if errors:
        raise ValidationError(errors)


def _level(value: Any, field: str, size: int, what: str) -> None:
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= size:
        raise ValidationError(
            {field: f"{what} {value!r} is outside the scale 1–{size} of this project's unit."}
        )


def _check_owner(project: Project, owner: Any, field: str = "owner") -> None:
    """The owner must hold a role covering the project's unit."""
    if owner is None:
        return
    if not org_selectors.people_for_unit(project.org_unit).filter(pk=owner.pk).exists():
        raise ValidationError({field: f"{owner} holds no role covering {project.org_unit.code}."})


def _next_number(model: type[Any], project: Project) -> int:
    """The next per-project number of `model`, with the project row locked against a concurrent create."""
    Project.objects.select_for_update().filter(pk=project.pk).exists()
    current = model.objects.filter(project=project).aggregate(top=Max("number"))["top"]
    return (current or 0) + 1


def _enqueue_notification(item: Any) -> None:
    """Once the transaction commits, let the background job email the people concerned (if escalated)."""
    kind = "risk" if isinstance(item, Risk) else "issue"
    pk = item.pk

    def enqueue() -> None:
        from keel.governance.tasks import notify_escalation

        notify_escalation.enqueue(kind, pk)

    transaction.on_commit(enqueue)


# --- RAID settings of a unit ------------------------------------------------------------------------


def _check_scale_fits(unit: OrgUnit, size: int) -> None:
    """A smaller scale must still hold the levels of the risks and issues of the unit's subtree."""
    in_subtree = {"project__org_unit__path__startswith": unit.path}
    risks = Risk.objects.filter(**in_subtree)
    too_big = (
        risks.filter(probability__gt=size).exists()
        or risks.filter(impact__gt=size).exists()
        or risks.filter(residual_probability__gt=size).exists()
        or risks.filter(residual_impact__gt=size).exists()
        or Issue.objects.filter(severity__gt=size, **in_subtree).exists()
    )
    if too_big:
        raise ValidationError(
            {"scale_size": f"Risks or issues under {unit.code} use levels above {size}; lower them first."}
        )


@transaction.atomic
def raid_config_set(*, actor: Any, unit: OrgUnit, version: int | None = None, **fields: Any) -> RaidConfig:
    """Set the unit's RAID settings (creating them, or changing those edited at `version`)."""
    scoping.require(actor, Action.CHANGE, RaidConfig, unit, "unit")
    _unknown(fields, CONFIG_FIELDS, "RAID configuration")
    for name in ("scale_size", "escalation_threshold", "escalation_severity"):
        if name in fields and fields[name] is None:
            raise ValidationError({name: "This field is required."})
    existing = RaidConfig.objects.filter(org_unit=unit).first()
    if "scale_size" in fields and isinstance(fields["scale_size"], int):
        _check_scale_fits(unit, fields["scale_size"])
        size_changed = existing is None or existing.scale_size != fields["scale_size"]
        # New size and no new labels: the labels of the new size by default.
        for labels in ("probability_labels", "impact_labels"):
            if size_changed and labels not in fields:
                fields[labels] = []
    if existing is None:
        inherited = selectors.scale_for_unit(unit)
        values = {
            "scale_size": inherited.size,
            "probability_labels": list(inherited.probability_labels),
            "impact_labels": list(inherited.impact_labels),
            "escalation_threshold": inherited.escalation_threshold,
            "escalation_severity": inherited.escalation_severity,
            "categories": list(inherited.categories),
            **fields,
        }
        config = RaidConfig(org_unit=unit, **values)
        audited_create(actor=actor, instance=config)
        return config
    if version is None:
        raise ValidationError({"version": "Give the version of the settings you edited."})
    audited_update(actor=actor, instance=existing, version=version, changes=fields)
    return existing


@transaction.atomic
def raid_config_clear(*, actor: Any, unit: OrgUnit, version: int | None = None) -> None:
    """Drop the unit's own RAID settings: it inherits its parent's (or the defaults) again."""
    scoping.require(actor, Action.CHANGE, RaidConfig, unit, "unit")
    config = RaidConfig.objects.filter(org_unit=unit).first()
    if config is None:
        return
    parent = unit.parent
    size = selectors.scale_for_unit(parent).size if parent is not None else selectors.DEFAULT.size
    _check_scale_fits(unit, size)
    audited_delete(actor=actor, instance=config, version=version)


# --- shared item writes -----------------------------------------------------------------------------


def _validate_levels(item: Any, scale: selectors.RaidScale) -> None:
    """Probability, impact, residual levels and severity on the unit's scale; category among its own."""
    if isinstance(item, Risk):
        _level(item.probability, "probability", scale.size, "Probability")
        _level(item.impact, "impact", scale.size, "Impact")
        _level(item.residual_probability, "residual_probability", scale.size, "Residual probability")
        _level(item.residual_impact, "residual_impact", scale.size, "Residual impact")
        if item.category and item.category not in scale.categories:
            raise ValidationError(
                {
                    "category": f"{item.category!r} is not a risk category here; use one of: {', '.join(scale.categories)}."
                }
            )
    if isinstance(item, Issue):
        _level(item.severity, "severity", scale.size, "Severity")


def _create_item(
    actor: Any, project: Project, model: type[Any], fields: dict[str, Any], allowed: tuple[str, ...]
) -> Any:
    scoping.require(actor, Action.CHANGE, model, project.org_unit, "project")
    _unknown(fields, allowed, model._meta.verbose_name)
    _required(model, fields, creating=True)
    item = model(project=project, **fields)
    _check_owner(project, item.owner)
    _validate_levels(item, selectors.scale_for_project(project))
    item.number = _next_number(model, project)
    audited_create(actor=actor, instance=item)
    return item


def _update_item(
    actor: Any, item: Any, version: int, changes: dict[str, Any], allowed: tuple[str, ...]
) -> dict[str, list[Any]]:
    model = type(item)
    scoping.require(actor, Action.CHANGE, model, item.project.org_unit, model._meta.model_name)
    _unknown(changes, allowed, model._meta.verbose_name)
    _required(model, changes, creating=False)
    scale = selectors.scale_for_project(item.project)

    def check(changed: Any) -> None:
        if "owner" in changes:
            _check_owner(changed.project, changed.owner)
        _validate_levels(changed, scale)

    return _update_or_restore(actor, item, version, changes, check)


def _update_or_restore(actor: Any, item: Any, version: int, changes: dict[str, Any], check: Any) -> dict:
    """`audited_update`, leaving the caller's instance as stored when the change is refused."""
    try:
        return audited_update(actor=actor, instance=item, version=version, changes=changes, check=check)
    except (ValidationError, ConflictError):
        item.refresh_from_db()
        raise


def _delete_item(actor: Any, item: Any, version: int | None) -> None:
    model = type(item)
    scoping.require(actor, Action.CHANGE, model, item.project.org_unit, model._meta.model_name)
    audited_delete(actor=actor, instance=item, version=version)


def _reopened_escalation(item: Any, before: tuple[int, int], after: tuple[int, int]) -> dict[str, Any]:
    """A resolved escalation opens again when the score (or severity) rises: its fields to clear."""
    if isinstance(item, Escalatable) and item.resolved_at is not None and after > before:
        return {"resolved_at": None, "resolved_by": None, "notified_at": None}
    return {}


# --- risks ------------------------------------------------------------------------------------------


@transaction.atomic
def risk_create(*, actor: Any, project: Project, **fields: Any) -> Risk:
    """Register a risk of `project` (R-001, R-002, ...); its score is probability × impact."""
    risk = _create_item(actor, project, Risk, fields, RISK_FIELDS)
    _enqueue_notification(risk)
    return risk


@transaction.atomic
def risk_update(*, actor: Any, risk: Risk, version: int, **changes: Any) -> Risk:
    """Change a risk edited at `version`; a stale version raises ConflictError and writes nothing."""
    before = (risk.score, 0)
    _update_item(actor, risk, version, changes, RISK_FIELDS)
    reopen = _reopened_escalation(risk, before, (risk.score, 0))
    if reopen and risk.score >= selectors.scale_for_project(risk.project).escalation_threshold:
        audited_update(actor=actor, instance=risk, version=risk.version, changes=reopen)
    _enqueue_notification(risk)
    return risk


@transaction.atomic
def risk_delete(*, actor: Any, risk: Risk, version: int | None = None) -> None:
    """Delete a risk with its actions (refused when `version` is stale)."""
    scoping.require(actor, Action.CHANGE, Risk, risk.project.org_unit, "risk")
    for action in risk.actions.all():
        audited_delete(actor=actor, instance=action, version=None)
    _delete_item(actor, risk, version)


@transaction.atomic
def risk_action_create(*, actor: Any, risk: Risk, **fields: Any) -> RiskAction:
    """Add a response action to a risk; it needs a due date."""
    scoping.require(actor, Action.CHANGE, Risk, risk.project.org_unit, "risk")
    _unknown(fields, ACTION_FIELDS, "risk action")
    _required(RiskAction, fields, creating=True)
    action = RiskAction(risk=risk, **fields)
    _check_owner(risk.project, action.owner)
    audited_create(actor=actor, instance=action)
    _enqueue_notification(risk)
    return action


@transaction.atomic
def risk_action_update(*, actor: Any, action: RiskAction, version: int, **changes: Any) -> RiskAction:
    """Change a risk action edited at `version`."""
    scoping.require(actor, Action.CHANGE, Risk, action.risk.project.org_unit, "action")
    _unknown(changes, ACTION_FIELDS, "risk action")
    _required(RiskAction, changes, creating=False)

    def check(changed: RiskAction) -> None:
        if "owner" in changes:
            _check_owner(changed.risk.project, changed.owner)

    _update_or_restore(actor, action, version, changes, check)
    _enqueue_notification(action.risk)
    return action


@transaction.atomic
def risk_action_delete(*, actor: Any, action: RiskAction, version: int | None = None) -> None:
    """Delete a risk action (refused when `version` is stale)."""
    scoping.require(actor, Action.CHANGE, Risk, action.risk.project.org_unit, "action")
    audited_delete(actor=actor, instance=action, version=version)


# --- issues, assumptions ------------------------------------------------------------------------------


@transaction.atomic
def issue_create(*, actor: Any, project: Project, **fields: Any) -> Issue:
    """Log an issue of `project` (I-001, ...), its severity on the unit's impact scale."""
    if fields.get("status") in (Issue.Status.RESOLVED, Issue.Status.CLOSED) and not fields.get("resolved_on"):
        fields["resolved_on"] = timezone.localdate()
    issue = _create_item(actor, project, Issue, fields, ISSUE_FIELDS)
    _enqueue_notification(issue)
    return issue


@transaction.atomic
def issue_update(*, actor: Any, issue: Issue, version: int, **changes: Any) -> Issue:
    """Change an issue edited at `version`; resolving it needs a resolution."""
    closing = changes.get("status") in (Issue.Status.RESOLVED, Issue.Status.CLOSED)
    if closing and not issue.resolved_on and not changes.get("resolved_on"):
        changes["resolved_on"] = timezone.localdate()
    before = (issue.severity, 0)
    _update_item(actor, issue, version, changes, ISSUE_FIELDS)
    reopen = _reopened_escalation(issue, before, (issue.severity, 0))
    if reopen and issue.severity >= selectors.scale_for_project(issue.project).escalation_severity:
        audited_update(actor=actor, instance=issue, version=issue.version, changes=reopen)
    _enqueue_notification(issue)
    return issue


@transaction.atomic
def issue_delete(*, actor: Any, issue: Issue, version: int | None = None) -> None:
    """Delete an issue (refused when `version` is stale)."""
    _delete_item(actor, issue, version)


@transaction.atomic
def assumption_create(*, actor: Any, project: Project, **fields: Any) -> Assumption:
    """Record an assumption of `project` (A-001, ...) with its owner and validation date."""
    return _create_item(actor, project, Assumption, fields, ASSUMPTION_FIELDS)


@transaction.atomic
def assumption_update(*, actor: Any, assumption: Assumption, version: int, **changes: Any) -> Assumption:
    """Change an assumption edited at `version`."""
    _update_item(actor, assumption, version, changes, ASSUMPTION_FIELDS)
    return assumption


@transaction.atomic
def assumption_delete(*, actor: Any, assumption: Assumption, version: int | None = None) -> None:
    """Delete an assumption (refused when `version` is stale)."""
    _delete_item(actor, assumption, version)


# --- decisions ---------------------------------------------------------------------------------------


def _links(project: Project, links: dict[str, Any]) -> dict[str, list[Any]]:
    """The items a decision links to, by id or record, all of the decision's project; errors name the field."""
    resolved: dict[str, list[Any]] = {}
    errors: dict[str, str] = {}
    for field, values in links.items():
        model = DECISION_LINKS[field]
        ids = [v.pk if hasattr(v, "pk") else v for v in (values or [])]
        if any(isinstance(i, bool) or not isinstance(i, int) for i in ids):
            errors[field] = "Give the ids of the items to link."
            continue
        found = {item.pk: item for item in model.objects.filter(project=project, pk__in=ids)}
        missing = [str(i) for i in ids if i not in found]
        if missing:
            label = model._meta.verbose_name
            errors[field] = f"No {label} of {project.code} has id {', '.join(missing)}."
            continue
        resolved[field] = [found[i] for i in dict.fromkeys(ids)]
    if errors:
        raise ValidationError(errors)
    return resolved


def _set_links(actor: Any, decision: Decision, resolved: dict[str, list[Any]], *, bump: bool) -> None:
    """Replace the decision's links, auditing what changed (and moving its version on, for an update)."""
    changes: dict[str, list[Any]] = {}
    for field, items in resolved.items():
        related = getattr(decision, field)
        before = sorted(related.values_list("pk", flat=True))
        after = sorted(item.pk for item in items)
        if before != after:
            related.set(items)
            changes[field] = [before, after]
    if not changes:
        return
    if bump:
        versioned_update(decision, expected_version=decision.version, fields=[])
    audit_record(
        actor=actor,
        instance=decision,
        action=AuditEntry.Action.UPDATE,
        unit_path=decision.project.org_unit.path,
        project_id=decision.project_id,
        changes=changes,
    )


def _split_links(fields: dict[str, Any]) -> dict[str, Any]:
    return {name: fields.pop(name) for name in list(fields) if name in DECISION_LINKS}


@transaction.atomic
def decision_create(*, actor: Any, project: Project, **fields: Any) -> Decision:
    """Log a decision of `project` (D-001, ...): what, who decided, when, why, options, linked items."""
    links = _split_links(fields)
    scoping.require(actor, Action.CHANGE, Decision, project.org_unit, "project")
    resolved = _links(project, links)
    decision = _create_item(actor, project, Decision, fields, DECISION_FIELDS)
    _set_links(actor, decision, resolved, bump=False)
    return decision


@transaction.atomic
def decision_update(*, actor: Any, decision: Decision, version: int, **changes: Any) -> Decision:
    """Change a decision edited at `version` (the linked items sent replace the linked ones)."""
    links = _split_links(changes)
    scoping.require(actor, Action.CHANGE, Decision, decision.project.org_unit, "decision")
    resolved = _links(decision.project, links)
    _update_item(actor, decision, version, changes, DECISION_FIELDS)
    _set_links(actor, decision, resolved, bump=True)
    return decision


@transaction.atomic
def decision_delete(*, actor: Any, decision: Decision, version: int | None = None) -> None:
    """Delete a decision (refused when `version` is stale)."""
    _delete_item(actor, decision, version)


# --- escalations -------------------------------------------------------------------------------------


@transaction.atomic
def raid_escalate(*, actor: Any, item: Risk | Issue, version: int, reason: str) -> Risk | Issue:
    """Flag a risk or issue for the PMO (the project manager), with the reason; the people are emailed."""
    scoping.require(actor, Action.CHANGE, type(item), item.project.org_unit, type(item)._meta.model_name)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Say why the PMO must look at this."})
    if not item.is_open:
        raise ValidationError(
            {"reason": f"{item.reference} is {item.get_status_display().lower()}: nothing to escalate."}
        )
    if item.escalated and item.resolved_at is None:
        raise ValidationError({"reason": f"{item.reference} is escalated already."})
    changes = {
        "escalated": True,
        "escalation_reason": reason,
        "escalated_at": timezone.now(),
        "escalated_by": actor,
        "resolution": "",
        "resolved_at": None,
        "resolved_by": None,
        "notified_at": None,
    }
    audited_update(actor=actor, instance=item, version=version, changes=changes)
    _enqueue_notification(item)
    return item


@transaction.atomic
def escalation_resolve(*, actor: Any, item: Risk | Issue, version: int, resolution: str) -> Risk | Issue:
    """Resolve an item's escalation (a PMO administrator over its unit), recording the resolution."""
    if not selectors.can_resolve(actor, item.project):
        raise PermissionDenied(
            "resolution: only a PMO administrator over the project's unit resolves escalations."
        )
    resolution = (resolution or "").strip()
    if not resolution:
        raise ValidationError({"resolution": "Record how the escalation was resolved."})
    if selectors.escalation_of(item) is None:
        raise ValidationError({"resolution": f"{item.reference} is not on the escalation list."})
    changes = {
        "escalated": False,
        "resolution": resolution,
        "resolved_at": timezone.now(),
        "resolved_by": actor,
    }
    audited_update(actor=actor, instance=item, version=version, changes=changes)
    return item


def _message(escalation: selectors.Escalation) -> tuple[str, str]:
    item, project = escalation.item, escalation.project
    subject = f"[Keel] Escalation: {project.code} {item.reference} {item.title}"[:200]
    link = reverse("governance:escalations")
    base = getattr(settings, "KEEL_BASE_URL", "")
    lines = [
        f"{item.reference} {item.title} ({escalation.kind} of {project.code} — {project.name})",
        "is on the PMO's escalation list:",
        *[f"  - {detail}" for detail in escalation.details],
        "",
        f"Owner: {item.owner or 'nobody'}",
        f"Open the escalation list: {base}{link}",
    ]
    return subject, "\n".join(lines)


def _escalation_people(project: Project) -> list[Any]:
    """The project's manager and the PMO administrators of its unit and the units above it (active)."""
    people = [project.manager] if project.manager and project.manager.is_active else []
    admins = Membership.objects.filter(
        role=Role.PMO_ADMIN, unit_id__in=project.org_unit.ancestor_ids, user__is_active=True
    ).select_related("user")
    return people + [membership.user for membership in admins]


def escalation_notify(*, kind: str, item_id: int, today: dt.date | None = None) -> list[str]:
    """Email the project's manager and PMO administrators about the item's escalation, once, and tell
    them in the app (kind ESCALATION).

    Nothing is sent when the item is not on the escalation list or its people were emailed about this
    escalation already (a new escalation — flagged again, or reopened — is emailed again). Returns the
    recipients.
    """
    model = Risk if kind == "risk" else Issue
    with transaction.atomic():
        item = model.objects.select_for_update().filter(pk=item_id, notified_at__isnull=True).first()
        if item is None:
            return []
        escalation = selectors.escalation_of(item, today)
        if escalation is None:
            return []
        recipients = selectors.escalation_recipients(escalation.project)
        model.objects.filter(pk=item.pk).update(notified_at=timezone.now())
        subject, body = _message(escalation)
        # In the app too, for everyone concerned (also those without an email address).
        notify(
            recipients=_escalation_people(escalation.project),
            kind=Kind.ESCALATION,
            title=subject.removeprefix("[Keel] "),
            body=body,
            url=reverse("governance:escalations"),
            project=escalation.project,
            emailed=True,
        )
        if recipients:
            send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, recipients)
            log.info("escalation of %s emailed to %d people", item.reference, len(recipients))
    return recipients


def escalations_notify(*, today: dt.date | None = None) -> int:
    """Email every escalation not emailed yet (e.g. actions that became overdue); returns how many."""
    sent = 0
    for escalation in selectors.unnotified_escalations(today):
        if escalation_notify(kind=escalation.kind, item_id=escalation.item.pk, today=today):
            sent += 1
    return sent
