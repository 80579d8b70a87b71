"""Reminders of last week's missing or unsubmitted timesheets: in the app and by e-mail, once a week."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core import mail
from django.core.management import CommandError, call_command

from keel.notifications import services as notification_services
from keel.notifications.models import Kind, Notification
from keel.resources.models import Resource
from keel.timesheets import selectors, services
from keel.timesheets.tasks import send_timesheet_reminders
from tests.timesheets.conftest import LAST_WEEK, WEEK, fill, submitted

THURSDAY = WEEK + dt.timedelta(days=3)  # "last week" is LAST_WEEK


@pytest.fixture
def immediate_tasks(settings):
    """Background jobs run at once, e-mail kept in memory."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


def _run(day: dt.date) -> str:
    out = StringIO()
    call_command("timesheet-reminders", "--date", day.isoformat(), stdout=out)
    return out.getvalue()


def test_people_with_a_resource_and_no_submitted_week_are_the_ones_reminded(org, team):
    Resource.objects.create(
        pool=team.pool_north, code="R-RAJ", name="Raj", user=team.raj, home_unit=org.north, is_active=False
    )
    assert [(m.user.username, m.state) for m in selectors.timesheets_missing(LAST_WEEK)] == [
        ("member_north", "missing"),
        ("member_south", "missing"),
    ]
    fill(org.member_north, LAST_WEEK, [(org.project_north, None, {0: "8"})])
    submitted(team.member_south, LAST_WEEK, [(org.project_south, None, {0: "8"})])
    assert [(m.user.username, m.state) for m in selectors.timesheets_missing(LAST_WEEK)] == [
        ("member_north", "not submitted")
    ]


def test_each_person_is_reminded_in_the_app_and_by_email_once_a_week(
    org, team, immediate_tasks, django_capture_on_commit_callbacks
):
    fill(org.member_north, LAST_WEEK, [(org.project_north, None, {0: "8"})])  # a draft
    with django_capture_on_commit_callbacks(execute=True):
        out = _run(THURSDAY)
    assert "Reminded member_north: Your timesheet of the week of 2026-02-23 is not submitted." in out
    assert "Reminded member_south: Your timesheet of the week of 2026-02-23 is missing." in out
    assert "2 reminders sent." in out

    north = Notification.objects.get(recipient=org.member_north)
    assert north.kind == Kind.REMINDER and north.url == "/timesheets/?week=2026-02-23"
    assert "Monday 23 February 2026" in north.body
    assert sorted(m.to[0] for m in mail.outbox) == ["member_north@example.org", "member_south@example.org"]

    # Later that week (or the same day again): nobody twice.
    with django_capture_on_commit_callbacks(execute=True):
        assert "0 reminders sent." in _run(THURSDAY + dt.timedelta(days=1))
    assert len(mail.outbox) == 2 and Notification.objects.count() == 2

    # The next week is another week.
    with django_capture_on_commit_callbacks(execute=True):
        assert "2 reminders sent." in _run(THURSDAY + dt.timedelta(days=7))


def test_reminders_follow_each_persons_choice(org, team, immediate_tasks, django_capture_on_commit_callbacks):
    notification_services.preference_set(actor=org.member_north, deliveries={"reminder": "none"})
    submitted(team.member_south, LAST_WEEK, [(org.project_south, None, {0: "8"})])
    with django_capture_on_commit_callbacks(execute=True):
        sent = services.timesheet_reminders_send(today=THURSDAY)
    assert [n.recipient for n in sent] == [org.member_north]
    assert mail.outbox == []  # in the app only, as chosen


def test_the_job_and_the_queue_option(org, team, immediate_tasks):
    assert send_timesheet_reminders.enqueue().return_value == 2  # today's last week: both missing
    out = StringIO()
    call_command("timesheet-reminders", "--queue", stdout=out)
    assert "Queued the timesheet reminders" in out.getvalue()
    assert Notification.objects.count() == 2  # the queued run reminded nobody twice


def test_a_bad_date_is_refused(db):
    with pytest.raises(CommandError, match="--date: 'someday' is not a date"):
        call_command("timesheet-reminders", "--date", "someday")
