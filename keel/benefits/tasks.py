"""Background jobs of the benefits register (django-tasks; the database backend by default)."""

from __future__ import annotations

from django_tasks import task

from keel.benefits import services


@task()
def send_benefit_reminders() -> int:
    """Email the owners of overdue benefits (once per overdue period); returns how many were sent."""
    return len(services.reminders_send())
