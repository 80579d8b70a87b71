"""A task's comment thread is reached from its Details page and from the Gantt's task panel."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.schedule.test_views import built as built  # noqa: F401 - the fixture
from tests.schedule.test_views import document, edit_url, gantt_url, tasks_by_name


def comments_url(task) -> str:
    return reverse("notifications:task_comments", kwargs={"task_id": task.pk})


def test_the_details_page_links_to_the_tasks_comments(client, org, built):  # noqa: F811
    task = built["Build"]
    client.force_login(org.pm_north)

    page = client.get(edit_url("task_edit", org.project_north, task_id=task.pk))

    assert page.status_code == 200
    assert f'href="{comments_url(task)}"' in page.content.decode()
    assert client.get(comments_url(task)).status_code == 200


def test_the_gantt_panel_links_each_task_to_its_comments(client, org, built):  # noqa: F811
    # Given N-001's Gantt, read by its manager and by a team member
    for person in (org.pm_north, org.member_north):
        client.force_login(person)
        page = client.get(gantt_url(org.project_north))
        # Then the panel knows the comments address, which the script fills with the task's id
        template = reverse("notifications:task_comments", kwargs={"task_id": 0})
        assert f'data-comments-url="{template}"' in page.content.decode()
        row = tasks_by_name(document(page))["Build"]
        assert template.replace("/0/", f"/{row['id']}/") == comments_url(built["Build"])
        # And that thread opens for them
        assert client.get(comments_url(built["Build"])).status_code == 200


@pytest.mark.parametrize("who", ["pm_south", "outsider"])
def test_people_who_cannot_see_the_task_get_neither_the_link_nor_the_thread(client, org, built, who):  # noqa: F811
    task = built["Build"]
    client.force_login(getattr(org, who))

    assert client.get(gantt_url(org.project_north)).status_code == 404
    assert client.get(edit_url("task_edit", org.project_north, task_id=task.pk)).status_code == 404
    assert client.get(comments_url(task)).status_code == 404
