"""Pages of notifications: your notifications (filter by kind, mark read, mark all read), your e-mail
settings, the bell of the top bar (an htmx fragment that refreshes itself), and the comment threads of a
project and of a task (a fragment included on their pages, and a page of its own)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_safe

from keel.core.errors import NotFound, PermissionDenied
from keel.core.pagination import paginate
from keel.core.views import add_domain_error, is_partial, page, render_page
from keel.notifications import selectors, services
from keel.notifications.forms import CommentForm, NotificationActionForm, PreferencesForm
from keel.notifications.models import Kind
from keel.notifications.templatetags.keel_notifications import thread_context


def _page_number(request: HttpRequest) -> int:
    try:
        return max(1, min(int(request.GET.get("page", 1)), 1_000_000))
    except (TypeError, ValueError):
        return 1


def _list_context(request: HttpRequest, form: NotificationActionForm | None = None) -> dict[str, Any]:
    kind = request.GET.get("kind", "")
    kind = kind if kind in Kind.values else ""
    unread = request.GET.get("unread") == "1"
    rows = selectors.notification_list_for_user(request.user, kind=kind, unread=unread)
    return {
        "page": paginate(rows, page=_page_number(request), size=25),
        "kind": kind,
        "unread": unread,
        "kinds": Kind.choices,
        "unread_count": selectors.unread_count(request.user),
        "form": form,
        "query_string": request.GET.urlencode(),
        "hx_target": "#notification-list",
    }


@page
@require_http_methods(["GET", "HEAD", "POST"])
def notification_list(request: HttpRequest) -> HttpResponse:
    """Your notifications, newest first, filtered by kind or unread; mark one read or unread, or all read."""
    form = None
    status = 200
    if request.method == "POST":
        form = NotificationActionForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                if data["action"] == "read_all":
                    count = services.notification_mark_all_read(actor=request.user, kind=data["kind"])
                    if not is_partial(request):
                        messages.success(
                            request, f"{count} notification{'s' if count != 1 else ''} marked read."
                        )
                else:
                    notification = selectors.notification_get_own(request.user, data["notification"])
                    services.notification_mark_read(
                        actor=request.user, notification=notification, read=data["action"] == "read"
                    )
            except NotFound:
                form.add_error("notification", "There is no such notification of yours.")
            except ValidationError as exc:
                add_domain_error(form, exc)
            else:
                if not is_partial(request):
                    query = request.GET.urlencode()
                    return redirect(reverse("notifications:list") + (f"?{query}" if query else ""))
                form = None
        if form is not None and form.errors:
            status = 422
    context = _list_context(request, form)
    return render_page(
        request, "notifications/list.html", context, partial="notifications/_list.html", status=status
    )


@page
@require_http_methods(["GET", "HEAD", "POST"])
def preferences(request: HttpRequest) -> HttpResponse:
    """Your choice, per kind, of e-mail at once, a daily digest, or none (in-app is always on)."""
    current = selectors.preferences_for_user(request.user)
    form = PreferencesForm(request.POST or None, initial={p.kind: p.delivery for p in current})
    if request.method == "POST" and form.is_valid():
        try:
            services.preference_set(actor=request.user, deliveries=dict(form.cleaned_data))
        except ValidationError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, "Your notification settings are saved.")
            return redirect("notifications:settings")
    status = 422 if form.errors else 200
    return render(request, "notifications/settings.html", {"form": form, "current": current}, status=status)


@page
@require_safe
def bell(request: HttpRequest) -> HttpResponse:
    """The bell with the unread count (the top bar reloads it every minute)."""
    return render(request, "notifications/_bell.html", {"unread": selectors.unread_count(request.user)})


def _next(request: HttpRequest) -> str:
    """The page the comment form was on (a local path only), to go back to after posting."""
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts=None) and target.startswith("/"):
        return target.split("#", 1)[0] + "#comments"
    return ""


def _thread(request: HttpRequest, project: Any, task: Any) -> HttpResponse:
    form = CommentForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if not selectors.can_comment(request.user, project):
            raise PermissionDenied("You may read this project's comments but not add one.")
        if form.is_valid():
            try:
                reply_to = None
                if form.cleaned_data["reply_to"]:
                    try:
                        reply_to = selectors.comment_get(project, task, form.cleaned_data["reply_to"])
                    except NotFound as exc:
                        raise ValidationError(
                            {"reply_to": "There is no such comment in this thread."}
                        ) from exc
                comment = services.comment_create(
                    actor=request.user,
                    project=project,
                    task=task,
                    text=form.cleaned_data["text"],
                    reply_to=reply_to,
                )
            except (ValidationError, PermissionDenied) as exc:
                add_domain_error(form, exc)
            else:
                if not is_partial(request):
                    return redirect(_next(request) or services.comments_url(comment))
                form = CommentForm()
        if form.errors:
            status = 422
    context = thread_context(request, project, task, form)
    return render_page(
        request, "notifications/comments.html", context, partial="notifications/_comments.html", status=status
    )


@page
@require_http_methods(["GET", "HEAD", "POST"])
def project_comments(request: HttpRequest, project_id: int) -> HttpResponse:
    """The comments on a project: read them, add one or reply (htmx swaps the thread)."""
    project = selectors.project_for_comments(request.user, project_id)
    return _thread(request, project, None)


@page
@require_http_methods(["GET", "HEAD", "POST"])
def task_comments(request: HttpRequest, task_id: int) -> HttpResponse:
    """The comments on a task: read them, add one or reply (htmx swaps the thread)."""
    task = selectors.task_for_comments(request.user, task_id)
    return _thread(request, task.project, task)
