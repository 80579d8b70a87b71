"""Reads of notifications, preferences and comments.

Notifications and preferences are personal: every read here filters by the person asking, so nobody
ever sees another person's notifications (someone else's id is NotFound, like a missing one). Comments
belong to a project and are read through the scoping layer like the project itself.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import QuerySet

from keel.core.errors import NotFound
from keel.notifications.models import DEFAULT_DELIVERY, Comment, Delivery, Kind, Notification, Preference
from keel.orgs import scoping
from keel.orgs.scoping import Action
from keel.portfolio import selectors as portfolio_selectors
from keel.portfolio.models import Project
from keel.schedule import selectors as schedule_selectors
from keel.schedule.models import Task

MENTION = re.compile(r"(?<![\w@.])@([\w.+-]{1,150})")
"""An @username in a comment (Django usernames: letters, digits and @ . + - _; a trailing dot ends it)."""


def _signed_in(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


# --- notifications ---------------------------------------------------------------------------------


def notification_list_for_user(user: Any, *, kind: str = "", unread: bool = False) -> QuerySet[Notification]:
    """The user's own notifications, newest first, optionally of one kind or only the unread ones."""
    if not _signed_in(user):
        return Notification.objects.none()
    rows = Notification.objects.filter(recipient=user).select_related("project")
    if kind:
        rows = rows.filter(kind=kind)
    if unread:
        rows = rows.filter(read_at__isnull=True)
    return rows


def unread_count(user: Any) -> int:
    """How many of the user's notifications are unread (one indexed count)."""
    if not _signed_in(user):
        return 0
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def notification_get_own(user: Any, pk: Any) -> Notification:
    """One of the user's own notifications; NotFound for anyone else's or a missing one."""
    try:
        return notification_list_for_user(user).get(pk=pk)
    except (Notification.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFound("notification") from exc


# --- preferences -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class KindPreference:
    """The e-mail delivery in force for one kind, and whether the person chose it."""

    kind: str
    label: str
    delivery: str
    chosen: bool

    @property
    def delivery_label(self) -> str:
        """The delivery in words."""
        return Delivery(self.delivery).label


def deliveries_for(users: Iterable[Any], kind: str) -> dict[int, str]:
    """The delivery of `kind` for each user id (their choice, else the default), in one query."""
    ids = [user.pk for user in users]
    chosen = dict(Preference.objects.filter(user_id__in=ids, kind=kind).values_list("user_id", "delivery"))
    return {pk: chosen.get(pk, DEFAULT_DELIVERY[kind]) for pk in ids}


def preferences_for_user(user: Any) -> list[KindPreference]:
    """The user's delivery for every kind, in the order of the kinds."""
    chosen = {}
    if _signed_in(user):
        chosen = dict(Preference.objects.filter(user=user).values_list("kind", "delivery"))
    return [
        KindPreference(
            kind=kind.value,
            label=kind.label,
            delivery=chosen.get(kind.value, DEFAULT_DELIVERY[kind]),
            chosen=kind.value in chosen,
        )
        for kind in Kind
    ]


# --- comments --------------------------------------------------------------------------------------


def project_for_comments(user: Any, project_id: Any) -> Project:
    """The project whose comments the user reads; NotFound when missing or out of scope."""
    return portfolio_selectors.project_get_for_user(user, project_id)


def task_for_comments(user: Any, task_id: Any) -> Task:
    """The task whose comments the user reads; NotFound when missing or out of scope."""
    return schedule_selectors.task_get_for_user(user, task_id)


def can_comment(user: Any, project: Project) -> bool:
    """Whether the user may comment on the project (everyone working on it; not executive viewers)."""
    return scoping.can(user, Action.CHANGE, Comment, project.org_unit)


def comment_queryset(project: Project, task: Task | None = None) -> QuerySet[Comment]:
    """The comments of a project itself (task None) or of one of its tasks, oldest first."""
    return (
        Comment.objects.filter(project=project, task=task)
        .select_related("author", "project", "task")
        .order_by("created_at", "id")
    )


def comment_list(project: Project, task: Task | None = None) -> list[Comment]:
    """The thread of a project (comments not on a task) or of one task: comments in order, replies
    listed right after the comment they answer. One query whatever the length."""
    rows = list(comment_queryset(project, task))
    replies: dict[int, list[Comment]] = {}
    for row in rows:
        if row.reply_to_id:
            replies.setdefault(row.reply_to_id, []).append(row)
    ordered: list[Comment] = []
    stack = [(row, 0) for row in reversed(rows) if row.reply_to_id is None]
    while stack:
        comment, depth = stack.pop()
        comment.depth = min(depth, 4)  # type: ignore[attr-defined]
        ordered.append(comment)
        stack.extend((reply, depth + 1) for reply in reversed(replies.get(comment.pk, [])))
    return ordered


def comment_get(project: Project, task: Task | None, pk: Any) -> Comment:
    """A comment of the thread (the project's, or the task's); NotFound for any other."""
    try:
        return Comment.objects.select_related("author", "project", "task").get(
            pk=pk, project=project, task=task
        )
    except (Comment.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFound("comment") from exc


def mentioned_usernames(text: str) -> list[str]:
    """The @usernames a text mentions, in order, each once (a trailing full stop is not part of it)."""
    seen: dict[str, None] = {}
    for match in MENTION.finditer(text or ""):
        seen.setdefault(match.group(1).rstrip("."), None)
    return [name for name in seen if name]


def mentionable(project: Project, usernames: Iterable[str]) -> list[Any]:
    """The active users among `usernames` who can see `project`, in the order given; the others are
    left out silently."""
    names = list(usernames)
    if not names:
        return []
    found = {
        user.get_username(): user
        for user in get_user_model().objects.filter(username__in=names, is_active=True)
    }
    users = [found[name] for name in names if name in found]
    return [user for user in users if scoping.can(user, Action.VIEW, Project, project.org_unit)]
