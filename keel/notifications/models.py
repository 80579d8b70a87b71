"""Notifications: what Keel tells a person (in the app, and by e-mail now or in a daily digest).

A notification is personal: only its recipient sees it. What it is about (a gate review, a change
request, an escalated risk, a missing timesheet, a mention, ...) is its ``kind``; each person chooses
per kind how e-mail reaches them (:class:`Preference`). The choice in force when a notification is
written is kept on it (``email``), so the immediate job and the daily digest each send exactly the
rows meant for them, once (``emailed_at``).

Comments on a project or one of its tasks live here too: an ``@username`` in a comment tells that
person (kind MENTION) when they can see the project.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from keel.core.models import TimeStampedModel
from keel.orgs.models import Role
from keel.portfolio.models import Project
from keel.schedule.models import Task


class Kind(models.TextChoices):
    """What a notification is about; preferences are per kind."""

    APPROVAL = "approval", "Approval needed"
    GATE = "gate", "Gate requests and results"
    ESCALATION = "escalation", "Escalations"
    REMINDER = "reminder", "Reminders"
    MENTION = "mention", "Mentions"
    CHANGE = "change", "Change requests"
    REPORT = "report", "Status reports"


class Delivery(models.TextChoices):
    """How e-mail reaches a person for one kind of notification (in-app is always on)."""

    IMMEDIATE = "immediate", "E-mail at once"
    DIGEST = "digest", "Daily digest e-mail"
    NONE = "none", "No e-mail (in the app only)"


DEFAULT_DELIVERY: dict[str, str] = {
    Kind.APPROVAL: Delivery.IMMEDIATE,
    Kind.GATE: Delivery.IMMEDIATE,
    Kind.ESCALATION: Delivery.IMMEDIATE,
    Kind.REMINDER: Delivery.IMMEDIATE,
    Kind.MENTION: Delivery.IMMEDIATE,
    Kind.CHANGE: Delivery.IMMEDIATE,
    Kind.REPORT: Delivery.DIGEST,
}
"""The delivery of each kind for a person who has not chosen."""


class Notification(TimeStampedModel):
    """One message to one person, read in the app and e-mailed per the person's preference."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    title = models.CharField(max_length=255)
    body = models.TextField(blank=True)
    url = models.CharField(
        max_length=500, blank=True, help_text="Where the notification leads, a path in Keel."
    )
    project = models.ForeignKey(Project, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True, editable=False)
    email = models.CharField(
        max_length=10,
        choices=Delivery.choices,
        default=Delivery.NONE,
        editable=False,
        help_text="How this notification is e-mailed: the recipient's preference when it was written.",
    )
    key = models.CharField(
        max_length=120,
        blank=True,
        editable=False,
        help_text="Set by senders that tell a person about something once (e.g. one reminder a week).",
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["recipient", "read_at"], name="notification_unread"),
            models.Index(fields=["email", "emailed_at"], name="notification_unsent"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "key"], condition=~Q(key=""), name="notification_once_per_key"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.title}"

    @property
    def is_read(self) -> bool:
        """Whether the recipient marked it read."""
        return self.read_at is not None


class Preference(TimeStampedModel):
    """A person's choice of e-mail delivery for one kind of notification."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preferences"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    delivery = models.CharField(max_length=10, choices=Delivery.choices)

    class Meta:
        ordering = ["user_id", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="notification_preference_per_kind")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.get_delivery_display()}"


class Comment(TimeStampedModel):
    """A comment on a project or one of its tasks, possibly a reply to another; ``@username`` mentions."""

    scope_path = "project__org_unit__path"
    # Everyone who works on projects comments; executive viewers read.
    scope_roles = {
        "change": {
            Role.PMO_ADMIN,
            Role.PORTFOLIO_MANAGER,
            Role.PROJECT_MANAGER,
            Role.RESOURCE_MANAGER,
            Role.TEAM_MEMBER,
        }
    }

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="comments")
    task = models.ForeignKey(Task, null=True, blank=True, on_delete=models.CASCADE, related_name="comments")
    reply_to = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="replies"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="comments"
    )
    text = models.TextField(max_length=4000)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["project", "task", "created_at"], name="comment_thread")]

    def __str__(self) -> str:
        where = f"{self.project.code} · {self.task.name}" if self.task_id else self.project.code
        return f"Comment on {where}"

    def clean(self) -> None:
        if self.task_id and self.project_id and self.task.project_id != self.project_id:
            raise ValidationError({"task": "The task belongs to another project."})
        if self.reply_to_id and (
            self.reply_to.project_id != self.project_id or self.reply_to.task_id != self.task_id
        ):
            raise ValidationError({"reply_to": "Reply to a comment of the same thread."})

    def audit_scope(self) -> tuple[str, int | None]:
        """The project's unit and the project, so the comment shows in the project's activity."""
        return self.project.org_unit.path, self.project_id
