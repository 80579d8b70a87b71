"""Keel's Django admin: open to PMO administrators, scoped like every other page, writing through services.

Django's per-model permission table plays no part: who may see or change a record follows from the
user's role memberships (keel.orgs.scoping), exactly as in the pages and the API. Changelists and
change views only reach records in the user's scope (an object outside it reads as missing), and
foreign-key choices are scoped too. Saves and deletions call the apps' services, so they are
validated, versioned and audited like any other write.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError
from django.db import models
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse

from keel.core.errors import DomainError, validation_errors
from keel.core.models import AuditEntry
from keel.orgs import scoping
from keel.orgs import selectors as org_selectors
from keel.orgs.models import OrgUnit, User
from keel.orgs.scoping import Action


class KeelAdminSite(admin.AdminSite):
    """The admin site: superusers and active PMO administrators get in; everyone signs in through Keel."""

    site_header = "Keel administration"
    site_title = "Keel admin"
    index_title = "Records in your administration scope"
    site_url = "/"

    def has_permission(self, request: HttpRequest) -> bool:
        """Superusers and active users holding a PMO administrator role somewhere."""
        user = request.user
        return bool(
            user.is_authenticated
            and user.is_active
            and (user.is_superuser or org_selectors.is_pmo_admin(user))
        )

    def login(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
        """Keel has one sign-in page; a signed-in user without the role is refused, not asked again."""
        if request.user.is_authenticated:
            if self.has_permission(request):
                return HttpResponseRedirect(request.GET.get("next") or reverse("admin:index"))
            raise DjangoPermissionDenied("The admin is for PMO administrators.")
        return redirect_to_login(request.GET.get("next") or reverse("admin:index"), reverse("login"))


admin_site = KeelAdminSite(name="admin")
# Bulk deletion would bypass the services (and their audit trail): records are deleted one at a time.
admin_site.disable_action("delete_selected")


def error_message(error: Exception) -> str:
    """A service error as one readable line naming the fields."""
    if isinstance(error, ValidationError):
        parts = []
        for field, msgs in validation_errors(error).items():
            text = " ".join(msgs)
            parts.append(text if field == "__all__" else f"{field.replace('_', ' ')}: {text}")
        return "; ".join(parts)
    return str(error)


class VersionedAdminForm(forms.ModelForm):
    """Carries the version the user edited, so a stale save is refused instead of overwriting."""

    keel_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            self.fields["keel_version"].initial = self.instance.version


class ScopedModelAdmin(admin.ModelAdmin):
    """A ModelAdmin whose rows, permissions and choices follow keel.orgs.scoping."""

    view_action = Action.VIEW
    change_action = Action.CHANGE
    # The fields the services accept; the admin form shows no others.
    service_fields: tuple[str, ...] = ()

    # -- scope ---------------------------------------------------------------------------------
    def scope_unit(self, obj: models.Model) -> OrgUnit | None:
        """The org unit a record belongs to, from the model's `scope_path`."""
        lookup = self.model.scope_path.rsplit("__", 1)[0] if "__" in self.model.scope_path else ""
        return obj if not lookup else getattr(obj, lookup)  # type: ignore[return-value]

    def get_queryset(self, request: HttpRequest) -> models.QuerySet:
        return scoping.visible(request.user, super().get_queryset(request), self.view_action)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self.admin_site.has_permission(request)

    def has_view_permission(self, request: HttpRequest, obj: models.Model | None = None) -> bool:
        # Objects come from get_queryset, which already holds only what the user may see.
        return self.admin_site.has_permission(request)

    def has_change_permission(self, request: HttpRequest, obj: models.Model | None = None) -> bool:
        if not self.admin_site.has_permission(request):
            return False
        if obj is None:
            return scoping.can_anywhere(request.user, self.change_action, self.model)
        return scoping.can(request.user, self.change_action, self.model, self.scope_unit(obj))

    def has_add_permission(self, request: HttpRequest) -> bool:
        return self.admin_site.has_permission(request) and scoping.can_anywhere(
            request.user, self.change_action, self.model
        )

    def has_delete_permission(self, request: HttpRequest, obj: models.Model | None = None) -> bool:
        return self.has_change_permission(request, obj)

    def scoped_choices(self, request: HttpRequest, related: type[models.Model]) -> models.QuerySet | None:
        """The records a foreign key to `related` may point to (None: leave Django's default)."""
        user = request.user
        if related is OrgUnit:
            return org_selectors.org_unit_list_where(user, self.model, self.change_action)
        if related is User:
            return org_selectors.user_list_for_user(user)
        if hasattr(related, "scope_path"):
            return scoping.visible(user, related._default_manager.all())
        return None

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        choices = self.scoped_choices(request, db_field.related_model)
        if choices is not None:
            kwargs["queryset"] = choices
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    # -- writes through services ---------------------------------------------------------------
    def create_record(self, request: HttpRequest, values: dict[str, Any]) -> models.Model:
        """Create the record through its service."""
        raise NotImplementedError

    def update_record(
        self, request: HttpRequest, record: models.Model, version: int | None, changes: dict[str, Any]
    ) -> None:
        """Change the record through its service."""
        raise NotImplementedError

    def delete_record(self, request: HttpRequest, record: models.Model) -> None:
        """Delete the record through its service."""
        raise NotImplementedError

    def save_model(self, request: HttpRequest, obj: models.Model, form: Any, change: bool) -> None:
        names = self.service_fields or tuple(form.cleaned_data)
        if change:
            stored = self.get_queryset(request).get(pk=obj.pk)
            changes = {name: form.cleaned_data[name] for name in form.changed_data if name in names}
            version = form.cleaned_data.get("keel_version") or getattr(stored, "version", None)
            self.update_record(request, stored, version, changes)
            if hasattr(stored, "version"):
                obj.version = stored.version  # type: ignore[attr-defined]
        else:
            values = {name: form.cleaned_data[name] for name in names if name in form.cleaned_data}
            created = self.create_record(request, values)
            obj.pk = created.pk
            obj._state.adding = False

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        form.save_m2m()
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    def delete_model(self, request: HttpRequest, obj: models.Model) -> None:
        self.delete_record(request, obj)

    def _refuse(self, request: HttpRequest, error: Exception) -> HttpResponse:
        """Show a service's refusal and return to the page; the transaction rolled back."""
        messages.error(request, f"Nothing was saved. {error_message(error)}")
        return HttpResponseRedirect(request.get_full_path())

    def changeform_view(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return super().changeform_view(request, *args, **kwargs)
        except (ValidationError, DomainError) as exc:
            return self._refuse(request, exc)

    def delete_view(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return super().delete_view(request, *args, **kwargs)
        except (ValidationError, DomainError) as exc:
            return self._refuse(request, exc)

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        if hasattr(self.model, "version") and "form" not in kwargs:
            kwargs["form"] = VersionedAdminForm
        return super().get_form(request, obj, change, **kwargs)


@admin.register(AuditEntry, site=admin_site)
class AuditEntryAdmin(ScopedModelAdmin):
    """The audit trail, read-only, limited to the units the user administers."""

    view_action = Action.ADMIN
    list_display = ("at", "actor", "action", "content_type", "object_repr", "object_id")
    list_filter = ("action", "at")
    search_fields = ("object_repr", "object_id", "actor__username")
    date_hierarchy = "at"
    list_select_related = ("actor", "content_type")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ReadOnlyScopedModelAdmin(ScopedModelAdmin):
    """Records that change only through their pages and services (workflows, audit trails): the admin
    lists and shows them, in the user's scope, and offers no add, change or delete."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
