"""Project files imported in the background: the upload, the job that imports it, and its progress.

:func:`import_job_create` checks the upload (present, not empty, not larger than
``KEEL_IMPORT_MAX_MB``, of a format Keel reads) and the person's right to create projects in the org
unit, stores the file under ``MEDIA_ROOT/imports/`` and records an :class:`ImportJob`; once that
transaction commits, the background task ``keel.schedule.tasks.import_project_file`` runs
:func:`import_job_run`, which imports the file with :func:`keel.schedule.importing.project_import`
(one transaction: all or nothing) and keeps the job's progress, stage and summary — or its error —
up to date for the pages and the API that poll it. The uploaded file is deleted once the job is over.

A job whose worker died stays queued or running with no progress: :func:`import_jobs_fail_stale`
ends every job that has not moved for ``KEEL_JOB_STALE_MINUTES`` as failed, saying how to start
again. ``keel worker`` calls it when it starts, and the reads below before they answer.
"""

from __future__ import annotations

import contextlib
import logging
import uuid
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction
from django.db.models import Count, QuerySet
from django.utils import timezone
from django.utils.text import get_valid_filename

from keel.core import jobs
from keel.core.errors import PermissionDenied, error_text
from keel.interchange.model import InterchangeError
from keel.orgs import scoping
from keel.orgs.models import OrgUnit, code_validator
from keel.orgs.scoping import Action
from keel.portfolio.models import Project
from keel.schedule import importing
from keel.schedule.models import Dependency, ImportJob

logger = logging.getLogger(__name__)

IMPORT_FOLDER = "imports"
"""Uploads wait in this folder of MEDIA_ROOT until their job has run."""
PROJECT_SUFFIXES = frozenset(
    {
        ".mpp",
        ".mpt",
        ".mpx",
        ".xml",
        ".xer",
        ".pmxml",
        ".gan",
        ".planner",
        ".pp",
        ".ppx",
        ".pod",
        ".fts",
        ".cdpx",
        ".cdpz",
        ".pep",
        ".stx",
        ".sp",
        ".zip",
        ".sdef",
    }
)
"""File name endings of the formats MPXJ reads (MS Project, Primavera, GanttProject, Planner, ...)."""
_SIGNATURES = (
    b"\xd0\xcf\x11\xe0",  # OLE2 compound file: MS Project .mpp/.mpt
    b"<",  # XML: MSPDI, P6 XML, GanttProject, Planner, ...
    b"ERMHDR",  # Primavera XER
    b"MPX",  # MPX
    b"PK\x03\x04",  # zip containers (Phoenix, ConceptDraw, zipped exports)
    b"SQLite format 3",  # Primavera P6 SQLite exports
)
ACCEPTED_FORMATS = "MS Project (.mpp, .xml), Primavera (.xer, P6 XML), GanttProject (.gan), Planner, MPX"
_STAGE_PROGRESS = (
    ("Reading ", 10),
    ("Read ", 40),
    ("Creating project", 50),
    ("Creating calendars", 60),
    ("Writing ", 75),
    ("Done", 95),
)
"""How far along each stage :func:`importing.project_import` reports is, in percent."""


class FileTooLarge(ValidationError):
    """The upload is larger than ``KEEL_IMPORT_MAX_MB`` (the API answers 413)."""


def max_upload_bytes() -> int:
    """The largest upload accepted, in bytes."""
    return int(settings.KEEL_IMPORT_MAX_MB) * 1024 * 1024


def _looks_like_a_project_file(name: str, head: bytes) -> bool:
    """Whether a file's name or first bytes are those of a format Keel reads through MPXJ."""
    if Path(name).suffix.lower() in PROJECT_SUFFIXES:
        return True
    start = head.removeprefix(b"\xef\xbb\xbf").lstrip()
    return any(start.startswith(signature) for signature in _SIGNATURES)


def _check_upload(upload: File | None) -> None:
    """Refuse a missing, empty, oversized or foreign file, naming the field."""
    if upload is None:
        raise ValidationError({"file": "Choose the project file to import."})
    size = upload.size or 0
    if size == 0:
        raise ValidationError({"file": f"{upload.name} is empty."})
    if size > max_upload_bytes():
        raise FileTooLarge(
            {
                "file": f"{upload.name} is {size / 1024 / 1024:.1f} MB; Keel imports files of at most "
                f"{settings.KEEL_IMPORT_MAX_MB} MB."
            }
        )
    upload.seek(0)
    head = upload.read(64)
    upload.seek(0)
    if not _looks_like_a_project_file(upload.name or "", head):
        raise ValidationError(
            {"file": f"{upload.name} is not a project file Keel reads; send a file from {ACCEPTED_FORMATS}."}
        )


def _check_code(code: str) -> None:
    """Refuse a project code that is malformed or already taken (before the job runs)."""
    if not code:
        return
    if len(code) > 30:
        raise ValidationError({"code": f"Use at most 30 characters (this code has {len(code)})."})
    try:
        code_validator(code)
    except ValidationError as error:
        raise ValidationError({"code": error.messages}) from error
    if Project.objects.filter(code=code).exists():
        raise ValidationError({"code": f"Project code {code} is already used; choose another."})


def import_job_create(
    *, actor: Any, org_unit: OrgUnit, upload: File | None, code: str = "", name: str = ""
) -> ImportJob:
    """Store an uploaded project file and queue its import into `org_unit`.

    Raises PermissionDenied (naming ``org_unit``) when the actor may not create projects there,
    :class:`FileTooLarge` for a file over the limit and ValidationError naming the field for a
    missing, empty or foreign file, a bad code or name. Nothing is stored then.
    """
    scoping.require(actor, Action.CHANGE, Project, org_unit, "org_unit")
    _check_upload(upload)
    assert upload is not None
    code, name = (code or "").strip(), (name or "").strip()
    _check_code(code)
    if len(name) > 200:
        raise ValidationError({"name": f"Use at most 200 characters (this name has {len(name)})."})
    file_name = Path(upload.name or "upload").name[:255]
    # A folder per upload keeps the file's own name, which MPXJ's messages and the project name use.
    relative = f"{IMPORT_FOLDER}/{uuid.uuid4().hex}/{get_valid_filename(file_name)[-100:] or 'upload'}"
    target = Path(settings.MEDIA_ROOT) / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    with target.open("wb") as stored:
        for chunk in upload.chunks():
            stored.write(chunk)
    try:
        with transaction.atomic():
            job = ImportJob(
                org_unit=org_unit,
                created_by=actor,
                file_name=file_name,
                file_size=upload.size or 0,
                upload=relative,
                code=code,
                name=name,
                stage="Waiting for a worker",
            )
            job.full_clean()
            job.save()
            transaction.on_commit(lambda: _enqueue(job.pk))
    except Exception:
        _delete_upload(relative)
        raise
    return job


def _delete_upload(relative: str) -> None:
    """Delete an uploaded file and its folder."""
    if not relative:
        return
    path = Path(settings.MEDIA_ROOT) / relative
    path.unlink(missing_ok=True)
    with contextlib.suppress(OSError):
        path.parent.rmdir()


def _enqueue(job_id: int) -> None:
    """Hand the job to the background worker."""
    from keel.schedule.tasks import import_project_file

    import_project_file.enqueue(job_id)


def _report(job_id: int) -> importing.Progress:
    """A progress callback that writes each stage, and how far along it is, to the job's row."""
    state = {"progress": 1}

    def report(stage: str) -> None:
        for prefix, percent in _STAGE_PROGRESS:
            if stage.startswith(prefix):
                state["progress"] = max(state["progress"], percent)
                break
        ImportJob.objects.filter(pk=job_id).update(
            stage=stage[:255], progress=state["progress"], updated_at=timezone.now()
        )

    return report


def import_job_run(*, job_id: int) -> ImportJob | None:
    """Import a queued job's file; the job ends succeeded with its summary or failed with the reason.

    Runs a job once: a job that is not queued any more (another worker took it) is left alone and
    None is returned. Whatever happens, the uploaded file is deleted and the job is finished.
    """
    now = timezone.now()
    claimed = ImportJob.objects.filter(pk=job_id, status=ImportJob.Status.QUEUED).update(
        status=ImportJob.Status.RUNNING, started_at=now, updated_at=now, progress=1, stage="Starting"
    )
    if not claimed:
        return None
    job = ImportJob.objects.select_related("org_unit", "created_by").get(pk=job_id)
    path = Path(settings.MEDIA_ROOT) / job.upload
    try:
        actor = job.created_by
        if actor is None or not actor.is_active:
            raise PermissionDenied("The person who uploaded the file can no longer sign in.")
        summary = importing.project_import(
            actor=actor,
            path=path,
            org_unit=job.org_unit,
            code=job.code or None,
            name=job.name or None,
            progress=_report(job.pk),
        )
    except (InterchangeError, ValidationError, PermissionDenied) as error:
        _finish(job, status=ImportJob.Status.FAILED, error=error_text(error))
    except Exception as error:  # a job must never stay "running": say so and keep the details in the log
        logger.exception("Import job %s failed", job.pk)
        _finish(
            job,
            status=ImportJob.Status.FAILED,
            error=f"Keel could not import {job.file_name} because of an unexpected error "
            f"({type(error).__name__}); nothing was imported. The server log has the details.",
        )
    else:
        _finish(
            job, status=ImportJob.Status.SUCCEEDED, summary=summary_data(summary), project=summary.project
        )
    finally:
        _delete_upload(job.upload)
    job.refresh_from_db()
    return job


def _finish(job: ImportJob, *, status: str, **values: Any) -> None:
    """Mark the job over, with its summary or its error."""
    done = status == ImportJob.Status.SUCCEEDED
    ImportJob.objects.filter(pk=job.pk).update(
        status=status,
        progress=100 if done else job.progress,
        stage="Imported" if done else "Failed: nothing was imported",
        finished_at=timezone.now(),
        updated_at=timezone.now(),
        upload="",
        **values,
    )


def summary_data(summary: importing.ImportSummary) -> dict[str, Any]:
    """What came in, as the job keeps it (JSON): counts, links by type, calendars, baselines, warnings."""
    project = summary.project
    by_type = dict(
        Dependency.objects.filter(project=project)
        .values_list("type")
        .annotate(n=Count("id"))
        .order_by("type")
    )
    return {
        "project": {"id": project.pk, "code": project.code, "name": project.name},
        "file_format": summary.file_format,
        "tasks": summary.tasks,
        "summary_tasks": summary.summary_tasks,
        "milestones": summary.milestones,
        "dependencies": summary.dependencies,
        "dependencies_by_type": {kind: by_type.get(kind, 0) for kind in ("FS", "SS", "FF", "SF")},
        "calendars": list(summary.calendars),
        "baselines": ["Baseline" if n == 0 else f"Baseline{n}" for n in summary.baselines],
        "resources_created": len(summary.resources.created),
        "resources_matched": len(summary.resources.matched),
        "resource_pool": summary.resources.pool.code if summary.resources.pool is not None else None,
        "assignments": summary.resources.assignments,
        "start": summary.start.isoformat() if summary.start else None,
        "finish": summary.finish.isoformat() if summary.finish else None,
        "warnings": list(summary.warnings),
    }


# --- jobs left behind by a worker that stopped ------------------------------------------------------

_OPEN = (ImportJob.Status.QUEUED, ImportJob.Status.RUNNING)


def _stale_error(status: str, file_name: str) -> str:
    """Why a stale job failed, and how to start again."""
    minutes = jobs.stale_minutes()
    if status == ImportJob.Status.QUEUED:
        return (
            f"No background worker started the import of {file_name} within {minutes} minutes; "
            f"nothing was imported. Make sure `{jobs.WORKER_COMMAND}` runs, then import the file again."
        )
    return (
        f"The worker stopped before the import of {file_name} finished (no progress for {minutes} "
        f"minutes); nothing was imported. Start it again with `{jobs.WORKER_COMMAND}`, then import the file "
        "again."
    )


def import_jobs_fail_stale(*, job_ids: list[int] | None = None) -> int:
    """End as failed every queued or running job (of `job_ids`, or any) idle for ``KEEL_JOB_STALE_MINUTES``.

    The import writes in one transaction, so a job whose worker died left nothing behind: the job
    only needs to say so, and its upload is deleted. Returns how many jobs were failed.
    """
    open_jobs = ImportJob.objects.filter(status__in=_OPEN)
    if job_ids is not None:
        open_jobs = open_jobs.filter(pk__in=job_ids)
    failed = jobs.fail_stale(
        open_jobs,
        fields=("file_name", "upload"),
        failed=lambda row: {
            "status": ImportJob.Status.FAILED,
            "stage": "Failed: nothing was imported",
            "error": _stale_error(row["status"], row["file_name"]),
            "finished_at": timezone.now(),
            "upload": "",
        },
        what="import jobs",
    )
    for row in failed:
        _delete_upload(row["upload"])
    return len(failed)


# --- reads -----------------------------------------------------------------------------------------


def import_job_list_for_user(user: Any) -> QuerySet[ImportJob]:
    """Import jobs in the org units the user can see, newest first (stale jobs failed first)."""
    import_jobs_fail_stale()
    return scoping.visible(user, ImportJob.objects.select_related("org_unit", "project", "created_by"))


def import_job_get_for_user(user: Any, job_id: Any) -> ImportJob:
    """One import job the user can see; NotFound when it is missing or out of scope.

    A job left queued or running by a worker that stopped is failed first, with how to start again.
    """
    rows = ImportJob.objects.select_related("org_unit", "project", "created_by")
    job = scoping.get_for_user(user, rows, Action.VIEW, pk=job_id)
    if (
        job.status in _OPEN
        and job.updated_at < jobs.stale_before()
        and import_jobs_fail_stale(job_ids=[job.pk])
    ):
        job = rows.get(pk=job.pk)
    return job
