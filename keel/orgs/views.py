"""Pages of the organisation: personal API tokens and, for PMO administrators, units, people and roles."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_safe

from keel.core.errors import ConflictError, PermissionDenied
from keel.core.pagination import paginate
from keel.core.views import add_domain_error, page, render_page, require_staff_area
from keel.orgs import selectors, services
from keel.orgs.forms import ConfirmForm, MembershipForm, OrgUnitForm, TokenCreateForm, UserCreateForm
from keel.orgs.scoping import Action


def _page_number(request: HttpRequest) -> int:
    try:
        return max(1, int(request.GET.get("page", 1)))
    except (TypeError, ValueError):
        return 1


# -- personal API tokens ---------------------------------------------------------------------------
@page
@require_http_methods(["GET", "POST"])
def token_list(request: HttpRequest) -> HttpResponse:
    """The user's API tokens; creating one shows its secret once, on this response only."""
    form = TokenCreateForm(request.POST or None)
    created = plaintext = None
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                created, plaintext = services.api_token_create(
                    user=request.user, name=form.cleaned_data["name"]
                )
            except ValidationError as exc:
                add_domain_error(form, exc)
            else:
                form = TokenCreateForm()
                status = 201
        if form.errors:
            status = 422
    context = {
        "form": form,
        "tokens": selectors.api_token_list(request.user),
        "created": created,
        "plaintext": plaintext,
    }
    response = render(request, "orgs/token_list.html", context, status=status)
    if plaintext:
        response["Cache-Control"] = "no-store"
    return response


@page
@require_http_methods(["GET", "POST"])
def token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    """Ask, then revoke one of the user's tokens; programs using it lose access at once."""
    token = selectors.api_token_get(request.user, token_id)
    if request.method == "POST":
        services.api_token_revoke(user=request.user, token_id=token.pk)
        messages.success(request, f"Token “{token.name}” revoked.")
        return redirect("orgs:token_list")
    return render(request, "orgs/token_confirm_revoke.html", {"token": token, "form": ConfirmForm()})


# -- org units -------------------------------------------------------------------------------------
@page
@require_safe
def unit_list(request: HttpRequest) -> HttpResponse:
    """The org units the PMO administrator looks after, as a tree."""
    require_staff_area(selectors.is_pmo_admin(request.user))
    units = selectors.org_unit_list_for_user(request.user, Action.ADMIN)
    return render(request, "orgs/unit_list.html", {"units": units})


@page
@require_http_methods(["GET", "POST"])
def unit_create(request: HttpRequest) -> HttpResponse:
    """Add an org unit under one the user administers."""
    require_staff_area(selectors.is_pmo_admin(request.user))
    initial = {"parent": request.GET.get("parent")} if request.GET.get("parent") else None
    form = OrgUnitForm(request.POST or None, initial=initial, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            unit = services.org_unit_create(actor=request.user, **form.service_fields())
        except (ValidationError, PermissionDenied) as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, f"Org unit {unit.code} created.")
            return redirect("orgs:unit_list")
    status = 422 if form.errors else 200
    return render(request, "orgs/unit_form.html", {"form": form, "unit": None}, status=status)


@page
@require_http_methods(["GET", "POST"])
def unit_update(request: HttpRequest, unit_id: int) -> HttpResponse:
    """Edit an org unit; moving it moves its subtree; a stale save is refused."""
    unit = selectors.org_unit_get_for_user(request.user, unit_id, Action.ADMIN)
    form = OrgUnitForm(request.POST or None, instance=unit, user=request.user)
    status = 200
    if request.method == "POST" and form.is_valid():
        stored = selectors.org_unit_get_for_user(request.user, unit_id, Action.ADMIN)
        try:
            services.org_unit_update(
                actor=request.user, unit=stored, version=form.cleaned_data["version"], **form.service_fields()
            )
        except ConflictError as exc:
            form.add_error(None, str(exc))
            return render(
                request, "orgs/unit_form.html", {"form": form, "unit": stored, "conflict": True}, status=409
            )
        except (ValidationError, PermissionDenied) as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, f"Org unit {stored.code} saved.")
            return redirect("orgs:unit_list")
    if form.errors:
        status = 422
    return render(request, "orgs/unit_form.html", {"form": form, "unit": unit}, status=status)


# -- people and roles ------------------------------------------------------------------------------
@page
@require_safe
def user_list(request: HttpRequest) -> HttpResponse:
    """People holding a role in the units the PMO administrator looks after."""
    require_staff_area(selectors.is_pmo_admin(request.user))
    q = request.GET.get("q", "").strip()
    people = selectors.user_list_with_roles(request.user, q)
    context = {
        "q": q,
        "page": paginate(people, page=_page_number(request), size=settings.KEEL_PAGE_SIZE),
        "hx_target": "#user-table",
    }
    return render_page(request, "orgs/user_list.html", context, partial="orgs/_user_table.html")


@page
@require_http_methods(["GET", "POST"])
def user_create(request: HttpRequest) -> HttpResponse:
    """Add a person with a first role in a unit the user administers."""
    require_staff_area(selectors.is_pmo_admin(request.user))
    form = UserCreateForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            person = services.user_create(
                actor=request.user,
                username=data["username"],
                email=data["email"],
                first_name=data["first_name"],
                last_name=data["last_name"],
                password=data["password"] or None,
                unit=data["unit"],
                role=data["role"],
            )
        except (ValidationError, PermissionDenied) as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, f"{person} added as {dict(form.fields['role'].choices)[data['role']]}.")
            return redirect("orgs:user_detail", user_id=person.pk)
    status = 422 if form.errors else 200
    return render(request, "orgs/user_form.html", {"form": form}, status=status)


@page
@require_http_methods(["GET", "POST"])
def user_detail(request: HttpRequest, user_id: int) -> HttpResponse:
    """A person's roles in the administrator's units, with a form to add one."""
    person = selectors.user_get_for_user(request.user, user_id, Action.ADMIN)
    form = MembershipForm(request.POST or None, user=request.user)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            membership = services.membership_create(
                actor=request.user,
                user=person,
                unit=form.cleaned_data["unit"],
                role=form.cleaned_data["role"],
            )
        except (ValidationError, PermissionDenied) as exc:
            add_domain_error(form, exc)
        else:
            messages.success(
                request, f"{person} is now {membership.get_role_display()} in {membership.unit.code}."
            )
            return redirect("orgs:user_detail", user_id=person.pk)
    if form.errors:
        status = 422
    context = {
        "person": person,
        "memberships": selectors.membership_list_for_person(request.user, person),
        "form": form,
    }
    return render(request, "orgs/user_detail.html", context, status=status)


@page
@require_http_methods(["GET", "POST"])
def membership_delete(request: HttpRequest, membership_id: int) -> HttpResponse:
    """Ask, then remove a role membership."""
    membership = selectors.membership_get_for_user(request.user, membership_id, Action.ADMIN)
    if request.method == "POST":
        services.membership_delete(actor=request.user, membership=membership)
        messages.success(
            request,
            f"{membership.user} no longer holds {membership.get_role_display()} in {membership.unit.code}.",
        )
        return redirect("orgs:user_detail", user_id=membership.user_id)
    return render(
        request, "orgs/membership_confirm_delete.html", {"membership": membership, "form": ConfirmForm()}
    )
