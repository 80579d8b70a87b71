"""Benefit reminders and RAID escalations are also in-app notifications: once, never e-mailed twice."""

from __future__ import annotations

import datetime as dt
from io import StringIO

from django.core import mail
from django.core.management import call_command

from keel.notifications import selectors
from keel.notifications import services as notification_services
from keel.notifications.models import Delivery, Kind, Notification
from tests.benefits.conftest import north_benefit  # noqa: F401 - the fixture
from tests.governance.conftest import make_risk

D = dt.date


def _remind(day: dt.date) -> None:
    call_command("benefits-remind", "--date", day.isoformat(), stdout=StringIO())


def test_a_benefit_reminder_is_in_the_app_once_per_period(org, north_benefit, immediate_tasks):  # noqa: F811
    _remind(D(2026, 4, 2))
    _remind(D(2026, 4, 3))
    (note,) = Notification.objects.all()
    assert (note.recipient, note.kind, note.email) == (org.member_north, Kind.REMINDER, Delivery.NONE)
    assert note.title == f"Record the realized value of B-N — {north_benefit.name}"
    assert note.url == f"/benefits/{north_benefit.pk}/"
    assert len(mail.outbox) == 1  # the benefits e-mail only; the in-app row is not e-mailed again
    assert notification_services.emails_send_immediate() == 0 and notification_services.digests_send() == 0

    _remind(D(2026, 7, 2))  # a new overdue period
    assert Notification.objects.count() == 2 and len(mail.outbox) == 2


def test_an_owner_without_email_is_told_in_the_app(org, north_benefit):  # noqa: F811
    org.member_north.email = ""
    org.member_north.save(update_fields=["email"])
    _remind(D(2026, 4, 2))
    _remind(D(2026, 4, 5))
    assert selectors.unread_count(org.member_north) == 1
    assert mail.outbox == []


def test_an_escalation_tells_the_manager_and_the_pmo_administrators_in_the_app(
    org, immediate_tasks, django_capture_on_commit_callbacks
):
    org.admin.email = ""
    org.admin.save(update_fields=["email"])
    with django_capture_on_commit_callbacks(execute=True):
        make_risk(org.pm_north, org.project_north, title="Power cut", probability=4, impact=4)
    told = Notification.objects.filter(kind=Kind.ESCALATION).order_by("recipient__username")
    assert [n.recipient.username for n in told] == ["admin", "pm_north"]  # the admin has no address
    assert told[0].title == "Escalation: N-001 R-001 Power cut" and told[0].url == "/governance/escalations/"
    assert [m.to for m in mail.outbox] == [["pm_north@example.org"]]  # e-mailed once, by governance
