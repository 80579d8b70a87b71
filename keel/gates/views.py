"""Gate pages: the PMO's methodology admin (methodologies, phases, gates, criteria), a project's gate page
(phase bar, checklist with met and missing items, deliverables, review request), choosing or changing a
project's methodology, the lifecycle history, a gate review with its decisions, and the reviewer's queue.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_safe

from keel.core.errors import ConflictError, PermissionDenied, error_text
from keel.core.views import add_domain_error, page, require_staff_area
from keel.gates import checks, selectors, services
from keel.gates.forms import (
    CriterionForm,
    DecisionForm,
    DefaultsForm,
    LifecycleForm,
    LinkForm,
    MethodologyCreateForm,
    MethodologyForm,
    PhaseForm,
    RequestForm,
    UploadForm,
)
from keel.gates.models import Criterion, Phase
from keel.orgs.scoping import Action

DOMAIN_ERRORS = (ValidationError, PermissionDenied, ConflictError)


def _int(value: Any) -> int | None:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if 0 < number < 2**31 else None


# --- methodology admin ----------------------------------------------------------------------------


@page
@require_http_methods(["GET", "POST"])
def methodology_list(request: HttpRequest) -> HttpResponse:
    """The methodologies the PMO administrator configures; define one or add Keel's defaults to a unit."""
    require_staff_area(selectors.can_configure(request.user))
    units = selectors.configurable_units(request.user)
    form = MethodologyCreateForm(units=units)
    defaults = DefaultsForm(units=units)
    if request.method == "POST":
        if request.POST.get("action") == "defaults":
            defaults = DefaultsForm(request.POST, units=units)
            if defaults.is_valid():
                try:
                    made = services.methodology_defaults_install(
                        actor=request.user, org_unit=defaults.cleaned_data["unit"]
                    )
                except DOMAIN_ERRORS as exc:
                    add_domain_error(defaults, exc)
                else:
                    names = ", ".join(m.name for m in made) or "none (the unit has them already)"
                    messages.success(request, f"Default methodologies added: {names}.")
                    return redirect("gates:methodology_list")
        else:
            form = MethodologyCreateForm(request.POST, units=units)
            if form.is_valid():
                try:
                    methodology = services.methodology_create(actor=request.user, **form.service_fields())
                except DOMAIN_ERRORS as exc:
                    add_domain_error(form, exc)
                else:
                    messages.success(request, f"{methodology.name} created; add its phases and gates.")
                    return redirect("gates:methodology_detail", methodology_id=methodology.pk)
    context = {
        "methodologies": list(selectors.methodology_list_for_user(request.user, Action.CHANGE)),
        "form": form,
        "defaults": defaults,
    }
    status = 422 if form.errors or defaults.errors else 200
    return render(request, "gates/methodology_list.html", context, status=status)


def _methodology_post(request: HttpRequest, methodology: Any) -> tuple[Any, str, Any]:
    """Apply one change of the methodology page; answer (form with errors or None, message, redirect)."""
    action = request.POST.get("action", "")
    user = request.user
    if action == "update":
        form = MethodologyForm(request.POST)
        if not form.is_valid():
            return form, "", None
        version = form.cleaned_data.get("version") or methodology.version
        services.methodology_update(
            actor=user, methodology=methodology, version=version, **form.service_fields()
        )
        return None, f"{methodology.name} saved.", None
    if action == "delete":
        services.methodology_delete(
            actor=user, methodology=methodology, version=_int(request.POST.get("version"))
        )
        return None, f"{methodology.name} deleted.", "gates:methodology_list"
    if action == "phase_add":
        form = PhaseForm(request.POST)
        if not form.is_valid():
            return form, "", None
        phase = services.phase_create(actor=user, methodology=methodology, **form.cleaned_data)
        return None, f"Phase {phase.name} added.", None
    phase = _phase_of(methodology, request.POST.get("phase"))
    if action == "phase_update" and phase is not None:
        form = PhaseForm(request.POST)
        if not form.is_valid():
            return form, "", None
        changes = {k: v for k, v in form.cleaned_data.items() if v not in (None, "") or k == "description"}
        services.phase_update(
            actor=user, phase=phase, version=_int(request.POST.get("version")) or phase.version, **changes
        )
        return None, f"Phase {phase.name} saved.", None
    if action == "phase_delete" and phase is not None:
        services.phase_delete(actor=user, phase=phase, version=_int(request.POST.get("version")))
        return None, f"Phase {phase.name} deleted.", None
    if action == "criterion_add" and phase is not None:
        form = CriterionForm(request.POST)
        if not form.is_valid():
            return form, "", None
        criterion = services.criterion_create(actor=user, phase=phase, **form.cleaned_data)
        return None, f"{criterion.title} added to {phase.gate_name}.", None
    criterion = _criterion_of(methodology, request.POST.get("criterion"))
    if action == "criterion_update" and criterion is not None:
        form = CriterionForm(request.POST)
        if not form.is_valid():
            return form, "", None
        changes = {k: v for k, v in form.cleaned_data.items() if v is not None}
        version = _int(request.POST.get("version")) or criterion.version
        services.criterion_update(actor=user, criterion=criterion, version=version, **changes)
        return None, f"{criterion.title} saved.", None
    if action == "criterion_delete" and criterion is not None:
        services.criterion_delete(actor=user, criterion=criterion, version=_int(request.POST.get("version")))
        return None, f"{criterion.title} deleted.", None
    raise ValidationError({"action": "Unknown change, or the phase or criterion is not of this methodology."})


def _phase_of(methodology: Any, value: Any) -> Phase | None:
    pk = _int(value)
    return (
        None
        if pk is None
        else methodology.phases.filter(pk=pk).select_related("methodology__org_unit").first()
    )


def _criterion_of(methodology: Any, value: Any) -> Criterion | None:
    pk = _int(value)
    if pk is None:
        return None
    qs = Criterion.objects.select_related("phase__methodology__org_unit")
    return qs.filter(pk=pk, phase__methodology=methodology).first()


@page
@require_http_methods(["GET", "POST"])
def methodology_detail(request: HttpRequest, methodology_id: int) -> HttpResponse:
    """One methodology: its settings, its phases in order and each gate's criteria, all editable."""
    methodology = selectors.methodology_get_for_user(request.user, methodology_id, Action.CHANGE)
    form = None
    errors: list[str] = []
    if request.method == "POST":
        try:
            form, message, target = _methodology_post(request, methodology)
        except DOMAIN_ERRORS as exc:
            errors = error_text(exc).splitlines()
        else:
            if form is None:
                messages.success(request, message)
                if target:
                    return redirect(target)
                return redirect("gates:methodology_detail", methodology_id=methodology.pk)
            errors = [f"{name}: {' '.join(msgs)}" for name, msgs in form.errors.items()]
        methodology.refresh_from_db()
    initial = {
        "name": methodology.name,
        "approach": methodology.approach,
        "description": methodology.description,
        "min_budget": methodology.min_budget,
        "max_budget": methodology.max_budget,
        "active": methodology.active,
        "version": methodology.version,
    }
    context = {
        "methodology": methodology,
        "form": MethodologyForm(initial=initial),
        "phases": selectors.phases_of(methodology),
        "phase_form": PhaseForm(),
        "criterion_form": CriterionForm(),
        "kinds": Criterion.Kind.choices,
        "check_choices": checks.CHECK_CHOICES,
        "role_choices": CriterionForm.base_fields["role"].choices,
        "errors": errors,
    }
    return render(request, "gates/methodology_detail.html", context, status=422 if errors else 200)


# --- a project's gate -----------------------------------------------------------------------------


def _gate_post(request: HttpRequest, project: Any) -> tuple[Any, str]:
    """Apply one action of the project's gate page; answer (form with errors or None, message)."""
    action = request.POST.get("action", "")
    user = request.user
    if action == "link":
        form = LinkForm(request.POST)
        if not form.is_valid():
            return form, ""
        criterion = selectors.criterion_get_for_user(user, form.cleaned_data["criterion"])
        services.deliverable_provide(
            actor=user,
            project=project,
            criterion=criterion,
            link=form.cleaned_data["link"],
            note=form.cleaned_data["note"],
        )
        return None, f"{criterion.title} provided."
    if action == "upload":
        form = UploadForm(request.POST, request.FILES)
        if not form.is_valid():
            return form, ""
        criterion = selectors.criterion_get_for_user(user, form.cleaned_data["criterion"])
        services.deliverable_provide(
            actor=user,
            project=project,
            criterion=criterion,
            upload=form.cleaned_data["file"],
            note=form.cleaned_data["note"],
        )
        return None, f"{criterion.title} uploaded."
    if action == "remove":
        deliverable = selectors.deliverable_get_for_user(
            user, _int(request.POST.get("deliverable")), Action.CHANGE
        )
        if deliverable.project_id != project.pk:
            raise ValidationError({"deliverable": "The deliverable is not of this project."})
        services.deliverable_remove(actor=user, deliverable=deliverable)
        return None, f"{deliverable.criterion.title} withdrawn."
    if action == "request":
        form = RequestForm(request.POST)
        if not form.is_valid():
            return form, ""
        review = services.review_request(actor=user, project=project, comment=form.cleaned_data["comment"])
        if review.status == review.Status.PASSED:
            return None, f"{review.phase.gate_name} passed (it needs no approvals)."
        return None, f"Gate review requested: {review.phase.gate_name}. The reviewers are told."
    raise ValidationError({"action": "Unknown action."})


@page
@require_http_methods(["GET", "POST"])
def project_gate(request: HttpRequest, project_id: int) -> HttpResponse:
    """The project's gate page: methodology and phase bar, the gate's checklist (automatic checks evaluated
    now), deliverables to provide, the review request and the pending review."""
    if request.method == "POST":
        project = selectors.project_for_user(request.user, project_id, Action.CHANGE)
    else:
        project = selectors.project_for_user(request.user, project_id)
    errors: list[str] = []
    if request.method == "POST":
        try:
            form, message = _gate_post(request, project)
        except DOMAIN_ERRORS as exc:
            errors = error_text(exc).splitlines()
        else:
            if form is None:
                messages.success(request, message)
                return redirect("gates:project", project_id=project.pk)
            errors = [f"{name}: {' '.join(msgs)}" for name, msgs in form.errors.items()]
    state = selectors.gate_state(request.user, project)
    context = {"project": project, "state": state, "errors": errors, "request_form": RequestForm()}
    return render(request, "gates/project.html", context, status=422 if errors else 200)


@page
@require_http_methods(["GET", "POST"])
def project_methodology(request: HttpRequest, project_id: int) -> HttpResponse:
    """Choose the project's methodology (its managers), or move it to another (PMO, with a reason)."""
    project = selectors.project_for_user(request.user, project_id, Action.CHANGE)
    lifecycle = selectors.lifecycle_of(project)
    if lifecycle is not None and not selectors.can_configure(request.user, project.org_unit):
        raise PermissionDenied("Only the PMO moves a project to another methodology.")
    choices = selectors.methodologies_for_unit(project.org_unit)
    initial = {"methodology": selectors.suggested_methodology(project)} if lifecycle is None else {}
    form = LifecycleForm(request.POST or None, methodologies=choices, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if lifecycle is None:
                services.lifecycle_start(actor=request.user, project=project, methodology=data["methodology"])
            else:
                services.lifecycle_change(
                    actor=request.user,
                    project=project,
                    methodology=data["methodology"],
                    reason=data["reason"],
                    mapping=data["mapping"] or "map",
                )
        except DOMAIN_ERRORS as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, f"{project.code} follows {data['methodology'].name}.")
            return redirect("gates:project", project_id=project.pk)
    context = {"project": project, "lifecycle": lifecycle, "form": form}
    return render(request, "gates/project_methodology.html", context, status=422 if form.errors else 200)


@page
@require_safe
def project_history(request: HttpRequest, project_id: int) -> HttpResponse:
    """The project's lifecycle: methodology chosen or changed (with reasons), gates passed, every review."""
    project, events, reviews = selectors.history_for_project(request.user, project_id)
    return render(request, "gates/history.html", {"project": project, "events": events, "reviews": reviews})


@page
@require_safe
def deliverable(request: HttpRequest, deliverable_id: int) -> HttpResponse:
    """A provided deliverable: its document as a download, or its link."""
    item = selectors.deliverable_get_for_user(request.user, deliverable_id)
    if item.file:
        try:
            handle = item.file.open("rb")
        except FileNotFoundError as exc:
            raise Http404("The document is no longer stored.") from exc
        return FileResponse(handle, as_attachment=True, filename=item.file_name or "document")
    return render(request, "gates/deliverable.html", {"item": item, "project": item.project})


# --- reviews --------------------------------------------------------------------------------------


@page
@require_http_methods(["GET", "POST"])
def review(request: HttpRequest, review_id: int) -> HttpResponse:
    """A gate review: the checklist when it was requested, the decisions, and the reviewer's decision form."""
    item = selectors.review_get_for_user(request.user, review_id)
    approvals = selectors.approvals_for(request.user, item)
    if request.method == "POST" and not selectors.can_decide(request.user, item):
        raise PermissionDenied("You hold none of the roles this gate needs approvals from.")
    form = DecisionForm(request.POST or None, approvals=approvals)
    if request.method == "POST" and form.is_valid():
        pk = form.cleaned_data.get("criterion")
        criterion = next((c for c in approvals if c.pk == pk), None)
        try:
            services.review_decide(
                actor=request.user,
                review=item,
                outcome=form.cleaned_data["outcome"],
                comment=form.cleaned_data["comment"],
                criterion=criterion,
            )
        except DOMAIN_ERRORS as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, "Decision recorded; the project manager is told.")
            return redirect("gates:review", review_id=item.pk)
    context = {
        "review": item,
        "project": item.project,
        "form": form,
        "approvals": approvals,
        "can_decide": bool(approvals) and item.requested_by_id != request.user.pk,
    }
    return render(request, "gates/review.html", context, status=422 if form.errors else 200)


@page
@require_safe
def queue(request: HttpRequest) -> HttpResponse:
    """Gate reviews waiting for me: pending reviews with an approval my roles let me decide."""
    return render(request, "gates/queue.html", {"reviews": selectors.reviews_waiting_for(request.user)})
