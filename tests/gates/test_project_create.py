"""A methodology chosen when a project is created (page and API): the project starts in its first phase."""

from __future__ import annotations

from django.urls import reverse

from keel.gates import selectors
from keel.gates.models import ProjectLifecycle
from keel.portfolio.models import Project
from tests.gates.conftest import make_methodology


def test_api_create_with_a_methodology(org, methodology, as_user):
    answer = as_user(org.pm_north).post(
        "/projects",
        {"code": "N-NEW", "name": "New", "org_unit": org.north.pk, "methodology": methodology.pk},
    )
    assert answer.status == 201, answer.body
    project = Project.objects.get(code="N-NEW")
    assert selectors.project_phase(project) == ("Test lifecycle", "Initiation")


def test_api_create_with_a_methodology_out_of_reach_writes_nothing(org, as_user):
    south = make_methodology(org.admin, org.south, name="South only")
    answer = as_user(org.pm_north).post(
        "/projects", {"code": "N-NEW", "name": "New", "org_unit": org.north.pk, "methodology": south.pk}
    )
    assert answer.status == 422
    assert answer.body["detail"][0]["loc"] == ["body", "methodology"]
    assert not Project.objects.filter(code="N-NEW").exists()


def test_api_create_with_an_inactive_methodology_is_refused_whole(org, methodology, as_user):
    methodology.active = False
    methodology.save()
    answer = as_user(org.pm_north).post(
        "/projects", {"code": "N-NEW", "name": "New", "org_unit": org.north.pk, "methodology": methodology.pk}
    )
    assert answer.status == 422
    assert answer.body["detail"][0]["loc"] == ["body", "methodology"]
    assert not Project.objects.filter(code="N-NEW").exists()


def test_page_create_offers_the_methodologies_and_starts_the_project(client, org, methodology):
    client.force_login(org.pm_north)
    page = client.get(reverse("portfolio:project_create"))
    assert "Test lifecycle" in page.content.decode()
    response = client.post(
        reverse("portfolio:project_create"),
        {
            "code": "N-WEB",
            "name": "Web",
            "org_unit": org.north.pk,
            "status": "proposed",
            "health": "green",
            "phase": "initiation",
            "priority": 500,
            "budget": "0",
            "methodology": methodology.pk,
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    lifecycle = ProjectLifecycle.objects.get(project__code="N-WEB")
    assert lifecycle.phase.name == "Initiation"
