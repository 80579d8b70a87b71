"""Writes of status reports: the PMO's settings per unit, a project's cadence, drafting a report from
data, the project manager's RAG decisions and narrative, refreshing a draft, submitting (which tells the
portfolio managers) and the reminders for missing reports.

Every write checks scope first, validates each field with an error naming it, runs in one transaction,
saves versioned rows against the version the caller edited and records an audit entry. A submitted
report is immutable: any change to it is refused with an error saying so.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from keel.core.audit import audit_record
from keel.core.models import AuditEntry
from keel.core.services import audited_create, audited_delete, audited_update, versioned_update
from keel.notifications.models import Kind
from keel.notifications.services import notify
from keel.orgs import scoping
from keel.orgs.models import OrgUnit
from keel.orgs.scoping import Action
from keel.portfolio.models import Project
from keel.statusreports import selectors
from keel.statusreports.models import (
    DEFAULTS,
    DIMENSIONS,
    Cadence,
    ProjectReporting,
    Rag,
    ReportConfig,
    ReportReminder,
    StatusReport,
)

CONFIG_FIELDS = tuple(DEFAULTS)
NARRATIVE_FIELDS = ("accomplishments", "next_steps", "help_needed")
DECISION_FIELDS = tuple(f"{d}_{part}" for d in DIMENSIONS for part in ("rag", "reason"))
REPORT_FIELDS = (*DECISION_FIELDS, *NARRATIVE_FIELDS)
REQUIRED_ON_SUBMIT = {
    "accomplishments": "Say what the project accomplished in the period before submitting.",
    "next_steps": "Say what comes next before submitting.",
}


def _unknown(fields: dict[str, Any], allowed: tuple[str, ...], what: str) -> None:
    unknown = set(fields) - set(allowed)
    if unknown:
        raise TypeError(f"Unknown {what} fields: {', '.join(sorted(unknown))}")


# --- settings of a unit -------------------------------------------------------------------------------------


@transaction.atomic
def report_config_set(
    *, actor: Any, unit: OrgUnit, version: int | None = None, **fields: Any
) -> ReportConfig:
    """Set the unit's status-report settings (creating them from those inherited, or changing those
    edited at `version`)."""
    scoping.require(actor, Action.CHANGE, ReportConfig, unit, "unit")
    _unknown(fields, CONFIG_FIELDS, "status report settings")
    for name, value in fields.items():
        if value is None or value == "":
            raise ValidationError({name: "This field is required."})
    existing = ReportConfig.objects.filter(org_unit=unit).first()
    if existing is None:
        inherited = selectors.thresholds_for_unit(unit)
        values = {name: getattr(inherited, name) for name in CONFIG_FIELDS}
        config = ReportConfig(org_unit=unit, **{**values, **fields})
        audited_create(actor=actor, instance=config)
        return config
    if version is None:
        raise ValidationError({"version": "Give the version of the settings you edited."})
    audited_update(actor=actor, instance=existing, version=version, changes=fields)
    return existing


@transaction.atomic
def report_config_clear(*, actor: Any, unit: OrgUnit, version: int | None = None) -> None:
    """Drop the unit's own settings: it inherits its parent's (or the defaults) again."""
    scoping.require(actor, Action.CHANGE, ReportConfig, unit, "unit")
    config = ReportConfig.objects.filter(org_unit=unit).first()
    if config is not None:
        audited_delete(actor=actor, instance=config, version=version)


# --- a project's cadence ------------------------------------------------------------------------------------


@transaction.atomic
def project_cadence_set(
    *, actor: Any, project: Project, cadence: str | None, version: int | None = None
) -> None:
    """Give the project its own cadence, or (None or '') let it follow its unit's again."""
    scoping.require(actor, Action.CHANGE, ProjectReporting, project.org_unit, "project")
    own = ProjectReporting.objects.filter(project=project).first()
    if cadence in (None, ""):
        if own is not None:
            audited_delete(actor=actor, instance=own, version=version)
        return
    if cadence not in Cadence.values:
        raise ValidationError(
            {"cadence": f"{cadence!r} is not a cadence; use one of {', '.join(Cadence.values)}."}
        )
    if own is None:
        audited_create(actor=actor, instance=ProjectReporting(project=project, cadence=cadence))
        return
    if version is None:
        raise ValidationError({"version": "Give the version of the cadence you edited."})
    audited_update(actor=actor, instance=own, version=version, changes={"cadence": cadence})


# --- reports ------------------------------------------------------------------------------------------------


def _apply_draft(report: StatusReport, draft: selectors.Draft) -> None:
    for dim in DIMENSIONS:
        setattr(report, f"proposed_{dim}", draft.proposed[dim])
    report.reasons = draft.reasons
    report.facts = draft.facts


def _refuse_submitted(report: StatusReport) -> None:
    if report.is_submitted:
        when = (
            timezone.localtime(report.submitted_at).strftime("%Y-%m-%d %H:%M") if report.submitted_at else ""
        )
        raise ValidationError(
            {
                "status": f"This report was submitted{' on ' + when if when else ''} and can no longer change; "
                "write the next period's report instead."
            }
        )


@transaction.atomic
def report_create(
    *,
    actor: Any,
    project: Project,
    period_end: dt.date | None = None,
    status_date: dt.date | None = None,
    today: dt.date | None = None,
) -> StatusReport:
    """Draft the project's report of the period ending `period_end` (default: the one due next) from
    the data as of `status_date` (default: today)."""
    scoping.require(actor, Action.CHANGE, StatusReport, project.org_unit, "project")
    Project.objects.select_for_update().filter(pk=project.pk).exists()
    today = today or timezone.localdate()
    cadence = selectors.cadence_for_project(project)
    if period_end is None:
        period_end = selectors.next_period(project, today)
    elif period_end != selectors.period_end_on_or_after(cadence, period_end):
        raise ValidationError(
            {
                "period_end": f"{period_end} is not a due date of this project's {Cadence(cadence).label.lower()} "
                f"cadence; the nearest is {selectors.period_end_on_or_after(cadence, period_end)}."
            }
        )
    if StatusReport.objects.filter(project=project, period_end=period_end).exists():
        raise ValidationError({"period_end": f"The report of the period ending {period_end} already exists."})
    status_date = status_date or today
    previous = selectors.previous_report(project, period_end)
    if previous is not None and status_date < previous.status_date:
        raise ValidationError(
            {"status_date": f"The status date is before the previous report's ({previous.status_date})."}
        )
    report = StatusReport(project=project, period_end=period_end, status_date=status_date, created_by=actor)
    _apply_draft(
        report, selectors.draft_for(project, status_date=status_date, previous=previous, cadence=cadence)
    )
    audited_create(actor=actor, instance=report)
    return report


@transaction.atomic
def report_refresh(
    *, actor: Any, report: StatusReport, version: int, status_date: dt.date | None = None
) -> StatusReport:
    """Propose the RAG and facts again from today's data (the manager's decisions and narrative stay;
    a decision that now differs from the proposal needs its reason)."""
    scoping.require(actor, Action.CHANGE, StatusReport, report.project.org_unit, "report")
    _refuse_submitted(report)
    status_date = status_date or timezone.localdate()
    previous = selectors.previous_report(report)
    if previous is not None and status_date < previous.status_date:
        raise ValidationError(
            {"status_date": f"The status date is before the previous report's ({previous.status_date})."}
        )
    draft = selectors.draft_for(report.project, status_date=status_date, previous=previous)
    for dim in DIMENSIONS:
        setattr(report, f"proposed_{dim}", draft.proposed[dim])
    report.reasons = draft.reasons
    report.facts = draft.facts
    report.status_date = status_date
    # An override whose reason is missing now that the proposal moved goes back to undecided.
    for dim in DIMENSIONS:
        if (
            report.decided(dim)
            and report.decided(dim) != report.proposed(dim)
            and not getattr(report, f"{dim}_reason").strip()
        ):
            setattr(report, f"{dim}_rag", "")
    report.full_clean()
    versioned_update(
        report,
        expected_version=version,
        fields=[
            *(f"proposed_{d}" for d in DIMENSIONS),
            *(f"{d}_rag" for d in DIMENSIONS),
            "reasons",
            "facts",
            "status_date",
        ],
    )
    audit_record(
        actor=actor,
        instance=report,
        action=AuditEntry.Action.UPDATE,
        unit_path=report.project.org_unit.path,
        project_id=report.project_id,
        changes={"status_date": [None, status_date.isoformat()]},
    )
    return report


@transaction.atomic
def report_update(*, actor: Any, report: StatusReport, version: int, **changes: Any) -> StatusReport:
    """Confirm or override RAGs (an override needs its reason) and write the narrative of a draft."""
    scoping.require(actor, Action.CHANGE, StatusReport, report.project.org_unit, "report")
    _unknown(changes, REPORT_FIELDS, "status report")
    _refuse_submitted(report)
    for name, value in changes.items():
        if value is None:
            changes[name] = ""
        if name.endswith("_rag") and changes[name] not in ("", *Rag.values):
            raise ValidationError({name: f"{value!r} is not a RAG; use green, amber or red."})
    audited_update(actor=actor, instance=report, version=version, changes=changes)
    return report


@transaction.atomic
def report_submit(*, actor: Any, report: StatusReport, version: int) -> StatusReport:
    """Submit a draft whose RAGs are all decided and whose narrative is written; it becomes immutable and
    the project's portfolio managers are told."""
    scoping.require(actor, Action.CHANGE, StatusReport, report.project.org_unit, "report")
    _refuse_submitted(report)
    errors = {}
    for dim in DIMENSIONS:
        if not report.decided(dim):
            errors[f"{dim}_rag"] = (
                f"Confirm or override the proposed {dim} RAG ({Rag(report.proposed(dim)).label})."
            )
    for name, message in REQUIRED_ON_SUBMIT.items():
        if not getattr(report, name).strip():
            errors[name] = message
    if errors:
        raise ValidationError(errors)
    report.full_clean()
    changes = {"status": StatusReport.Status.SUBMITTED}
    report.status = StatusReport.Status.SUBMITTED
    report.submitted_at = timezone.now()
    report.submitted_by = actor
    versioned_update(report, expected_version=version, fields=["status", "submitted_at", "submitted_by"])
    audit_record(
        actor=actor,
        instance=report,
        action=AuditEntry.Action.UPDATE,
        unit_path=report.project.org_unit.path,
        project_id=report.project_id,
        changes={"status": [StatusReport.Status.DRAFT, changes["status"]]},
    )
    project = report.project
    overall = Rag(report.rag("overall")).label
    notify(
        recipients=selectors.portfolio_managers(project),
        kind=Kind.REPORT,
        title=f"{project.code} status report for {report.period_end:%d %b %Y}: {overall}",
        body=f"{actor} submitted the status report of {project} (overall {overall}).",
        url=report.get_absolute_url(),
        project=project,
    )
    return report


@transaction.atomic
def report_delete(*, actor: Any, report: StatusReport, version: int | None) -> None:
    """Delete a draft (a submitted report stays)."""
    scoping.require(actor, Action.CHANGE, StatusReport, report.project.org_unit, "report")
    _refuse_submitted(report)
    audited_delete(actor=actor, instance=report, version=version)


# --- reminders ----------------------------------------------------------------------------------------------


@transaction.atomic
def reminders_send(*, today: dt.date | None = None) -> int:
    """Remind the manager of every project whose report is overdue, once per due period; returns how many
    reminders were written."""
    today = today or timezone.localdate()
    projects = Project.objects.filter(status=Project.Status.ACTIVE).select_related("org_unit", "manager")
    overdue = selectors.overdue_reports(projects=projects, today=today)
    done = set(
        ReportReminder.objects.filter(project_id__in=[o.project.pk for o in overdue]).values_list(
            "project_id", "period_end"
        )
    )
    sent = 0
    for item in overdue:
        if (item.project.pk, item.due) in done or item.owner is None:
            continue
        ReportReminder.objects.create(project=item.project, period_end=item.due)
        notify(
            recipients=[item.owner],
            kind=Kind.REMINDER,
            title=f"{item.project.code}: the status report due {item.due:%d %b %Y} is missing",
            body=f"The status report of {item.project} for the period ending {item.due:%d %b %Y} was not submitted.",
            url=item.url,
            project=item.project,
        )
        sent += 1
    return sent
