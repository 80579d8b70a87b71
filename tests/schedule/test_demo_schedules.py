"""The demo organisation's first projects come with schedules: a WBS, links, a baseline, progress."""

from __future__ import annotations

import datetime as dt

from keel.core.demo import SCHEDULED_PROJECTS, demo_load
from keel.orgs.models import User
from keel.schedule import selectors
from keel.schedule.models import Baseline, Dependency, ProjectSchedule, Task


def test_the_first_demo_projects_have_schedules_with_baselines_and_progress(db):
    """Given the demo with ten projects, then the first six have a computed fifteen-task schedule with its
    links; those past proposal have a baseline; live ones have progress against today's status date."""
    demo_load(projects=10, seed=42, today=dt.date(2026, 11, 26))
    dana = User.objects.get(username="dana")

    schedules = list(ProjectSchedule.objects.select_related("project"))

    assert len(schedules) == SCHEDULED_PROJECTS
    statuses = set()
    for schedule in schedules:
        project = schedule.project
        statuses.add(project.status)
        assert (schedule.task_count, Dependency.objects.filter(project=project).count()) == (15, 11)
        assert schedule.computed_finish is not None and schedule.violation_count == 0
        wbs = (
            Task.objects.filter(project=project)
            .order_by("sort_index")
            .values_list("outline_number", flat=True)
        )
        assert list(wbs[:4]) == ["1", "1.1", "1.2", "2"]
        assert Baseline.objects.filter(project=project, number=0).exists() == (project.status != "proposed")
        if project.status in ("active", "on_hold"):
            assert schedule.status_date is not None
            assert Task.objects.filter(project=project, percent_complete=100, is_summary=False).exists()
            assert len(selectors.baseline_variance_for_user(dana, project.pk, 0)) == 15
        if project.status == "closed":
            assert not Task.objects.filter(
                project=project, is_summary=False, percent_complete__lt=100
            ).exists()
    assert "active" in statuses
