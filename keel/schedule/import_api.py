"""JSON endpoints of project-file imports: upload a file (multipart), then follow its background job.

`POST /imports` answers 202 at once with the queued job; a worker imports the file (all or nothing)
and `GET /imports/{import_id}` shows its progress, then the summary of what came in or the error.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Field, File, Form, Query, Router, Schema, Status, UploadedFile

from keel.core.api import (
    ERROR_SCHEMAS,
    LIST_ERRORS,
    READ_ERRORS,
    Id,
    PageParams,
    Text,
    ValidationErrorOut,
    page_of,
    page_response,
    resolve_refs,
    responses,
)
from keel.core.errors import PermissionDenied
from keel.orgs import scoping
from keel.orgs import selectors as org_selectors
from keel.orgs.schemas import UnitRef, UserRef
from keel.orgs.scoping import Action
from keel.portfolio.models import Project
from keel.schedule import import_jobs
from keel.schedule.schemas import ProjectRef

imports = Router(tags=["imports"])
# The multipart fields of an upload; all optional in the schema so that the role is checked first
# (403) and each missing field is then named in a 422.
FILE_FIELD = File(None, description="An MS Project, Primavera, GanttProject, ... file")
ORG_UNIT_FIELD = Form(None, ge=1, le=2**63 - 1, description="Org unit of the new project")
CODE_FIELD = Form("", description="Project code, at most 30 characters (default: made from the file's title)")
NAME_FIELD = Form("", description="Project name, at most 200 characters (default: the file's title)")


class ImportSummaryOut(Schema):
    """What a finished import brought in (present once the job has succeeded)."""

    project: ProjectRef
    file_format: str
    tasks: int = Field(..., description="Tasks created, summary tasks and milestones included")
    summary_tasks: int
    milestones: int
    dependencies: int
    dependencies_by_type: dict[str, int] = Field(..., description="Links per type: FS, SS, FF, SF")
    calendars: list[str]
    baselines: list[str] = Field(..., description="Baselines kept: Baseline, Baseline1 ... Baseline10")
    resources_created: int = Field(0, description="Resources of the file created in Keel")
    resources_matched: int = Field(
        0,
        description="Resources of the file found in Keel already (by code, else by name) and used as they are",
    )
    resource_pool: str | None = Field(None, description="Code of the pool the new resources went to")
    assignments: int = Field(0, description="Assignments of resources to tasks stored")
    start: dt.datetime | None = Field(None, description="Start of the schedule Keel computed")
    finish: dt.datetime | None = Field(None, description="Finish of the schedule Keel computed")
    warnings: list[str] = Field(..., description="What the file held that Keel could not map as is")


class ImportJobOut(Schema):
    """An import job: queued, running (with progress and stage), succeeded (summary) or failed (error)."""

    id: int
    status: str = Field(..., description="queued, running, succeeded or failed")
    progress: int = Field(..., ge=0, le=100, description="Percent done")
    stage: str
    file_name: str
    file_size: int = Field(..., description="Bytes")
    org_unit: UnitRef
    code: str = Field(..., description="Project code asked for (empty: made from the file)")
    name: str = Field(..., description="Project name asked for (empty: the file's title)")
    project: ProjectRef | None = Field(None, description="The project, once imported")
    summary: ImportSummaryOut | None = None
    error: str = Field(..., description="Why the import failed (nothing was imported then)")
    created_by: UserRef | None = None
    created_at: dt.datetime
    started_at: dt.datetime | None = None
    finished_at: dt.datetime | None = None

    @staticmethod
    def resolve_summary(obj: Any) -> dict[str, Any] | None:
        """The summary of a succeeded job; None before."""
        return obj.summary or None


def _unit(user: Any, pk: int) -> Any:
    return org_selectors.org_unit_get_for_user(user, pk)


def _error(field: str, message: str, kind: str = "value_error") -> dict[str, Any]:
    return {"detail": [{"loc": ["body", field], "msg": message, "type": kind}]}


@imports.post(
    "/imports",
    response=responses({202: ImportJobOut}, (401, 403, 422))
    | {400: ERROR_SCHEMAS[400], 413: ValidationErrorOut},
    summary="Import a project file",
)
def import_create(
    request: HttpRequest,
    response: HttpResponse,
    file: UploadedFile = FILE_FIELD,
    org_unit: int = ORG_UNIT_FIELD,
    code: Text = CODE_FIELD,
    name: Text = NAME_FIELD,
) -> Any:
    """Upload a project file (multipart/form-data) to import as a new project of `org_unit`.

    Answers 202 with the queued job at once; follow it with `GET /imports/{id}`. A missing, empty or
    foreign file is 422 naming `file`; a file over the size limit is 413. The import itself is all or
    nothing: a file that cannot be read ends the job as failed and leaves no project behind.
    """
    user = request.auth
    if not scoping.can_anywhere(user, Action.CHANGE, Project):
        raise PermissionDenied("Your roles do not let you create projects in any org unit.")
    missing = []
    if file is None:
        missing.append(("file", "Choose the project file to import (send it as multipart/form-data)."))
    if org_unit is None:
        missing.append(("org_unit", "Name the org unit of the new project."))
    if missing:
        items = [{"loc": ["body", field], "msg": message, "type": "missing"} for field, message in missing]
        return Status(422, {"detail": items})
    unit = resolve_refs(user, {"org_unit": (_unit, org_unit)})["org_unit"]
    try:
        job = import_jobs.import_job_create(actor=user, org_unit=unit, upload=file, code=code, name=name)
    except import_jobs.FileTooLarge as error:
        return Status(413, _error("file", error.message_dict["file"][0], "too_large"))
    response["Location"] = f"{request.path.rstrip('/')}/{job.pk}"
    return Status(202, job)


@imports.get(
    "/imports/{import_id}",
    response=responses({200: ImportJobOut}, READ_ERRORS),
    summary="One import job",
)
def import_detail(request: HttpRequest, import_id: Id) -> Any:
    """The job's status and progress; once over, the summary of what came in, or the error."""
    return import_jobs.import_job_get_for_user(request.auth, import_id)


@imports.get(
    "/imports",
    response=responses({200: page_of(ImportJobOut)}, LIST_ERRORS),
    summary="Import jobs",
)
def import_list(request: HttpRequest, paging: Query[PageParams]) -> Any:
    """Import jobs in the org units you can see, newest first."""
    return page_response(import_jobs.import_job_list_for_user(request.auth), paging)
