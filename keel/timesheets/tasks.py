"""Background jobs of timesheets (django-tasks; the database backend by default)."""

from __future__ import annotations

from django_tasks import task

from keel.timesheets import services


@task()
def send_timesheet_reminders() -> int:
    """Remind the people whose last week's timesheet is missing or not submitted (once a week each);
    returns how many were reminded."""
    return len(services.timesheet_reminders_send())
