"""RAID pages: the log with tabs and filters, add and edit forms, heat maps, escalations, exports, settings."""

from __future__ import annotations

import io

from django.urls import reverse
from openpyxl import load_workbook

from keel.governance import services
from keel.governance.models import Decision, RaidConfig, Risk
from tests.conftest import PASSWORD
from tests.governance.conftest import make_risk


def _login(client, user):
    assert client.login(username=user.username, password=PASSWORD)


def test_the_raid_page_lists_each_kind_and_swaps_the_tab_with_htmx(client, org):
    make_risk(org.pm_north, org.project_north, title="Vendor late", probability=4, impact=4)
    services.issue_create(actor=org.pm_north, project=org.project_north, title="Racks late", severity=2)
    _login(client, org.pm_north)
    url = reverse("governance:raid", args=[org.project_north.pk])
    page = client.get(url).content.decode()
    assert "Vendor late" in page and "Escalated" in page and "Add a risk" in page
    fragment = client.get(url, {"tab": "issue"}, HTTP_HX_REQUEST="true").content.decode()
    assert "Racks late" in fragment and "<html" not in fragment
    empty = client.get(url, {"tab": "decision"}).content.decode()
    assert "Nothing here yet" in empty


def test_adding_a_risk_shows_errors_next_to_the_field_and_keeps_the_input(client, org):
    _login(client, org.pm_north)
    url = reverse("governance:risk_create", args=[org.project_north.pk])
    form = client.get(url).content.decode()
    assert "4 — High" in form  # the unit's labels
    answer = client.post(
        url,
        {
            "title": "Vendor late",
            "probability": "3",
            "impact": "2",
            "residual_probability": "3",
            "residual_impact": "3",
        },
    )
    assert answer.status_code == 422
    assert "above the score 6" in answer.content.decode() and 'value="Vendor late"' in answer.content.decode()
    answer = client.post(url, {"title": "Vendor late", "probability": "3", "impact": "2", "status": "open"})
    assert answer.status_code == 302
    risk = Risk.objects.get()
    assert (risk.reference, risk.score) == ("R-001", 6)
    edit = reverse("governance:risk_update", args=[risk.pk])
    answer = client.post(
        edit, {"title": "Vendor late", "probability": "3", "impact": "5", "status": "open", "version": "1"}
    )
    assert answer.status_code == 302 and Risk.objects.get().score == 15


def test_a_decision_is_logged_with_its_links(client, org):
    risk = make_risk(org.pm_north, org.project_north)
    _login(client, org.pm_north)
    url = reverse("governance:decision_create", args=[org.project_north.pk])
    answer = client.post(
        url, {"title": "Buy spares", "decided_by": "Board", "decided_on": "2026-03-01", "rationale": ""}
    )
    assert answer.status_code == 422 and "Record why this was decided." in answer.content.decode()
    answer = client.post(
        url,
        {
            "title": "Buy spares",
            "decided_by": "Board",
            "decided_on": "2026-03-01",
            "rationale": "Cheaper",
            "linked_risks": [risk.pk],
        },
    )
    assert answer.status_code == 302
    assert list(Decision.objects.get().linked_risks.all()) == [risk]


def test_escalate_then_resolve_from_the_pages(client, org):
    risk = make_risk(org.pm_north, org.project_north, title="Vendor insolvent", probability=1, impact=1)
    _login(client, org.pm_north)
    url = reverse("governance:risk_escalate", args=[risk.pk])
    assert client.post(url, {"version": "1", "reason": ""}).status_code == 422
    assert client.post(url, {"version": "1", "reason": "Board must fund a second vendor"}).status_code == 302
    client.logout()
    _login(client, org.admin)
    listing = client.get(reverse("governance:escalations")).content.decode()
    assert "Vendor insolvent" in listing and "Flagged" in listing and "Board must fund" in listing
    resolve = reverse("governance:risk_resolve", args=[risk.pk])
    assert client.post(resolve, {"version": "2", "resolution": ""}).status_code == 422
    assert client.post(resolve, {"version": "2", "resolution": "Funded"}).status_code == 302
    assert "Nothing to escalate" in client.get(reverse("governance:escalations")).content.decode()
    assert Risk.objects.get().resolution == "Funded"


def test_project_manager_may_not_resolve(client, org):
    risk = make_risk(org.pm_north, org.project_north, probability=5, impact=5)
    _login(client, org.pm_north)
    assert client.get(reverse("governance:risk_resolve", args=[risk.pk])).status_code == 403
    assert (
        "Resolve" not in client.get(reverse("governance:escalations")).content.decode().split("</thead>")[1]
    )


def test_heat_maps_and_the_cell_fragment(client, org):
    make_risk(org.pm_north, org.project_north, title="Power cut", probability=4, impact=5)
    make_risk(org.pm_south, org.project_south, title="Flood", probability=4, impact=5)
    _login(client, org.pm_north)
    page = client.get(reverse("governance:heatmap", args=[org.project_north.pk])).content.decode()
    assert 'id="raid-heatmap"' in page and "1 open risk" in page
    portfolio = client.get(reverse("governance:portfolio_heatmap")).content.decode()
    assert "1 open risk" in portfolio
    cell = client.get(
        reverse("governance:heatmap_cell"), {"probability": 4, "impact": 5}, HTTP_HX_REQUEST="true"
    )
    text = cell.content.decode()
    assert "Power cut" in text and "Flood" not in text
    assert (
        client.get(
            reverse("governance:heatmap_cell"),
            {"probability": 4, "impact": 5, "project": org.project_south.pk},
        ).status_code
        == 404
    )


def test_exports(client, org):
    make_risk(org.pm_north, org.project_north, title="Power cut", probability=4, impact=5)
    _login(client, org.admin)
    answer = client.get(reverse("governance:raid_export", args=[org.project_north.pk]), {"tab": "risk"})
    sheet = load_workbook(io.BytesIO(answer.content)).active
    rows = list(sheet.values)
    assert rows[0][:3] == ("Ref", "Title", "Owner") and rows[1][0] == "R-001" and rows[1][1] == "Power cut"
    answer = client.get(reverse("governance:escalations_export"))
    rows = list(load_workbook(io.BytesIO(answer.content)).active.values)
    assert rows[1][:2] == ("N-001", "R-001") and rows[1][5] == "threshold"


def test_the_pmo_sets_a_units_scale(client, org):
    _login(client, org.admin)
    url = reverse("governance:config", args=[org.north.pk])
    assert (
        "Keel&#x27;s defaults" in client.get(url).content.decode()
        or "defaults" in client.get(url).content.decode()
    )
    bad = client.post(
        url,
        {
            "scale_size": "4",
            "probability_labels": "a, b",
            "impact_labels": "",
            "escalation_threshold": "9",
            "escalation_severity": "3",
            "categories": "Cost",
        },
    )
    assert bad.status_code == 422 and "Give 4 labels" in bad.content.decode()
    good = client.post(
        url,
        {
            "scale_size": "4",
            "probability_labels": "",
            "impact_labels": "",
            "escalation_threshold": "9",
            "escalation_severity": "3",
            "categories": "Cost\nWeather",
        },
    )
    assert good.status_code == 302
    config = RaidConfig.objects.get()
    assert (config.scale_size, config.categories) == (4, ["Cost", "Weather"])
    client.logout()
    _login(client, org.pm_north)
    assert client.get(url).status_code == 403
