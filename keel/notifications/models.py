"""Notifications: what Keel tells a person (in the app, and by e-mail now or in a daily digest).

A notification is personal: only its recipient sees it. What it is about (a gate review, a change
request, an escalated risk, a missing timesheet, a mention, ...) is its ``kind``; each person chooses
per kind how e-mail reaches them (:class:`Preference`).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from keel.core.models import TimeStampedModel
from keel.portfolio.models import Project


class Kind(models.TextChoices):
    """What a notification is about; preferences are per kind."""

    APPROVAL = "approval", "Approval needed"
    GATE = "gate", "Gate requests and results"
    ESCALATION = "escalation", "Escalations"
    REMINDER = "reminder", "Reminders"
    MENTION = "mention", "Mentions"
    CHANGE = "change", "Change requests"
    REPORT = "report", "Status reports"


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

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["recipient", "read_at"], name="notification_unread")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.title}"
