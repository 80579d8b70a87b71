"""Pages of project-file imports: the upload form, and the job page that follows the import."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_http_methods, require_safe

from keel.core.errors import PermissionDenied
from keel.core.views import add_domain_error, page, render_page
from keel.orgs import scoping
from keel.orgs.scoping import Action
from keel.portfolio.models import Project
from keel.schedule import import_jobs
from keel.schedule.import_forms import ImportForm

RECENT_JOBS = 10


@page
@require_http_methods(["GET", "POST"])
def import_start(request: HttpRequest) -> HttpResponse:
    """Upload a project file to import as a new project in a unit where the user may create projects."""
    if not scoping.can_anywhere(request.user, Action.CHANGE, Project):
        raise PermissionDenied("Your roles do not let you create projects in any org unit.")
    form = ImportForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        values = form.cleaned_data
        try:
            job = import_jobs.import_job_create(
                actor=request.user,
                org_unit=values["org_unit"],
                upload=values["file"],
                code=values["code"],
                name=values["name"],
            )
        except (ValidationError, PermissionDenied) as error:
            add_domain_error(form, error)
        else:
            return redirect("schedule:import_job", job_id=job.pk)
    jobs = import_jobs.import_job_list_for_user(request.user)[:RECENT_JOBS]
    status = 422 if form.errors else 200
    return render_page(request, "schedule/import.html", {"form": form, "jobs": jobs}, status=status)


@page
@require_safe
def import_job(request: HttpRequest, job_id: int) -> HttpResponse:
    """An import's progress (polled every second while it runs), then what came in or why it failed."""
    job = import_jobs.import_job_get_for_user(request.user, job_id)
    by_type = job.summary.get("dependencies_by_type", {})
    context = {
        "job": job,
        "start": _shown(job.summary.get("start")),
        "finish": _shown(job.summary.get("finish")),
        "links_by_type": ", ".join(f"{count} {kind}" for kind, count in by_type.items() if count),
    }
    return render_page(request, "schedule/import_job.html", context, partial="schedule/_import_job.html")


def _shown(value: str | None) -> str:
    """A summary date (ISO 8601 in the project's zone) as wall-clock text, "2025-03-03 08:00"."""
    return value[:16].replace("T", " ") if value else ""
