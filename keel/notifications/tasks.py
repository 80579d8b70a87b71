"""Background jobs of notifications (django-tasks; the database backend by default)."""

from __future__ import annotations

from django_tasks import task

from keel.notifications import services


@task()
def send_immediate_emails(ids: list[int]) -> int:
    """E-mail the given notifications to people who want e-mail at once (each once); returns how many."""
    return services.emails_send_immediate(ids=ids)


@task()
def send_daily_digests() -> int:
    """The daily run: each person's digest e-mail, and any immediate e-mail a failed send left behind.

    Returns how many digests were sent.
    """
    services.emails_send_immediate()
    return services.digests_send()
