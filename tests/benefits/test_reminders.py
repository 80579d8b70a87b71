"""Reminders to the owners of overdue benefits: sent through Django's email backend, once per period.

Tests use Django's locmem email backend (pytest-django sets it), so `mail.outbox` holds what was sent.
"""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core import mail
from django.core.management import CommandError, call_command

from keel.benefits import services
from keel.benefits.models import Reminder
from keel.benefits.tasks import send_benefit_reminders

pytestmark = pytest.mark.django_db
D = dt.date


def _run(day: dt.date) -> str:
    out = StringIO()
    call_command("benefits-remind", "--date", day.isoformat(), stdout=out)
    return out.getvalue()


def test_the_owner_is_reminded_once_per_overdue_period(org, north_benefit, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.KEEL_BASE_URL = "https://keel.example.org"
    # Quarterly from 1 Jan 2026: due 1 Apr, overdue from 2 Apr.
    assert "0 reminders sent" in _run(D(2026, 4, 1))
    assert mail.outbox == []

    out = _run(D(2026, 4, 2))
    assert "Reminded member_north@example.org about B-N." in out and "1 reminder sent" in out
    (message,) = mail.outbox
    assert message.to == ["member_north@example.org"]
    assert "B-N" in message.subject
    assert "due on 2026-04-01" in message.body
    assert f"https://keel.example.org/benefits/{north_benefit.pk}/" in message.body

    # Daily runs in the same period send nothing more.
    for day in (D(2026, 4, 3), D(2026, 5, 20), D(2026, 7, 1)):
        _run(day)
    assert len(mail.outbox) == 1
    # A new overdue period (from 1 Jul) is reminded again.
    _run(D(2026, 7, 2))
    assert len(mail.outbox) == 2
    assert list(Reminder.objects.values_list("period_start", flat=True).order_by("period_start")) == [
        D(2026, 4, 1),
        D(2026, 7, 1),
    ]


def test_a_measurement_stops_the_reminders_until_the_next_period(org, north_benefit, south_benefit):
    services.measurement_record(
        actor=org.member_north,
        benefit=north_benefit,
        measured_on=D(2026, 3, 30),
        value="100",
        today=D(2026, 3, 30),
    )
    _run(D(2026, 4, 2))
    assert [m.to for m in mail.outbox] == [["pm_south@example.org"]]  # only SOUTH's owner is late
    _run(D(2026, 7, 1))
    assert len(mail.outbox) == 2  # B-N due 30 Jun: overdue on 1 Jul


def test_owners_without_email_and_benefits_not_being_realized_are_skipped(org, north_benefit, south_benefit):
    org.member_north.email = ""
    org.member_north.save(update_fields=["email"])
    services.benefit_update(actor=org.pm_south, benefit=south_benefit, version=1, status="realized")
    assert "0 reminders sent" in _run(D(2026, 4, 2))
    assert mail.outbox == [] and not Reminder.objects.exists()


def test_the_background_task_sends_the_same_reminders(org, north_benefit, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    services.benefit_update(
        actor=org.pm_north,
        benefit=north_benefit,
        version=1,
        baseline_date=D(2020, 1, 1),
        target_date=D(2021, 1, 1),
    )
    result = send_benefit_reminders.enqueue()
    assert result.return_value == 1
    assert len(mail.outbox) == 1
    assert send_benefit_reminders.enqueue().return_value == 0  # once per period


def test_the_command_refuses_a_bad_date():
    with pytest.raises(CommandError, match="--date: 'tomorrow' is not a date"):
        call_command("benefits-remind", "--date", "tomorrow")


def test_a_reminder_the_mail_server_refuses_is_tried_again_on_the_next_run(org, north_benefit, settings):
    # Nothing listens on port 1: the SMTP backend's connection is refused.
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 1, 2
    assert "0 reminders sent" in _run(D(2026, 4, 2))
    assert not Reminder.objects.exists()
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert "1 reminder sent" in _run(D(2026, 4, 3))
    assert len(mail.outbox) == 1
