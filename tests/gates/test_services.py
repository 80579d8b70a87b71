"""Methodologies, a project's lifecycle, deliverables and gate reviews through the services."""

from __future__ import annotations

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from keel.core.errors import ConflictError, PermissionDenied
from keel.core.models import AuditEntry
from keel.gates import selectors, services
from keel.gates.models import GateReview, LifecycleEvent, Methodology, Phase, ProjectLifecycle
from keel.notifications.models import Notification
from keel.portfolio import services as portfolio_services
from keel.portfolio.models import Project
from tests.gates.conftest import criterion, make_methodology


def _ready(org, methodology):
    """N-001 in the test lifecycle with a sponsor and its charter linked: Gate 1 may be requested."""
    project = org.project_north
    portfolio_services.project_update(
        actor=org.admin, project=project, version=project.version, sponsor=org.pm_north
    )
    services.lifecycle_start(actor=org.pm_north, project=project, methodology=methodology)
    services.deliverable_provide(
        actor=org.pm_north,
        project=project,
        criterion=criterion(methodology, "Charter"),
        link="https://docs.example.org/c",
    )
    return project


# --- methodologies --------------------------------------------------------------------------------


def test_only_the_pmo_defines_methodologies(org):
    with pytest.raises(PermissionDenied):
        services.methodology_create(actor=org.pm_north, org_unit=org.north, name="Mine")
    assert not Methodology.objects.exists()


def test_a_criterion_names_a_known_check_and_an_approval_a_role(org, methodology):
    phase = methodology.phases.first()
    with pytest.raises(ValidationError) as error:
        services.criterion_create(
            actor=org.admin, phase=phase, kind="check", title="X", check_name="astrology"
        )
    assert "check_name" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.criterion_create(actor=org.admin, phase=phase, kind="approval", title="X")
    assert "role" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.criterion_create(actor=org.admin, phase=phase, kind="team", title="X")
    assert "kind" in error.value.message_dict


def test_budget_range_and_unique_names(org, methodology):
    with pytest.raises(ValidationError) as error:
        services.methodology_create(actor=org.admin, org_unit=org.central, name="test LIFECYCLE")
    assert "name" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.methodology_create(
            actor=org.admin, org_unit=org.central, name="Odd", min_budget=100, max_budget=50
        )
    assert "max_budget" in error.value.message_dict


def test_defaults_give_three_methodologies_once(org):
    made = services.methodology_defaults_install(actor=org.admin, org_unit=org.central)
    assert [m.name for m in made] == ["Waterfall — small", "Waterfall — large", "Agile"]
    assert all(m.phases.count() >= 3 for m in made)
    assert services.methodology_defaults_install(actor=org.admin, org_unit=org.central) == []
    small, large = made[0], made[1]
    project = org.project_north  # budget 0: small
    assert selectors.suggested_methodology(project) == small
    project.budget = 300000
    assert not small.applies_to(project) and large.applies_to(project)


def test_a_methodology_in_use_is_not_deleted(org, methodology):
    services.lifecycle_start(actor=org.pm_north, project=org.project_north, methodology=methodology)
    with pytest.raises(ValidationError):
        services.methodology_delete(actor=org.admin, methodology=methodology, version=methodology.version)
    assert Methodology.objects.filter(pk=methodology.pk).exists()


def test_stale_version_is_refused(org, methodology):
    services.methodology_update(actor=org.admin, methodology=methodology, version=1, description="v2")
    stale = Methodology.objects.get(pk=methodology.pk)
    stale.version = 1
    with pytest.raises(ConflictError):
        services.methodology_update(actor=org.admin, methodology=stale, version=1, description="v3")


# --- lifecycle ----------------------------------------------------------------------------------------


def test_start_puts_the_project_in_the_first_phase(org, methodology):
    lifecycle = services.lifecycle_start(
        actor=org.pm_north, project=org.project_north, methodology=methodology
    )
    assert lifecycle.phase.name == "Initiation"
    assert selectors.project_phase(org.project_north) == ("Test lifecycle", "Initiation")
    assert selectors.project_phase(org.project_south) is None
    assert LifecycleEvent.objects.get(project=org.project_north).kind == "started"


def test_a_methodology_of_another_division_does_not_apply(org):
    south = make_methodology(org.admin, org.south, name="South only")
    with pytest.raises(ValidationError) as error:
        services.lifecycle_start(actor=org.pm_north, project=org.project_north, methodology=south)
    assert "methodology" in error.value.message_dict
    assert not ProjectLifecycle.objects.exists()


def test_changing_methodology_needs_the_pmo_and_a_reason(org, methodology):
    project = org.project_north
    services.lifecycle_start(actor=org.pm_north, project=project, methodology=methodology)
    other = make_methodology(org.admin, org.central, name="Other")
    with pytest.raises(PermissionDenied):
        services.lifecycle_change(actor=org.pm_north, project=project, methodology=other, reason="faster")
    with pytest.raises(ValidationError) as error:
        services.lifecycle_change(actor=org.admin, project=project, methodology=other, reason=" ")
    assert "reason" in error.value.message_dict
    lifecycle = services.lifecycle_change(
        actor=org.admin, project=project, methodology=other, reason="Scaled up"
    )
    assert lifecycle.methodology == other and lifecycle.phase.name == "Initiation"
    event = LifecycleEvent.objects.get(project=project, kind="methodology_changed")
    assert event.reason == "Scaled up" and "mapped" in event.text


def test_phase_is_mapped_by_name_or_reset(org, methodology, pfm):
    project = _ready(org, methodology)
    review = services.review_request(actor=org.pm_north, project=project)
    services.review_decide(actor=pfm, review=review, outcome="approve")
    other = make_methodology(org.admin, org.central, name="Other")
    lifecycle = services.lifecycle_change(actor=org.admin, project=project, methodology=other, reason="r")
    assert lifecycle.phase.name == "Delivery"
    third = make_methodology(org.admin, org.central, name="Third")
    lifecycle = services.lifecycle_change(
        actor=org.admin, project=project, methodology=third, reason="r", mapping="reset"
    )
    assert lifecycle.phase.name == "Initiation"


# --- reviews ---------------------------------------------------------------------------------------


def test_a_request_with_missing_items_is_refused_naming_them(org, methodology):
    project = org.project_north
    services.lifecycle_start(actor=org.pm_north, project=project, methodology=methodology)
    with pytest.raises(ValidationError) as error:
        services.review_request(actor=org.pm_north, project=project)
    message = error.value.message_dict["checklist"][0]
    assert "Charter (deliverable)" in message and "Sponsor set (automatic check)" in message
    assert "Manager set" not in message
    assert not GateReview.objects.exists()


def test_review_passes_with_the_approvals_and_the_project_moves_on(org, methodology, pfm):
    project = _ready(org, methodology)
    review = services.review_request(actor=org.pm_north, project=project, comment="Ready")
    assert review.status == "pending"
    told = Notification.objects.filter(recipient=pfm, kind="gate")
    assert told.count() == 1 and "Gate 1" in told.get().title
    assert [r.pk for r in selectors.reviews_waiting_for(pfm)] == [review.pk]
    assert selectors.reviews_waiting_for(org.pm_north) == []

    services.review_decide(actor=pfm, review=review, outcome="approve", comment="Fine")

    review.refresh_from_db()
    assert review.status == "passed"
    assert selectors.project_phase(project) == ("Test lifecycle", "Delivery")
    assert Notification.objects.filter(recipient=org.pm_north, kind="gate", title__contains="passed").exists()
    assert LifecycleEvent.objects.filter(project=project, kind="gate_passed").exists()
    assert AuditEntry.objects.filter(project_id=project.pk, object_repr__contains="Gate 1").exists()


def test_the_registers_phase_follows_a_lifecycle_phase_of_the_same_name(org, methodology, pfm):
    Phase.objects.filter(methodology=methodology, name="Delivery").update(name="Execution")
    project = org.project_north
    portfolio_services.project_update(
        actor=org.admin, project=project, version=project.version, phase="planning"
    )
    project = _ready(org, methodology)
    project.refresh_from_db()
    assert project.phase == "initiation"  # starting the lifecycle moved it to its first phase
    review = services.review_request(actor=org.pm_north, project=project, comment="Ready")
    services.review_decide(actor=pfm, review=review, outcome="approve", comment="Fine")
    project.refresh_from_db()
    assert project.phase == "execution"
    moves = AuditEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(Project),
        object_id=str(project.pk),
        changes__has_key="phase",
    ).order_by("pk")
    assert [entry.changes["phase"] for entry in moves] == [
        ["initiation", "planning"],
        ["planning", "initiation"],
        ["initiation", "execution"],
    ]


def test_last_gate_closes_the_project(org, methodology, pfm):
    project = _ready(org, methodology)
    services.review_decide(
        actor=pfm, review=services.review_request(actor=org.pm_north, project=project), outcome="approve"
    )
    review = services.review_request(actor=org.pm_north, project=project)
    services.review_decide(actor=org.admin, review=review, outcome="approve")
    assert selectors.project_phase(project) == ("Test lifecycle", "Closed")
    assert ProjectLifecycle.objects.get(project=project).closed_on is not None
    with pytest.raises(ValidationError):
        services.review_request(actor=org.pm_north, project=project)


def test_reject_and_defer_need_a_comment_and_end_the_review(org, methodology, pfm):
    project = _ready(org, methodology)
    review = services.review_request(actor=org.pm_north, project=project)
    with pytest.raises(ValidationError) as error:
        services.review_decide(actor=pfm, review=review, outcome="reject")
    assert "comment" in error.value.message_dict
    services.review_decide(actor=pfm, review=review, outcome="defer", comment="Next month")
    review.refresh_from_db()
    assert review.status == "deferred"
    assert selectors.project_phase(project)[1] == "Initiation"
    again = services.review_request(actor=org.pm_north, project=project)
    assert again.status == "pending"


def test_reviewers_need_the_role_and_cannot_decide_their_own_request(org, methodology, pfm):
    project = _ready(org, methodology)
    review = services.review_request(actor=org.pm_north, project=project)
    with pytest.raises(PermissionDenied):
        services.review_decide(actor=org.pm_north, review=review, outcome="approve")
    with pytest.raises(PermissionDenied):
        services.review_decide(actor=org.exec, review=review, outcome="approve")
    with pytest.raises(ValidationError):
        services.review_request(actor=org.pm_north, project=project)  # one pending at a time
    assert review.decisions.count() == 0


def test_a_reviewer_who_requested_cannot_approve(org, methodology, pfm):
    project = _ready(org, methodology)
    review = services.review_request(actor=pfm, project=project)
    with pytest.raises(ValidationError) as error:
        services.review_decide(actor=pfm, review=review, outcome="approve")
    assert "review" in error.value.message_dict


def test_current_phase_items(org, methodology):
    project = _ready(org, methodology)
    items = selectors.current_phase_items(projects=[project, org.project_south])
    assert list(items) == [project.pk]
    by_title = {item.title: item for item in items[project.pk]}
    assert by_title["Charter"].met and by_title["Sponsor set"].met
    assert not by_title["Portfolio OK"].met and by_title["Portfolio OK"].owner is None
    assert by_title["Charter"].owner == org.pm_north
    assert by_title["Charter"].key.startswith("gate:") and ":criterion:" in by_title["Charter"].key
    assert by_title["Charter"].url == f"/projects/{project.pk}/gates/"


# --- deliverables ----------------------------------------------------------------------------------


def test_deliverables_belong_to_the_projects_methodology(org, methodology, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    project = org.project_north
    services.lifecycle_start(actor=org.pm_north, project=project, methodology=methodology)
    charter = criterion(methodology, "Charter")
    with pytest.raises(ValidationError) as error:
        services.deliverable_provide(
            actor=org.pm_north,
            project=project,
            criterion=criterion(methodology, "Manager set"),
            link="https://x.example.org",
        )
    assert "criterion" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.deliverable_provide(actor=org.pm_north, project=project, criterion=charter)
    assert "link" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.deliverable_provide(
            actor=org.pm_north, project=project, criterion=charter, upload=SimpleUploadedFile("c.pdf", b"")
        )
    assert "file" in error.value.message_dict
    with pytest.raises(PermissionDenied):
        services.deliverable_provide(
            actor=org.member_north, project=project, criterion=charter, link="https://docs.example.org/c"
        )
    deliverable = services.deliverable_provide(
        actor=org.pm_north,
        project=project,
        criterion=charter,
        upload=SimpleUploadedFile("charter.pdf", b"%PDF"),
    )
    assert deliverable.file_name == "charter.pdf"
    assert (tmp_path / deliverable.file.name).read_bytes() == b"%PDF"
    replaced = services.deliverable_provide(
        actor=org.pm_north, project=project, criterion=charter, link="https://d.example.org"
    )
    assert replaced.pk == deliverable.pk and replaced.link == "https://d.example.org" and not replaced.file


def test_upload_size_limit(org, methodology, settings, tmp_path, monkeypatch):
    settings.MEDIA_ROOT = tmp_path
    monkeypatch.setattr(services, "MAX_UPLOAD_MB", 0)
    services.lifecycle_start(actor=org.pm_north, project=org.project_north, methodology=methodology)
    with pytest.raises(ValidationError) as error:
        services.deliverable_provide(
            actor=org.pm_north,
            project=org.project_north,
            criterion=criterion(methodology, "Charter"),
            upload=SimpleUploadedFile("big.pdf", b"x" * 10),
        )
    assert "larger than" in error.value.message_dict["file"][0]
