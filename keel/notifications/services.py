"""Writing notifications, preferences and comments, and e-mailing notifications.

Other apps call :func:`notify` inside their own transaction; it writes the in-app rows and, once that
transaction commits, enqueues one background job that e-mails the rows whose recipients want e-mail at
once (:func:`emails_send_immediate`). :func:`digests_send` (the daily job and ``keel
notifications-digest``) sends each person one e-mail with their notifications of digest kinds. Both
claim a row by setting ``emailed_at`` in the same transaction as the send, so a rerun never e-mails a
notification twice, and a send the mail server refuses is tried again by the next daily run.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from keel.core.errors import NotFound, PermissionDenied
from keel.core.services import audited_create
from keel.notifications import selectors
from keel.notifications.models import Comment, Delivery, Kind, Notification, Preference

log = logging.getLogger(__name__)

MAX_COMMENT = 4000


def notify(
    *,
    recipients: Iterable[Any],
    kind: str,
    title: str,
    body: str = "",
    url: str = "",
    project: Any = None,
    key: str = "",
    emailed: bool = False,
) -> list[Notification]:
    """Tell each recipient (users; duplicates, None and inactive users are dropped) about something of `kind`.

    Writes one in-app notification per person in the caller's transaction and returns them. Each row
    keeps the e-mail delivery the person chose for `kind` (none for people without an address); the
    immediate ones are e-mailed by a background job once the caller's transaction commits.

    `key` makes the notification once-only: a recipient who already has a notification with that key
    is skipped (e.g. ``"timesheet:2026-03-02"``, one reminder a week). `emailed=True` is for callers
    that e-mailed the people themselves: the rows are in-app only and never e-mailed again.
    """
    if kind not in Kind.values:
        raise ValueError(f"Unknown notification kind {kind!r}; one of {', '.join(Kind.values)}")
    people = {user.pk: user for user in recipients if user is not None and user.is_active}
    if key and people:
        told = Notification.objects.filter(recipient_id__in=people, key=key).values_list(
            "recipient_id", flat=True
        )
        for pk in set(told):
            people.pop(pk, None)
    if not people:
        return []
    deliveries = selectors.deliveries_for(people.values(), kind)
    now = timezone.now()
    rows = []
    for user in people.values():
        email = deliveries[user.pk] if user.email else Delivery.NONE
        rows.append(
            Notification(
                recipient=user,
                kind=kind,
                title=title[:255],
                body=body,
                url=url[:500],
                project=project,
                email=Delivery.NONE if emailed else email,
                emailed_at=now if emailed and email != Delivery.NONE else None,
                key=key[:120],
            )
        )
    with transaction.atomic():
        if key:
            written = []
            for row in rows:
                try:
                    with transaction.atomic():
                        row.save()
                except IntegrityError:
                    continue  # told by a concurrent run already
                written.append(row)
        else:
            written = Notification.objects.bulk_create(rows)
    immediate = [row.pk for row in written if row.email == Delivery.IMMEDIATE and row.emailed_at is None]
    if immediate:
        transaction.on_commit(lambda: _enqueue_immediate(immediate), robust=True)
    return written


def _enqueue_immediate(ids: list[int]) -> None:
    from keel.notifications.tasks import send_immediate_emails

    send_immediate_emails.enqueue(ids)


# --- reading ---------------------------------------------------------------------------------------


def _own(actor: Any, notification: Notification) -> None:
    if notification.recipient_id != getattr(actor, "pk", None):
        raise NotFound("notification")


@transaction.atomic
def notification_mark_read(*, actor: Any, notification: Notification, read: bool = True) -> Notification:
    """Mark one of the actor's notifications read (or unread again)."""
    _own(actor, notification)
    notification.read_at = (notification.read_at or timezone.now()) if read else None
    Notification.objects.filter(pk=notification.pk).update(read_at=notification.read_at)
    return notification


@transaction.atomic
def notification_mark_all_read(*, actor: Any, kind: str = "") -> int:
    """Mark all of the actor's unread notifications read (of one kind, when given); returns how many."""
    if kind and kind not in Kind.values:
        raise ValidationError({"kind": f"Choose one of {', '.join(Kind.values)}."})
    rows = selectors.notification_list_for_user(actor, kind=kind, unread=True)
    return Notification.objects.filter(pk__in=rows.values("pk")).update(read_at=timezone.now())


# --- preferences -----------------------------------------------------------------------------------


@transaction.atomic
def preference_set(*, actor: Any, deliveries: dict[str, str]) -> list[selectors.KindPreference]:
    """Set the actor's e-mail delivery per kind (`{"mention": "digest", ...}`); kinds left out keep theirs.

    Applies to notifications written from now on. An unknown kind or delivery is refused naming it.
    """
    if not getattr(actor, "is_authenticated", False):
        raise PermissionDenied("Sign in to choose how you are notified.")
    errors = {}
    for kind, delivery in deliveries.items():
        if kind not in Kind.values:
            errors[kind] = f"Not a kind of notification; one of {', '.join(Kind.values)}."
        elif delivery not in Delivery.values:
            errors[kind] = f"Choose one of {', '.join(Delivery.values)}."
    if errors:
        raise ValidationError(errors)
    for kind, delivery in deliveries.items():
        Preference.objects.update_or_create(user=actor, kind=kind, defaults={"delivery": delivery})
    return selectors.preferences_for_user(actor)


# --- comments and mentions -------------------------------------------------------------------------


def comments_url(comment: Comment) -> str:
    """The page of the comment's thread, at the comment."""
    if comment.task_id:
        path = reverse("notifications:task_comments", kwargs={"task_id": comment.task_id})
    else:
        path = reverse("notifications:project_comments", kwargs={"project_id": comment.project_id})
    return f"{path}#comment-{comment.pk}"


@transaction.atomic
def comment_create(
    *, actor: Any, project: Any, text: str, task: Any = None, reply_to: Comment | None = None
) -> Comment:
    """Comment on a project (or one of its tasks), possibly replying to a comment of the same thread.

    Each ``@username`` of an active person who can see the project is told (kind MENTION); mentions of
    anyone else are ignored, so a comment never reveals whether an account exists. The author of the
    comment replied to is told too. The people told are on the returned comment's ``mentioned``.
    """
    if not selectors.can_comment(actor, project):
        raise PermissionDenied("text: you may read this project's comments but not add one.")
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": "Write something."})
    if len(text) > MAX_COMMENT:
        raise ValidationError(
            {"text": f"Keep a comment to {MAX_COMMENT} characters (this one has {len(text)})."}
        )
    if task is not None and task.project_id != project.pk:
        raise ValidationError({"task": "The task belongs to another project."})
    comment = Comment(project=project, task=task, reply_to=reply_to, author=actor, text=text)
    audited_create(actor=actor, instance=comment)

    who = actor.get_full_name() or actor.get_username()
    where = f"{project.code} · {task.name}" if task is not None else f"{project.code} {project.name}"
    url = comments_url(comment)
    excerpt = text if len(text) <= 500 else text[:497] + "..."
    mentioned = [
        user
        for user in selectors.mentionable(project, selectors.mentioned_usernames(text))
        if user.pk != actor.pk
    ]
    notify(
        recipients=mentioned,
        kind=Kind.MENTION,
        title=f"{who} mentioned you on {where}",
        body=excerpt,
        url=url,
        project=project,
    )
    told = {user.pk for user in mentioned}
    replied = reply_to.author if reply_to is not None else None
    if (
        replied is not None
        and replied.pk not in told | {actor.pk}
        and selectors.mentionable(project, [replied.get_username()])
    ):
        notify(
            recipients=[replied],
            kind=Kind.MENTION,
            title=f"{who} replied to your comment on {where}",
            body=excerpt,
            url=url,
            project=project,
        )
    comment.mentioned = [user.get_username() for user in mentioned]  # type: ignore[attr-defined]
    return comment


# --- e-mail ----------------------------------------------------------------------------------------


def _link(url: str) -> str:
    if not url:
        return ""
    return getattr(settings, "KEEL_BASE_URL", "").rstrip("/") + url if url.startswith("/") else url


def _message(notification: Notification) -> tuple[str, str]:
    subject = f"[Keel] {notification.title}"[:200]
    lines = [notification.title, ""]
    if notification.body:
        lines += [notification.body, ""]
    if notification.url:
        lines.append(f"Open it in Keel: {_link(notification.url)}")
    lines += [
        "",
        f"You get these e-mails at once; change that in Keel: {_link(reverse('notifications:settings'))}",
    ]
    return subject, "\n".join(lines)


def _digest(user: Any, rows: list[Notification]) -> tuple[str, str]:
    count = len(rows)
    subject = f"[Keel] Your daily digest: {count} notification{'s' if count != 1 else ''}"
    name = user.get_full_name() or user.get_username()
    lines = [f"Hello {name},", "", "Here is what Keel told you since your last digest:", ""]
    for row in rows:
        lines.append(f"- {row.get_kind_display()}: {row.title}")
        if row.url:
            lines.append(f"  {_link(row.url)}")
    lines += [
        "",
        f"All your notifications: {_link(reverse('notifications:list'))}",
        f"Choose what comes in the digest: {_link(reverse('notifications:settings'))}",
    ]
    return subject, "\n".join(lines)


def emails_send_immediate(*, ids: Iterable[int] | None = None) -> int:
    """E-mail the not yet e-mailed notifications meant to go at once (those of `ids`, or all); returns
    how many were sent. Each row is claimed and sent in one transaction: a rerun sends nothing twice, a
    send the mail server refuses leaves the row for the next run."""
    pending = Notification.objects.filter(email=Delivery.IMMEDIATE, emailed_at__isnull=True)
    if ids is not None:
        pending = pending.filter(pk__in=list(ids))
    sent = 0
    for pk in pending.order_by("pk").values_list("pk", flat=True):
        try:
            with transaction.atomic():
                claimed = Notification.objects.filter(pk=pk, emailed_at__isnull=True).update(
                    emailed_at=timezone.now()
                )
                if not claimed:
                    continue
                row = Notification.objects.select_related("recipient").get(pk=pk)
                if not row.recipient.email or not row.recipient.is_active:
                    Notification.objects.filter(pk=pk).update(email=Delivery.NONE, emailed_at=None)
                    continue
                subject, body = _message(row)
                send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [row.recipient.email])
        except OSError:
            log.exception("Notification %s could not be e-mailed; the next run tries again.", pk)
            continue
        sent += 1
    return sent


def digests_send() -> int:
    """Send each person one e-mail with their not yet e-mailed notifications of digest kinds; returns
    how many e-mails were sent. Running it twice sends nothing new the second time."""
    people = (
        Notification.objects.filter(email=Delivery.DIGEST, emailed_at__isnull=True)
        .values_list("recipient_id", flat=True)
        .distinct()
    )
    sent = 0
    for user_id in sorted(set(people)):
        try:
            with transaction.atomic():
                rows = list(
                    Notification.objects.select_for_update(of=("self",))
                    .filter(recipient_id=user_id, email=Delivery.DIGEST, emailed_at__isnull=True)
                    .select_related("recipient")
                    .order_by("created_at", "id")
                )
                if not rows:
                    continue
                user = rows[0].recipient
                ids = [row.pk for row in rows]
                if not user.email or not user.is_active:
                    Notification.objects.filter(pk__in=ids).update(email=Delivery.NONE)
                    continue
                Notification.objects.filter(pk__in=ids).update(emailed_at=timezone.now())
                subject, body = _digest(user, rows)
                send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email])
        except OSError:
            log.exception("The digest of user %s could not be e-mailed; the next run tries again.", user_id)
            continue
        sent += 1
    return sent
