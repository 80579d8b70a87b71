"""The status-report API: settings, cadence, drafting, deciding with versions, submitting, immutability,
the PDF, the portfolio view and its workbook, overdue reports; isolation between divisions."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from tests.api.conftest import BASE, field_errors
from tests.statusreports.conftest import STATUS_DAY

pytestmark = pytest.mark.django_db


def _draft(client, project, **body):
    answer = client.post(f"/projects/{project.pk}/status-reports", {"period_end": "2026-02-06", **body})
    assert answer.status == 201, answer.body
    return answer


def _file(client, path):
    """A file answer of the API (raw bytes), as the client's user."""
    return client.client.get(BASE + path, headers={"Authorization": f"Bearer {client.token}"})


def test_draft_decide_submit_with_versions(org, as_user, slipped):
    client = as_user(org.pm_north)
    created = _draft(client, org.project_north, status_date=STATUS_DAY.isoformat())
    pk, body = created.body["id"], created.body
    assert created.etag == '"1"'
    schedule = next(r for r in body["rags"] if r["dimension"] == "schedule")
    assert (
        schedule["proposed"] == "red"
        and schedule["decided"] == ""
        and "SPI 0.67 < 0.90" in schedule["reasons"]
    )
    # An override without its reason: 422 naming the reason field, nothing written
    answer = client.patch(f"/status-reports/{pk}", {"schedule_rag": "amber"}, headers={"If-Match": '"1"'})
    assert field_errors(answer) == {
        "schedule_reason": "Say why schedule is Amber rather than the proposed Red."
    }
    # Confirm four, override one with a reason, write the narrative
    decisions = {f"{r['dimension']}_rag": r["proposed"] for r in body["rags"]}
    decisions.update(
        schedule_rag="amber",
        schedule_reason="Recovery plan agreed",
        accomplishments="Design done",
        next_steps="Build",
    )
    changed = client.patch(f"/status-reports/{pk}", decisions, headers={"If-Match": '"1"'})
    assert changed.status == 200 and changed.etag == '"2"'
    stale = client.post(f"/status-reports/{pk}/submit", {}, headers={"If-Match": '"1"'})
    assert stale.status == 412
    assert client.post(f"/status-reports/{pk}/submit", {}).status == 428
    submitted = client.post(f"/status-reports/{pk}/submit", {"version": 2})
    assert submitted.status == 200 and submitted.body["status"] == "submitted"
    assert submitted.body["submitted_by"]["username"] == "pm_north"
    # Immutable: 422 naming status
    again = client.patch(f"/status-reports/{pk}", {"accomplishments": "Changed", "version": 3})
    assert "can no longer change" in field_errors(again)["status"]
    assert client.delete(f"/status-reports/{pk}", {"version": 3}).status == 422
    listed = client.get(f"/projects/{org.project_north.pk}/status-reports")
    assert listed.body["count"] == 1 and listed.body["items"][0]["status"] == "submitted"


def test_bad_input_is_a_422_naming_the_field(org, as_user):
    client = as_user(org.pm_north)
    answer = client.post(f"/projects/{org.project_north.pk}/status-reports", {"period_end": "2026-02-05"})
    assert "period_end" in field_errors(answer)
    answer = client.post(f"/projects/{org.project_north.pk}/status-reports", {"period_end": "not a day"})
    assert answer.status == 422 and answer.body["detail"][0]["loc"][-1] == "period_end"
    pk = _draft(client, org.project_north).body["id"]
    answer = client.patch(f"/status-reports/{pk}", {"risk_rag": "purple", "version": 1})
    assert answer.status == 422 and answer.body["detail"][0]["loc"][-1] == "risk_rag"
    answer = client.call(
        "PUT", f"/org-units/{org.north.pk}/status-report-config", {"spi_amber": "0.8", "spi_red": "0.9"}
    )
    assert (
        as_user(org.admin)
        .call("PUT", f"/org-units/{org.eng.pk}/status-report-config", {"spi_amber": "0.8", "spi_red": "0.9"})
        .status
        == 422
    )
    assert answer.status == 403  # a project manager sets no thresholds


def test_settings_and_cadence(org, as_user):
    admin = as_user(org.admin)
    before = admin.get(f"/org-units/{org.north.pk}/status-report-config")
    assert (
        before.body["own"] is False and before.body["cadence"] == "weekly" and before.body["version"] is None
    )
    made = admin.call(
        "PUT", f"/org-units/{org.eng.pk}/status-report-config", {"cadence": "monthly", "overdue_red": 9}
    )
    assert made.status == 200 and made.body["own"] and made.body["version"] == 1
    inherited = admin.get(f"/org-units/{org.north.pk}/status-report-config")
    assert inherited.body["inherited_from"]["code"] == "ENG" and inherited.body["overdue_red"] == 9
    pm = as_user(org.pm_north)
    cadence = pm.get(f"/projects/{org.project_north.pk}/status-report-cadence")
    assert cadence.body["cadence"] == "monthly" and cadence.body["own"] is False
    own = pm.call("PUT", f"/projects/{org.project_north.pk}/status-report-cadence", {"cadence": "biweekly"})
    assert own.status == 200 and own.body["cadence"] == "biweekly" and own.body["next_due"]
    assert admin.delete(f"/org-units/{org.eng.pk}/status-report-config", {"version": 1}).status == 204


def test_the_pdf_is_a_real_pdf_naming_the_project(org, as_user, slipped):
    client = as_user(org.pm_north)
    pk = _draft(client, org.project_north, status_date=STATUS_DAY.isoformat()).body["id"]
    response = _file(client, f"/status-reports/{pk}/pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert "Oslo data centre" in text and "N-001" in text
    assert "SPI 0.67 < 0.90" in text and "DRAFT" in text


def test_portfolio_view_and_workbook(org, as_user, slipped):
    pm = as_user(org.pm_north)
    _draft(pm, org.project_north)
    admin = as_user(org.admin)
    rows = admin.get("/status-reports/portfolio").body
    assert {r["project"]["code"] for r in rows} == {"N-001", "S-001"}
    assert all(r["overdue_since"] for r in rows)  # today is long after the projects started
    mine = pm.get("/status-reports/portfolio").body
    assert [r["project"]["code"] for r in mine] == ["N-001"]
    book = load_workbook(io.BytesIO(_file(pm, "/status-reports/portfolio.xlsx").content), read_only=True)
    cells = [c for row in book.active.iter_rows(values_only=True) for c in row]
    assert "N-001" in cells and "S-001" not in cells
    overdue = pm.get("/status-reports/overdue").body
    assert [o["project"]["code"] for o in overdue] == ["N-001"] and overdue[0]["owner"][
        "username"
    ] == "pm_north"


def test_another_division_gets_404_and_a_viewer_403(org, as_user):
    pk = _draft(as_user(org.pm_north), org.project_north).body["id"]
    south = as_user(org.pm_south)
    assert south.get(f"/status-reports/{pk}").status == 404
    assert south.patch(f"/status-reports/{pk}", {"accomplishments": "x", "version": 1}).status == 404
    assert _file(south, f"/status-reports/{pk}/pdf").status_code == 404
    assert south.post(f"/projects/{org.project_north.pk}/status-reports", {}).status == 404
    viewer = as_user(org.exec)
    assert viewer.get(f"/status-reports/{pk}").status == 200
    assert viewer.patch(f"/status-reports/{pk}", {"accomplishments": "x", "version": 1}).status == 403
    assert as_user(org.pm_north).get(f"/status-reports/{pk}").body["version"] == 1


def test_a_report_due_date_defaults_to_the_next_period(org, as_user):
    answer = as_user(org.pm_north).post(f"/projects/{org.project_north.pk}/status-reports", {})
    assert answer.status == 201
    due = dt.date.fromisoformat(answer.body["period_end"])
    assert due.weekday() == 4
