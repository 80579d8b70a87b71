"""Comments on projects and tasks: @mentions tell people who can see the project, replies tell the author."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from keel.core.errors import PermissionDenied
from keel.core.models import AuditEntry
from keel.notifications import selectors, services
from keel.notifications.models import Comment, Kind, Notification
from keel.schedule import services as schedule_services


def _told(user) -> list[str]:
    return list(
        Notification.objects.filter(recipient=user, kind=Kind.MENTION).values_list("title", flat=True)
    )


def test_a_mention_tells_people_who_see_the_project_and_ignores_the_rest(org):
    comment = services.comment_create(
        actor=org.pm_north,
        project=org.project_north,
        text="@member_north please update the racks plan. @admin FYI. @pm_south @outsider @nobody @pm_north.",
    )

    assert comment.mentioned == ["member_north", "admin"]
    assert _told(org.member_north) == [
        f"{org.pm_north.get_full_name()} mentioned you on N-001 Oslo data centre"
    ]
    assert len(_told(org.admin)) == 1
    # Out of the project's scope, unknown, or the author: nobody else is told, and nothing says why.
    assert _told(org.pm_south) == [] and _told(org.outsider) == [] and _told(org.pm_north) == []
    note = Notification.objects.get(recipient=org.member_north)
    assert note.project == org.project_north
    assert note.url == f"/notifications/projects/{org.project_north.pk}/comments/#comment-{comment.pk}"
    assert "please update the racks plan" in note.body
    entry = AuditEntry.objects.get(object_id=str(comment.pk), content_type__model="comment")
    assert entry.project_id == org.project_north.pk and entry.actor == org.pm_north


def test_mentions_are_parsed_from_text(org):
    assert selectors.mentioned_usernames("Hi @ana, @bob. and @ana again; mail ana@example.org") == [
        "ana",
        "bob",
    ]
    assert selectors.mentioned_usernames("@first.last: done") == ["first.last"]
    assert selectors.mentioned_usernames("") == []


def test_a_reply_tells_the_author_of_the_comment_once(org):
    first = services.comment_create(actor=org.member_north, project=org.project_north, text="Racks are late")
    reply = services.comment_create(
        actor=org.pm_north, project=org.project_north, text="Thanks, I will chase them", reply_to=first
    )
    assert reply.reply_to == first and reply.mentioned == []
    assert _told(org.member_north) == [
        f"{org.pm_north.get_full_name()} replied to your comment on N-001 Oslo data centre"
    ]

    services.comment_create(
        actor=org.pm_north, project=org.project_north, text="@member_north see above", reply_to=first
    )
    assert len(_told(org.member_north)) == 2  # the mention, not a second "replied" as well
    services.comment_create(actor=org.member_north, project=org.project_north, text="Mine", reply_to=first)
    assert len(_told(org.member_north)) == 2  # replying to oneself tells nobody

    thread = selectors.comment_list(org.project_north)
    assert [(c.text, c.depth) for c in thread] == [
        ("Racks are late", 0),
        ("Thanks, I will chase them", 1),
        ("@member_north see above", 1),
        ("Mine", 1),
    ]


def test_task_threads_are_apart_from_the_project_thread(org):
    task = schedule_services.task_create(actor=org.pm_north, project=org.project_north, name="Install racks")
    on_task = services.comment_create(
        actor=org.pm_north, project=org.project_north, task=task, text="@member_north this one is yours"
    )
    services.comment_create(actor=org.pm_north, project=org.project_north, text="Project-wide note")

    assert [c.text for c in selectors.comment_list(org.project_north, task)] == [
        "@member_north this one is yours"
    ]
    assert [c.text for c in selectors.comment_list(org.project_north)] == ["Project-wide note"]
    (note,) = Notification.objects.filter(recipient=org.member_north)
    assert note.title.endswith("mentioned you on N-001 · Install racks")
    assert note.url == f"/notifications/tasks/{task.pk}/comments/#comment-{on_task.pk}"

    with pytest.raises(ValidationError) as error:
        services.comment_create(actor=org.pm_north, project=org.project_north, text="x", reply_to=on_task)
    assert "reply_to" in error.value.message_dict


def test_bad_comments_are_refused_naming_the_field_and_nothing_is_written(org):
    task = schedule_services.task_create(actor=org.pm_south, project=org.project_south, name="Pack")
    for text, field in (("   ", "text"), ("x" * 4001, "text")):
        with pytest.raises(ValidationError) as error:
            services.comment_create(actor=org.pm_north, project=org.project_north, text=text)
        assert field in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.comment_create(actor=org.admin, project=org.project_north, task=task, text="wrong project")
    assert "task" in error.value.message_dict
    assert Comment.objects.count() == 0 and Notification.objects.count() == 0


def test_executive_viewers_read_but_do_not_comment(org):
    assert selectors.can_comment(org.member_north, org.project_north)
    assert not selectors.can_comment(org.exec, org.project_north)
    assert not selectors.can_comment(org.pm_south, org.project_north)
    with pytest.raises(PermissionDenied):
        services.comment_create(actor=org.exec, project=org.project_north, text="@pm_north hello")
    assert Comment.objects.count() == 0 and Notification.objects.count() == 0
