"""Gate pages: methodology admin, the project's gate page, choosing a methodology, reviews, history."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from keel.gates import selectors, services
from keel.gates.models import Criterion, Deliverable, GateReview, Methodology, Phase
from keel.portfolio import services as portfolio_services
from tests.gates.conftest import criterion


def test_methodology_admin_is_for_the_pmo(client, org):
    client.force_login(org.pm_north)
    assert client.get(reverse("gates:methodology_list")).status_code == 403
    client.force_login(org.admin)
    assert client.get(reverse("gates:methodology_list")).status_code == 200


def test_pmo_adds_the_defaults_and_edits_a_methodology(client, org):
    client.force_login(org.admin)
    response = client.post(reverse("gates:methodology_list"), {"action": "defaults", "unit": org.central.pk})
    assert response.status_code == 302
    assert Methodology.objects.filter(org_unit=org.central).count() == 3
    agile = Methodology.objects.get(name="Agile")
    url = reverse("gates:methodology_detail", args=[agile.pk])
    page = client.get(url).content.decode()
    assert "Discovery" in page and "Gate 1: Ready for delivery" in page

    assert (
        client.post(url, {"action": "phase_add", "name": "Run", "gate_name": "Handover"}).status_code == 302
    )
    run = Phase.objects.get(methodology=agile, name="Run")
    assert run.order == 4
    added = client.post(
        url,
        {
            "action": "criterion_add",
            "phase": run.pk,
            "kind": "check",
            "title": "Baseline",
            "check_name": "baseline_saved",
        },
    )
    assert added.status_code == 302
    refused = client.post(
        url, {"action": "criterion_add", "phase": run.pk, "kind": "approval", "title": "Nobody"}
    )
    assert refused.status_code == 422 and "Name the role that must approve." in refused.content.decode()
    check = Criterion.objects.get(phase=run, title="Baseline")
    edited = client.post(
        url,
        {
            "action": "criterion_update",
            "criterion": check.pk,
            "version": check.version,
            "kind": "check",
            "title": "Baseline saved",
            "check_name": "baseline_saved",
        },
    )
    assert edited.status_code == 302
    check.refresh_from_db()
    assert check.title == "Baseline saved"
    renamed = client.post(
        url,
        {
            "action": "phase_update",
            "phase": run.pk,
            "version": run.version,
            "name": "Operate",
            "gate_name": "Handover",
        },
    )
    assert renamed.status_code == 302 and Phase.objects.get(pk=run.pk).name == "Operate"
    assert client.post(url, {"action": "phase_delete", "phase": run.pk, "version": 2}).status_code == 302
    assert not Phase.objects.filter(pk=run.pk).exists()


def test_new_methodology_page(client, org):
    client.force_login(org.admin)
    response = client.post(
        reverse("gates:methodology_list"),
        {"org_unit": org.north.pk, "name": "North way", "approach": "hybrid", "active": "on"},
    )
    methodology = Methodology.objects.get(name="North way")
    assert response["Location"] == reverse("gates:methodology_detail", args=[methodology.pk])


def test_project_gate_page_and_review(client, org, methodology, pfm, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    project = org.project_north
    portfolio_services.project_update(
        actor=org.admin, project=project, version=project.version, sponsor=org.exec
    )
    url = reverse("gates:project", args=[project.pk])
    client.force_login(org.pm_north)
    assert "follows no methodology yet" in client.get(url).content.decode()
    chosen = client.post(
        reverse("gates:project_methodology", args=[project.pk]), {"methodology": methodology.pk}
    )
    assert chosen.status_code == 302
    refused = client.post(url, {"action": "request"})
    assert refused.status_code == 422 and "Charter (deliverable)" in refused.content.decode()
    charter = criterion(methodology, "Charter")
    uploaded = client.post(
        url,
        {"action": "upload", "criterion": charter.pk, "file": SimpleUploadedFile("charter.txt", b"signed")},
    )
    assert uploaded.status_code == 302
    deliverable = Deliverable.objects.get(project=project)
    download = client.get(reverse("gates:deliverable", args=[deliverable.pk]))
    assert download.status_code == 200 and b"".join(download.streaming_content) == b"signed"
    assert client.post(url, {"action": "request", "comment": "Go"}).status_code == 302
    review = GateReview.objects.get(project=project)

    client.force_login(pfm)
    assert "Gate 1" in client.get(reverse("gates:queue")).content.decode()
    decided = client.post(reverse("gates:review", args=[review.pk]), {"outcome": "approve", "comment": ""})
    assert decided.status_code == 302
    assert selectors.project_phase(project)[1] == "Delivery"
    history = client.get(reverse("gates:project_history", args=[project.pk])).content.decode()
    assert "Gate 1 passed: N-001 enters Delivery" in history


def test_only_the_pmo_changes_a_methodology_on_the_page(client, org, methodology):
    services.lifecycle_start(actor=org.pm_north, project=org.project_north, methodology=methodology)
    client.force_login(org.pm_north)
    assert client.get(reverse("gates:project_methodology", args=[org.project_north.pk])).status_code == 403
    client.force_login(org.admin)
    page = client.get(reverse("gates:project_methodology", args=[org.project_north.pk]))
    assert page.status_code == 200 and "Record why it changes" in page.content.decode()


def test_sibling_division_cannot_reach_the_gate_pages(client, org, methodology):
    services.lifecycle_start(actor=org.pm_north, project=org.project_north, methodology=methodology)
    client.force_login(org.pm_south)
    for name in ("gates:project", "gates:project_history", "gates:project_methodology"):
        assert client.get(reverse(name, args=[org.project_north.pk])).status_code == 404
    assert (
        client.post(reverse("gates:project", args=[org.project_north.pk]), {"action": "request"}).status_code
        == 404
    )
    assert not GateReview.objects.exists()
