"""The daily commands share `--date` and `--queue` (keel/core/management/daily.py)."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command, get_commands, load_command_class

from keel.core.management.daily import DailyCommand, counted
from keel.statusreports.models import ReportReminder

DAILY = ("benefits-remind", "raid-escalations", "report-reminders", "timesheet-reminders")


@pytest.fixture
def immediate_tasks(settings):
    """Background jobs run at once, e-mail kept in memory."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


def _command(name: str) -> DailyCommand:
    command = load_command_class(get_commands()[name], name)
    assert isinstance(command, DailyCommand)
    return command


def test_counted_says_one_or_many():
    assert counted(0, "reminder") == "0 reminders"
    assert counted(1, "escalation") == "1 escalation"
    assert counted(2, "immediate e-mail") == "2 immediate e-mails"


@pytest.mark.parametrize("name", DAILY)
def test_every_daily_command_takes_a_date_and_refuses_a_wrong_one(name, db):
    usage = _command(name).create_parser("keel", name).format_help()
    assert "--date DATE" in usage and "--queue" in usage
    with pytest.raises(CommandError, match=r"^--date: '2026-02-30' is not a date \(use YYYY-MM-DD\)\.$"):
        call_command(name, "--date", "2026-02-30", stdout=StringIO())


def test_the_digest_takes_no_date():
    usage = _command("notifications-digest").create_parser("keel", "notifications-digest").format_help()
    assert "--queue" in usage and "--date" not in usage


def test_report_reminders_hand_the_date_to_the_queued_job(org, immediate_tasks):
    out = StringIO()
    call_command("report-reminders", "--queue", "--date", "2026-02-09", stdout=out)
    assert out.getvalue().startswith("Queued the status-report reminders (job ")
    assert ReportReminder.objects.count() == 2  # the reminders due on that Monday
    with pytest.raises(CommandError, match="--date: 'monday' is not a date"):
        call_command("report-reminders", "--queue", "--date", "monday", stdout=StringIO())


def test_a_queued_run_says_which_job(org, immediate_tasks):
    out = StringIO()
    call_command("raid-escalations", "--queue", stdout=out)
    assert out.getvalue().startswith("Queued the escalation emails (job ")
    out = StringIO()
    call_command("benefits-remind", "--queue", stdout=out)
    assert out.getvalue().startswith("Queued the benefit reminders (job ")
