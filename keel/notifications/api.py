"""JSON endpoints of notifications: your notifications (list, unread count, mark read), your e-mail
preferences, and the comments of a project or a task (with @mentions).

Notifications and preferences are personal (tagged ``account``): each person reaches only their own,
someone else's notification is 404 like a missing one. Comments follow the project's scope: out of
scope is 404, an executive viewer reads but may not comment (403).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from ninja import Body, Query, Router, Status

from keel.core.api import (
    Id,
    PageParams,
    page_of,
    page_response,
    responses,
)
from keel.core.errors import NotFound, PermissionDenied
from keel.notifications import selectors, services
from keel.notifications.schemas import (
    CommentCreatedOut,
    CommentIn,
    CommentOut,
    NotificationCountOut,
    NotificationFilterIn,
    NotificationOut,
    NotificationPreferenceOut,
    NotificationPreferencesIn,
    NotificationReadAllIn,
    NotificationReadAllOut,
    NotificationReadIn,
)

notifications = Router(tags=["notifications"])
PERSONAL = ["notifications", "account"]
CREATE_ERRORS = (401, 403, 404, 422)
OPTIONAL_BODY = Body(None)


# --- your notifications ----------------------------------------------------------------------------


@notifications.get(
    "/notifications",
    response=responses({200: page_of(NotificationOut)}, (401, 422)),
    summary="Your notifications",
    tags=PERSONAL,
)
def notification_list(
    request: HttpRequest, filters: Query[NotificationFilterIn], paging: Query[PageParams]
) -> Any:
    """Your notifications, newest first; `kind` keeps one kind, `unread=true` only the unread ones."""
    rows = selectors.notification_list_for_user(request.auth, kind=filters.kind or "", unread=filters.unread)
    return page_response(rows, paging)


@notifications.get(
    "/notifications/unread-count",
    response=responses({200: NotificationCountOut}, (401,)),
    summary="How many of your notifications are unread",
    tags=PERSONAL,
)
def notification_unread_count(request: HttpRequest) -> Any:
    """The number the bell in the top bar shows."""
    return {"unread": selectors.unread_count(request.auth)}


@notifications.post(
    "/notifications/{notification_id}/read",
    response=responses({200: NotificationOut}, (401, 404, 422)),
    summary="Mark one of your notifications read (or unread)",
    tags=PERSONAL,
)
def notification_read(
    request: HttpRequest, notification_id: Id, payload: NotificationReadIn | None = OPTIONAL_BODY
) -> Any:
    """Mark it read (the default) or, with `{"read": false}`, unread again."""
    notification = selectors.notification_get_own(request.auth, notification_id)
    read = payload.read if payload is not None else True
    return services.notification_mark_read(actor=request.auth, notification=notification, read=read)


@notifications.post(
    "/notifications/read-all",
    response=responses({200: NotificationReadAllOut}, (401, 422)),
    summary="Mark all your notifications read",
    tags=PERSONAL,
)
def notification_read_all(request: HttpRequest, payload: NotificationReadAllIn | None = OPTIONAL_BODY) -> Any:
    """Mark every unread notification of yours read (only those of `kind`, when given)."""
    kind = (payload.kind if payload is not None else None) or ""
    return {"marked": services.notification_mark_all_read(actor=request.auth, kind=kind)}


# --- your preferences ------------------------------------------------------------------------------


@notifications.get(
    "/notifications/preferences",
    response=responses({200: list[NotificationPreferenceOut]}, (401,)),
    summary="Your e-mail preferences per kind",
    tags=PERSONAL,
)
def notification_preferences(request: HttpRequest) -> Any:
    """For each kind: e-mail at once, in the daily digest, or none (you always see it in the app)."""
    return selectors.preferences_for_user(request.auth)


@notifications.put(
    "/notifications/preferences",
    response=responses({200: list[NotificationPreferenceOut]}, (401, 422)),
    summary="Set your e-mail preferences",
    tags=PERSONAL,
)
def notification_preferences_set(request: HttpRequest, payload: NotificationPreferencesIn) -> Any:
    """Set the delivery of the kinds you send (`{"report": "digest", "mention": "immediate"}`); the
    others keep theirs. Applies to notifications written from now on."""
    chosen = {kind: value for kind, value in payload.dict(exclude_unset=True).items() if value is not None}
    return services.preference_set(actor=request.auth, deliveries=chosen)


# --- comments --------------------------------------------------------------------------------------


def _reply_to(project: Any, task: Any, pk: int | None) -> Any:
    if pk is None:
        return None
    try:
        return selectors.comment_get(project, task, pk)
    except NotFound as exc:
        raise ValidationError({"reply_to": f"There is no comment with id {pk} in this thread."}) from exc


def _create(request: HttpRequest, project: Any, task: Any, payload: CommentIn) -> Any:
    if not selectors.can_comment(request.auth, project):
        raise PermissionDenied("You may read this project's comments but not add one.")
    reply_to = _reply_to(project, task, payload.reply_to)
    comment = services.comment_create(
        actor=request.auth, project=project, task=task, text=payload.text, reply_to=reply_to
    )
    return Status(201, comment)


@notifications.get(
    "/projects/{project_id}/comments",
    response=responses({200: page_of(CommentOut)}),
    summary="A project's comments",
)
def project_comment_list(request: HttpRequest, project_id: Id, paging: Query[PageParams]) -> Any:
    """The comments on the project itself (not on its tasks), oldest first."""
    project = selectors.project_for_comments(request.auth, project_id)
    return page_response(selectors.comment_queryset(project, None), paging)


@notifications.post(
    "/projects/{project_id}/comments",
    response=responses({201: CommentCreatedOut}, CREATE_ERRORS),
    summary="Comment on a project",
)
def project_comment_create(request: HttpRequest, project_id: Id, payload: CommentIn) -> Any:
    """Add a comment (or a reply); each `@username` who can see the project is told."""
    project = selectors.project_for_comments(request.auth, project_id)
    return _create(request, project, None, payload)


@notifications.get(
    "/tasks/{task_id}/comments",
    response=responses({200: page_of(CommentOut)}),
    summary="A task's comments",
)
def task_comment_list(request: HttpRequest, task_id: Id, paging: Query[PageParams]) -> Any:
    """The comments on the task, oldest first."""
    task = selectors.task_for_comments(request.auth, task_id)
    return page_response(selectors.comment_queryset(task.project, task), paging)


@notifications.post(
    "/tasks/{task_id}/comments",
    response=responses({201: CommentCreatedOut}, CREATE_ERRORS),
    summary="Comment on a task",
)
def task_comment_create(request: HttpRequest, task_id: Id, payload: CommentIn) -> Any:
    """Add a comment (or a reply) on the task; each `@username` who can see the project is told."""
    task = selectors.task_for_comments(request.auth, task_id)
    return _create(request, task.project, task, payload)
