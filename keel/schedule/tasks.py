"""Background jobs of project schedules (django-tasks; the database backend by default)."""

from __future__ import annotations

from django_tasks import task

from keel.schedule import import_jobs


@task()
def import_project_file(job_id: int) -> str:
    """Import the file of an import job (queued by `import_jobs.import_job_create`); returns its status."""
    job = import_jobs.import_job_run(job_id=job_id)
    return "skipped" if job is None else job.status
