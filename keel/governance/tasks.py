"""Background jobs of governance (django-tasks; the database backend by default)."""

from __future__ import annotations

from django_tasks import task

from keel.governance import services


@task()
def notify_escalation(kind: str, item_id: int) -> int:
    """Email the people concerned by a risk's or issue's escalation (once); returns how many were emailed."""
    return len(services.escalation_notify(kind=kind, item_id=item_id))


@task()
def notify_escalations() -> int:
    """Email every escalation not emailed yet (items that became overdue); returns how many escalations."""
    return services.escalations_notify()
