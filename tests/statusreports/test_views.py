"""Status-report pages: the draft page (confirm, override with a reason, narrative, submit), the report,
its PDF, the project's list with the RAG trend, the portfolio view with overdue reports, and settings."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from pypdf import PdfReader

from keel.statusreports import services
from keel.statusreports.models import StatusReport
from tests.statusreports.conftest import STATUS_DAY

pytestmark = pytest.mark.django_db


def _draft(org):
    return services.report_create(
        actor=org.pm_north, project=org.project_north, status_date=STATUS_DAY, today=STATUS_DAY
    )


def _post(report, **values):
    data = {"version": report.version, "action": "save"}
    data.update({f"{d}_rag": "" for d in ("schedule", "cost", "scope", "risk", "overall")})
    data.update(values)
    return data


def test_the_manager_decides_and_submits_on_the_draft_page(client, org, slipped):
    report = _draft(org)
    client.force_login(org.pm_north)
    url = reverse("statusreports:edit", args=[report.pk])
    page = client.get(url)
    assert page.status_code == 200 and "SPI 0.67 &lt; 0.90" in page.content.decode()
    # An override without its reason comes back with the error next to the field
    answer = client.post(url, _post(report, schedule_rag="green"))
    assert answer.status_code == 422
    assert "Say why schedule is Green rather than the proposed Red." in answer.content.decode()
    # Confirm, override with a reason, narrative, submit
    values = {f"{d}_rag": report.proposed(d) for d in ("cost", "scope", "risk", "overall")}
    answer = client.post(
        url,
        _post(
            report,
            action="submit",
            schedule_rag="amber",
            schedule_reason="Recovery plan agreed with the vendor",
            accomplishments="Design signed off",
            next_steps="Finish Build",
            **values,
        ),
    )
    assert answer.status_code == 302 and answer["Location"] == reverse(
        "statusreports:detail", args=[report.pk]
    )
    stored = StatusReport.objects.get(pk=report.pk)
    assert stored.is_submitted and stored.schedule_rag == "amber"
    # The submitted report's edit page sends to the report; the report shows the override's reason
    assert client.get(url).status_code == 302
    shown = client.get(reverse("statusreports:detail", args=[report.pk])).content.decode()
    assert "Recovery plan agreed with the vendor" in shown and "Overridden" in shown


def test_a_failed_submit_keeps_what_was_saved(client, org, slipped):
    report = _draft(org)
    client.force_login(org.pm_north)
    url = reverse("statusreports:edit", args=[report.pk])
    answer = client.post(url, _post(report, action="submit", accomplishments="Design signed off"))
    assert answer.status_code == 422
    assert "Confirm or override the proposed schedule RAG" in answer.content.decode()
    stored = StatusReport.objects.get(pk=report.pk)
    assert stored.accomplishments == "Design signed off" and not stored.is_submitted


def test_the_pdf_page(client, org, slipped):
    report = _draft(org)
    client.force_login(org.exec)
    response = client.get(reverse("statusreports:pdf", args=[report.pk]))
    assert response["Content-Type"] == "application/pdf"
    text = PdfReader(io.BytesIO(response.content)).pages[0].extract_text()
    assert "N-001 — Oslo data centre" in text


def test_project_list_portfolio_and_settings_pages(client, org, slipped):
    report = _draft(org)
    client.force_login(org.admin)
    listing = client.get(reverse("statusreports:project", args=[org.project_north.pk])).content.decode()
    assert reverse("statusreports:edit", args=[report.pk]) in listing and "is missing" in listing
    portfolio = client.get(reverse("statusreports:portfolio")).content.decode()
    assert "N-001" in portfolio and "S-001" in portfolio and "Overdue since" in portfolio
    assert (
        client.get(reverse("statusreports:portfolio") + f"?unit={org.south.pk}")
        .content.decode()
        .count('data-project="')
        == 1
    )
    answer = client.post(
        reverse("statusreports:config", args=[org.eng.pk]),
        {
            "cadence": "monthly",
            "spi_amber": "0.95",
            "spi_red": "0.99",
            "cpi_amber": "0.95",
            "cpi_red": "0.90",
            "slipped_amber": 1,
            "slipped_red": 3,
            "overdue_amber": 1,
            "overdue_red": 5,
            "high_risks_amber": 1,
            "high_risks_red": 3,
        },
    )
    assert answer.status_code == 422 and "red must be the lower" in answer.content.decode()
    assert "ENG" in client.get(reverse("statusreports:settings")).content.decode()
    client.force_login(org.pm_north)
    assert client.get(reverse("statusreports:settings")).status_code == 403


def test_drafting_and_cadence_pages(client, org):
    client.force_login(org.pm_north)
    answer = client.post(
        reverse("statusreports:cadence", args=[org.project_north.pk]), {"cadence": "monthly"}
    )
    assert answer.status_code == 302
    page = client.get(reverse("statusreports:create", args=[org.project_north.pk]))
    due = page.context["form"].initial["period_end"]
    assert due.day in (28, 29, 30, 31)
    answer = client.post(reverse("statusreports:create", args=[org.project_north.pk]), {"period_end": due})
    report = StatusReport.objects.get(project=org.project_north)
    assert answer["Location"] == reverse("statusreports:edit", args=[report.pk])
    again = client.post(reverse("statusreports:create", args=[org.project_north.pk]), {"period_end": due})
    assert again.status_code == 422 and "already exists" in again.content.decode()
