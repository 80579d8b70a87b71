"""Writing notifications. Other apps call :func:`notify`; it never fails their transaction for a
recipient without an e-mail address, and it writes nothing when there is no one to tell."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction

from keel.notifications.models import Kind, Notification


def notify(
    *,
    recipients: Iterable[Any],
    kind: str,
    title: str,
    body: str = "",
    url: str = "",
    project: Any = None,
) -> list[Notification]:
    """Tell each recipient (users; duplicates and None are dropped) about something of `kind`.

    Writes one in-app notification per person in the caller's transaction and returns them.
    """
    if kind not in Kind.values:
        raise ValueError(f"Unknown notification kind {kind!r}; one of {', '.join(Kind.values)}")
    people = {user.pk: user for user in recipients if user is not None and user.is_active}
    if not people:
        return []
    rows = [
        Notification(recipient=user, kind=kind, title=title[:255], body=body, url=url[:500], project=project)
        for user in people.values()
    ]
    with transaction.atomic():
        return Notification.objects.bulk_create(rows)
