"""Background jobs left queued or running by a worker that stopped.

A job row (an import, a leveling run) moves its ``updated_at`` on every progress report, so one that
has not moved for ``KEEL_JOB_STALE_MINUTES`` has no live worker. :func:`fail_stale` ends such rows as
failed in one place for every kind of job; each app says what a failed row's fields become.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import OperationalError, transaction
from django.db.models import QuerySet
from django.utils import timezone

logger = logging.getLogger(__name__)

WORKER_COMMAND = "keel worker"


def stale_minutes() -> int:
    """How long a queued or running job may go without progress (``KEEL_JOB_STALE_MINUTES``)."""
    return int(settings.KEEL_JOB_STALE_MINUTES)


def stale_before() -> dt.datetime:
    """Jobs not updated since this moment have no live worker."""
    return timezone.now() - dt.timedelta(minutes=stale_minutes())


def fail_stale(
    open_rows: QuerySet,
    *,
    fields: tuple[str, ...],
    failed: Callable[[dict[str, Any]], dict[str, Any]],
    what: str,
) -> list[dict[str, Any]]:
    """End as failed every row of ``open_rows`` (queued or running) idle since :func:`stale_before`.

    ``failed(row)`` gives the field values of a failed row from ``pk``, ``status`` and ``fields``.
    A row a live worker holds locked (PostgreSQL) is skipped; a database busy with a writer (SQLite)
    leaves the rows for the next look. Writes only when something is stale; returns the rows failed.
    """
    cutoff = stale_before()
    candidates = open_rows.filter(updated_at__lt=cutoff)
    if not candidates.exists():  # the cheap look
        return []
    model = open_rows.model
    done: list[dict[str, Any]] = []
    try:
        with transaction.atomic():
            for row in candidates.select_for_update(skip_locked=True).values("pk", "status", *fields):
                changed = model.objects.filter(
                    pk=row["pk"], status=row["status"], updated_at__lt=cutoff
                ).update(**failed(row), updated_at=timezone.now())
                if changed:
                    done.append(row)
    except OperationalError:  # the database is locked by a live writer: look again on the next read
        logger.warning("Could not mark stale %s failed: the database is busy", what, exc_info=True)
        return []
    if done:
        logger.warning("Marked %s %s failed: their worker stopped", len(done), what)
    return done
