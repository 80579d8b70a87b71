"""Writes of change control: the PMO's authority levels, change requests and their proposed edits,
submission, withdrawal and the decision.

Every write checks scope first, validates with errors naming the field, runs in one transaction,
saves versioned rows against the version the caller edited and records an audit entry. Approving a
change applies its budget edits through `keel.finance.services.budget_line_set` (the budget log names
the change), its schedule edits through `keel.schedule.services` and re-saves the baseline — in the
approval's transaction, so a refusal of any step leaves nothing written.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from keel.changes import selectors, whatif
from keel.changes.models import BudgetEdit, ChangeAuthority, ChangeRequest, TaskEdit
from keel.core.errors import ConflictError, PermissionDenied, validation_errors
from keel.core.services import audited_create, audited_delete, audited_update
from keel.finance import selectors as finance_selectors
from keel.finance import services as finance_services
from keel.finance.models import PeriodKind
from keel.notifications.models import Kind
from keel.notifications.services import notify
from keel.orgs import scoping
from keel.orgs import selectors as org_selectors
from keel.orgs.models import OrgUnit
from keel.orgs.scoping import Action
from keel.portfolio.models import Project
from keel.schedule import services as schedule_services
from keel.schedule.models import Task

CHANGE_FIELDS = (
    "title",
    "description",
    "reason",
    "category",
    "requested_by",
    "scope_impact",
    "schedule_days",
    "new_finish",
    "risk_impact",
    "risk",
)
TASK_EDIT_FIELDS = ("kind", "task", "name", "predecessor", "duration_days")
BUDGET_EDIT_FIELDS = ("category", "period_start", "amount")
Status = ChangeRequest.Status


def _unknown(fields: dict[str, Any], allowed: tuple[str, ...], what: str) -> None:
    unknown = set(fields) - set(allowed)
    if unknown:
        raise TypeError(f"Unknown {what} fields: {', '.join(sorted(unknown))}")


def _require(actor: Any, project: Project, field: str) -> None:
    scoping.require(actor, Action.CHANGE, ChangeRequest, project.org_unit, field)


def _locked(change: ChangeRequest, version: int) -> ChangeRequest:
    """The change's row locked for this transaction; a stale `version` raises ConflictError."""
    current = (
        ChangeRequest.objects.select_for_update()
        .filter(pk=change.pk)
        .values_list("version", flat=True)
        .first()
    )
    if current is None or current != version:
        raise ConflictError(current_version=current or 0, given_version=version)
    return change


def _require_status(
    change: ChangeRequest, allowed: tuple[str, ...], doing: str, field: str = "status"
) -> None:
    if change.status not in allowed:
        raise ValidationError(
            {field: f"{change.reference} is {change.get_status_display().lower()}: {doing}."}
        )


def _check_requester(project: Project, person: Any) -> None:
    if person is None:
        raise ValidationError({"requested_by": "Say who requests the change."})
    if not org_selectors.people_for_unit(project.org_unit).filter(pk=person.pk).exists():
        raise ValidationError({"requested_by": f"{person} holds no role covering {project.org_unit.code}."})


def _refresh_on_error(change: ChangeRequest, func: Any) -> Any:
    try:
        return func()
    except (ValidationError, ConflictError):
        change.refresh_from_db()
        raise


# --- authority levels of a unit ---------------------------------------------------------------------


@transaction.atomic
def change_authority_set(
    *, actor: Any, unit: OrgUnit, levels: Any, version: int | None = None
) -> ChangeAuthority:
    """Set the unit's authority levels (creating them, or changing those edited at `version`)."""
    scoping.require(actor, Action.CHANGE, ChangeAuthority, unit, "unit")
    existing = ChangeAuthority.objects.filter(org_unit=unit).first()
    if existing is None:
        config = ChangeAuthority(org_unit=unit, levels=levels)
        audited_create(actor=actor, instance=config)
        return config
    if version is None:
        raise ValidationError({"version": "Give the version of the levels you edited."})
    try:
        audited_update(actor=actor, instance=existing, version=version, changes={"levels": levels})
    except (ValidationError, ConflictError):
        existing.refresh_from_db()
        raise
    return existing


@transaction.atomic
def change_authority_clear(*, actor: Any, unit: OrgUnit, version: int | None = None) -> None:
    """Drop the unit's own levels: it inherits its parent's (or the defaults) again."""
    scoping.require(actor, Action.CHANGE, ChangeAuthority, unit, "unit")
    config = ChangeAuthority.objects.filter(org_unit=unit).first()
    if config is not None:
        audited_delete(actor=actor, instance=config, version=version)


# --- change requests ---------------------------------------------------------------------------------


def _next_number(project: Project) -> int:
    """The next per-project number, with the project row locked against a concurrent create."""
    Project.objects.select_for_update().filter(pk=project.pk).exists()
    current = ChangeRequest.objects.filter(project=project).aggregate(top=Max("number"))["top"]
    return (current or 0) + 1


@transaction.atomic
def change_create(*, actor: Any, project: Project, **fields: Any) -> ChangeRequest:
    """Raise a draft change request of `project` (CR-001, ...); the requester defaults to the actor."""
    _require(actor, project, "project")
    _unknown(fields, CHANGE_FIELDS, "change request")
    if not (fields.get("title") or "").strip():
        raise ValidationError({"title": "Give the change a title."})
    if fields.get("requested_by") is None:
        fields["requested_by"] = actor if getattr(actor, "is_authenticated", False) else None
    if fields["requested_by"] is not None:
        _check_requester(project, fields["requested_by"])
    if fields.get("category") is None:
        fields.pop("category", None)
    change = ChangeRequest(project=project, **fields)
    change.number = _next_number(project)
    audited_create(actor=actor, instance=change)
    return change


@transaction.atomic
def change_update(*, actor: Any, change: ChangeRequest, version: int, **changes: Any) -> ChangeRequest:
    """Change a draft change request edited at `version`; a submitted or decided one is refused."""
    _require(actor, change.project, "change")
    _unknown(changes, CHANGE_FIELDS, "change request")
    _require_status(change, (Status.DRAFT,), "only a draft can be edited; withdraw it and raise a new one")
    if "title" in changes and not (changes["title"] or "").strip():
        raise ValidationError({"title": "Give the change a title."})
    if "category" in changes and changes["category"] is None:
        raise ValidationError({"category": "Choose a category."})

    def check(changed: ChangeRequest) -> None:
        if "requested_by" in changes:
            _check_requester(changed.project, changed.requested_by)

    _refresh_on_error(
        change,
        lambda: audited_update(actor=actor, instance=change, version=version, changes=changes, check=check),
    )
    return change


@transaction.atomic
def change_submit(*, actor: Any, change: ChangeRequest, version: int) -> ChangeRequest:
    """Submit a draft for decision: its impact is computed, its authority level found, the approvers told."""
    _require(actor, change.project, "change")
    _locked(change, version)
    _require_status(change, (Status.DRAFT,), "only a draft can be submitted")
    impact = whatif.impact_of(change)
    level = selectors.authority_for_unit(change.project.org_unit).level_for(impact.cost, impact.slip_days)
    changes = {
        "status": Status.SUBMITTED,
        "submitted_at": timezone.now(),
        "approver_role": level.approver_role,
        "impact": {**impact.as_json(), "level": level.describe()},
    }
    _refresh_on_error(
        change, lambda: audited_update(actor=actor, instance=change, version=version, changes=changes)
    )
    people = selectors.approvers_for(change.project, level.approver_role)
    if not level.self_approval and change.requested_by_id is not None:
        people = people.exclude(pk=change.requested_by_id)
    notify(
        recipients=list(people),
        kind=Kind.APPROVAL,
        title=f"Change {change.project.code} {change.reference} awaits your decision",
        body=f"{change.title}\nCost {impact.cost:,.2f} {change.project.currency}, slip {impact.slip_days} "
        f"working days. Level: {level.describe()}.",
        url=change.get_absolute_url(),
        project=change.project,
    )
    return change


@transaction.atomic
def change_withdraw(*, actor: Any, change: ChangeRequest, version: int, note: str = "") -> ChangeRequest:
    """Withdraw a draft or submitted change; it stays on record."""
    _require(actor, change.project, "change")
    _locked(change, version)
    _require_status(change, (Status.DRAFT, Status.SUBMITTED), "only an undecided change can be withdrawn")
    changes = {"status": Status.WITHDRAWN, "decided_at": timezone.now(), "decided_by": actor}
    if (note or "").strip():
        changes["decision_note"] = note.strip()
    _refresh_on_error(
        change, lambda: audited_update(actor=actor, instance=change, version=version, changes=changes)
    )
    return change


def _require_approver(actor: Any, change: ChangeRequest) -> None:
    """Only people who may change the project's records decide its changes (the level narrows it further)."""
    scoping.get_for_user(actor, ChangeRequest.objects.all(), Action.VIEW, pk=change.pk)
    if not scoping.can(actor, Action.CHANGE, ChangeRequest, change.project.org_unit):
        raise PermissionDenied(f"approver: you may view {change.reference} but not decide it.")


def _require_decider(actor: Any, change: ChangeRequest, level: selectors.Level) -> None:
    if not selectors.holds_role(actor, level.approver_role, change.project.org_unit):
        raise PermissionDenied(
            f"approver: {change.reference} is at authority level {level.number} ({level.describe()}); "
            f"a {level.role_label.lower()} over {change.project.org_unit.code} decides it."
        )
    if not level.self_approval and change.requested_by_id is not None and change.requested_by_id == actor.pk:
        raise ValidationError(
            {
                "approver": f"You requested {change.reference}: another {level.role_label.lower()} must decide it."
            }
        )


@transaction.atomic
def change_reject(*, actor: Any, change: ChangeRequest, version: int, note: str) -> ChangeRequest:
    """Reject a submitted change with the reason; it stays on record and the requester is told."""
    _require_approver(actor, change)
    _locked(change, version)
    _require_status(change, (Status.SUBMITTED,), "only a submitted change can be decided")
    level = selectors.authority_for_unit(change.project.org_unit).level_for(
        Decimal(change.impact.get("cost") or 0), Decimal(change.impact.get("slip_days") or 0)
    )
    _require_decider(actor, change, level)
    if not (note or "").strip():
        raise ValidationError({"note": "Say why the change is rejected."})
    changes = {
        "status": Status.REJECTED,
        "decided_at": timezone.now(),
        "decided_by": actor,
        "decision_note": note.strip(),
    }
    audited_update(actor=actor, instance=change, version=version, changes=changes)
    _tell_requester(change)
    return change


def _tell_requester(change: ChangeRequest) -> None:
    verdict = change.get_status_display().lower()
    notify(
        recipients=[change.requested_by],
        kind=Kind.CHANGE,
        title=f"Change {change.project.code} {change.reference} was {verdict}",
        body=f"{change.title}\n{change.decided_by} {verdict} it. {change.decision_note}".strip(),
        url=change.get_absolute_url(),
        project=change.project,
    )


def _step(edit: Any, error: ValidationError, field: str) -> ValidationError:
    """A refusal of an applied edit, naming the change's `field` and the edit."""
    messages = "; ".join(m for msgs in validation_errors(error).values() for m in msgs)
    return ValidationError({field: f"{edit}: {messages}"})


def _apply_budget(actor: Any, change: ChangeRequest) -> list[str]:
    project = change.project
    applied = []
    reason = f"Change {change.reference}: {change.title}"[:500]
    for edit in change.budget_edits.select_related("category"):
        line = (
            finance_selectors.budget_lines(project)
            .filter(category=edit.category, period_start=edit.period_start)
            .first()
        )
        approved = (line.approved_amount if line else Decimal("0")) + edit.amount
        current = (line.current_amount if line else Decimal("0")) + edit.amount
        if approved < 0 or current < 0:
            raise ValidationError(
                {
                    "budget_edits": f"{edit}: the budget of {edit.category.code} in {edit.period_start:%Y-%m} would fall below zero."
                }
            )
        try:
            finance_services.budget_line_set(
                actor=actor,
                project=project,
                category=edit.category,
                period_start=edit.period_start,
                reason=reason,
                approved_amount=approved,
                current_amount=current,
                change_request=str(change.pk),
                version=line.version if line else None,
            )
        except ValidationError as error:
            raise _step(edit, error, "budget_edits") from error
        applied.append(str(edit))
    return applied


def _apply_schedule(actor: Any, change: ChangeRequest) -> list[str]:
    project = change.project
    edits = list(change.task_edits.all())
    if not edits:
        return []
    per_day = whatif.minutes_per_day(change)
    applied = []
    for edit in edits:
        try:
            if edit.kind == TaskEdit.Kind.DURATION:
                task = Task.objects.get(pk=edit.task_id)
                minutes = whatif.duration_minutes(edit.duration_days, task, per_day)
                changes: dict[str, Any] = {"duration_minutes": minutes}
                if minutes > 0 and task.is_milestone:
                    changes["is_milestone"] = False
                schedule_services.task_update(actor=actor, task=task, version=task.version, **changes)
            else:
                minutes = whatif.duration_minutes(edit.duration_days, None, per_day)
                task = schedule_services.task_create(
                    actor=actor,
                    project=project,
                    name=edit.name,
                    duration_minutes=minutes,
                    notes=f"Added by change {change.reference}",
                )
                if edit.predecessor_id is not None:
                    schedule_services.dependency_create(
                        actor=actor,
                        project=project,
                        predecessor=Task.objects.get(pk=edit.predecessor_id),
                        successor=task,
                    )
        except ValidationError as error:
            raise _step(edit, error, "task_edits") from error
        applied.append(str(edit))
    schedule_services.baseline_save(actor=actor, project=project, number=0)
    applied.append(f"Baseline re-saved after {change.reference}")
    return applied


@transaction.atomic
def change_approve(*, actor: Any, change: ChangeRequest, version: int, note: str = "") -> ChangeRequest:
    """Approve a submitted change: apply its budget and schedule edits, re-save the baseline, tell the requester.

    The authority level is found again from the impact computed now (the schedule may have moved
    since submission). Everything happens in this transaction: a refused edit leaves nothing written.
    """
    _require_approver(actor, change)
    _locked(change, version)
    _require_status(change, (Status.SUBMITTED,), "only a submitted change can be decided")
    impact = whatif.impact_of(change)
    level = selectors.authority_for_unit(change.project.org_unit).level_for(impact.cost, impact.slip_days)
    _require_decider(actor, change, level)
    applied = [*_apply_budget(actor, change), *_apply_schedule(actor, change)]
    changes = {
        "status": Status.APPROVED,
        "decided_at": timezone.now(),
        "decided_by": actor,
        "decision_note": (note or "").strip(),
        "approver_role": level.approver_role,
        "impact": {**impact.as_json(), "level": level.describe(), "applied": applied},
    }
    audited_update(actor=actor, instance=change, version=version, changes=changes)
    _tell_requester(change)
    return change


# --- proposed edits ----------------------------------------------------------------------------------


def _require_draft_edit(actor: Any, change: ChangeRequest) -> None:
    _require(actor, change.project, "change")
    _require_status(change, (Status.DRAFT,), "edits can be proposed only on a draft", "change")


@transaction.atomic
def task_edit_add(*, actor: Any, change: ChangeRequest, **fields: Any) -> TaskEdit:
    """Propose a schedule edit: a task's new duration (`task`), or a new task (`name`, `predecessor`)."""
    _require_draft_edit(actor, change)
    _unknown(fields, TASK_EDIT_FIELDS, "schedule edit")
    if fields.get("duration_days") is None:
        raise ValidationError({"duration_days": "Give the duration in working days."})
    if fields.get("kind") is None:
        fields["kind"] = TaskEdit.Kind.DURATION if fields.get("task") is not None else TaskEdit.Kind.NEW_TASK
    edit = TaskEdit(change=change, **fields)
    twice = change.task_edits.filter(kind=TaskEdit.Kind.DURATION, task_id=edit.task_id)
    if edit.kind == TaskEdit.Kind.DURATION and edit.task_id is not None and twice.exists():
        raise ValidationError({"task": f"'{edit.task.name}' already has a duration edit; remove it first."})
    audited_create(actor=actor, instance=edit)
    whatif.impact_of(change)  # refuses an edit that makes the schedule impossible (a loop)
    return edit


@transaction.atomic
def task_edit_delete(*, actor: Any, edit: TaskEdit, version: int | None = None) -> None:
    """Remove a proposed schedule edit of a draft."""
    _require_draft_edit(actor, edit.change)
    audited_delete(actor=actor, instance=edit, version=version)


@transaction.atomic
def budget_edit_add(*, actor: Any, change: ChangeRequest, **fields: Any) -> BudgetEdit:
    """Propose a budget edit: an amount added (negative: taken) to a cost category in a period."""
    _require_draft_edit(actor, change)
    _unknown(fields, BUDGET_EDIT_FIELDS, "budget edit")
    errors = {
        name: message
        for name, message in (
            ("category", "Choose a cost category."),
            ("period_start", "Give the first day of the period."),
            ("amount", "Give the amount (negative to reduce the budget)."),
        )
        if fields.get(name) is None
    }
    if errors:
        raise ValidationError(errors)
    if not fields["category"].active:
        raise ValidationError({"category": f"{fields['category'].code} is no longer in use."})
    period = finance_selectors.finance_settings(change.project).period
    start = fields["period_start"]
    if period == PeriodKind.QUARTER and (start.day != 1 or start.month % 3 != 1):
        raise ValidationError(
            {"period_start": "This project is budgeted by quarter: start on Jan, Apr, Jul or Oct 1."}
        )
    edit = BudgetEdit(change=change, **fields)
    audited_create(actor=actor, instance=edit)
    return edit


@transaction.atomic
def budget_edit_delete(*, actor: Any, edit: BudgetEdit, version: int | None = None) -> None:
    """Remove a proposed budget edit of a draft."""
    _require_draft_edit(actor, edit.change)
    audited_delete(actor=actor, instance=edit, version=version)
