"""Background jobs of status reports (django-tasks; the database backend by default)."""

from __future__ import annotations

import datetime as dt

from django_tasks import task

from keel.statusreports import services


@task()
def send_report_reminders(today: str | None = None) -> int:
    """Remind the managers of projects whose report is overdue (once per due period); returns how many."""
    return services.reminders_send(today=dt.date.fromisoformat(today) if today else None)
