"""`keel worker`: run background jobs from the database queue (django-tasks-db's worker)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandParser
from django_tasks_db.management.commands import db_worker

from keel.engines import leveling_fast
from keel.resources import leveling
from keel.schedule import import_jobs


def fail_stale_jobs() -> int:
    """End as failed the imports and levelings a stopped worker left behind; returns how many.

    Other workers may be running: only jobs idle for ``KEEL_JOB_STALE_MINUTES`` are failed, never every
    running one. Called when `keel worker` starts and when `keel serve` starts its worker thread."""
    return import_jobs.import_jobs_fail_stale() + leveling.leveling_runs_fail_stale()


class Command(db_worker.Command):
    """django-tasks-db's `db_worker` with Keel's defaults: every queue, no auto-reload.

    Run as many as you like against PostgreSQL; each claims a job under a row lock, so no job
    runs twice. On SQLite, one worker (or `keel serve`'s worker thread) is enough.
    """

    help = "Run Keel's background jobs (all queues by default). Start several on PostgreSQL to scale out."

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.set_defaults(queue_name="*", reload=False)

    def handle(self, *args: Any, **options: Any) -> None:
        """Fail the jobs a stopped worker left behind, start compiling the leveling kernels, process jobs."""
        failed = fail_stale_jobs()
        if failed:
            self.stderr.write(
                f"{failed} import(s) or leveling(s) left by a stopped worker were marked failed."
            )
        leveling_fast.start()
        super().handle(*args, **options)
