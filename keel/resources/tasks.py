"""Background jobs of resources (django-tasks; the database backend by default)."""

from __future__ import annotations

from django_tasks import task

from keel.resources import leveling


@task()
def level_resources(run_id: int) -> str:
    """Compute a leveling run (queued by `leveling.leveling_run_create`); returns its status."""
    run = leveling.leveling_run_execute(run_id=run_id)
    return "skipped" if run is None else run.status
