"""Status-report records for the generic scoping tests (see tests/scoping_hooks.py).

Each division gets, made through the services by its project manager, one draft report of its
project (the period due next), so `report_id` names a record of one division: the sibling division's
project manager and people without a role get 404; the executive viewer reads it but changes nothing.
"""

from __future__ import annotations

from typing import Any

from keel.statusreports import services
from keel.statusreports.models import ProjectReporting, ReportConfig, StatusReport

REF_FIELDS = ()
PLAIN_VALUES = {"cadence": "weekly"}
GOVERNED_MODELS = (StatusReport, ReportConfig, ProjectReporting)


def division_report(*, pm: Any, project: Any) -> StatusReport:
    """The division's draft report (made once)."""
    report = StatusReport.objects.filter(project=project).first()
    if report is None:
        report = services.report_create(actor=pm, project=project)
    return report


def api_records(*, org: Any, name: str, unit: Any, pm: Any, project: Any) -> tuple[dict, dict]:
    """The division's draft report as a path parameter."""
    return {"report_id": division_report(pm=pm, project=project)}, {}


SOUTH_PAGE_RECORDS = {
    "report_id": lambda org, extra: division_report(pm=org.pm_south, project=org.project_south).pk,
}
# Reading reports, their PDF, the portfolio view and its export changes nothing.
EXECUTIVE_PAGES = {
    "statusreports:project",
    "statusreports:detail",
    "statusreports:pdf",
    "statusreports:portfolio",
    "statusreports:portfolio_export",
}
