"""Notification records for the generic scoping tests (see tests/scoping_hooks.py).

Each division's project manager gets a notification (personal: only its recipient ever reaches it, so
everyone else, administrators included, gets 404 for it), and the division's project a comment by its
manager, so `notification_id` and the comment threads name records of one division. Executive viewers
read comments but may not add one (403).
"""

from __future__ import annotations

from typing import Any

from keel.notifications import services
from keel.notifications.models import Comment, Kind, Notification, Preference

PLAIN_VALUES = {"text": "Scoping probe comment"}
GOVERNED_MODELS = (Notification, Comment, Preference)


def division_notification(*, pm: Any, project: Any) -> Notification:
    """A notification to the division's project manager about its project (made once)."""
    existing = Notification.objects.filter(recipient=pm, project=project).first()
    if existing is not None:
        return existing
    return services.notify(
        recipients=[pm], kind=Kind.GATE, title=f"{project.code} gate requested", url="/", project=project
    )[0]


def division_comment(*, pm: Any, project: Any) -> Comment:
    """A comment of the division's manager on its project (made once)."""
    existing = Comment.objects.filter(project=project).first()
    if existing is not None:
        return existing
    return services.comment_create(actor=pm, project=project, text=f"{project.code} kick-off done")


def api_records(*, org: Any, name: str, unit: Any, pm: Any, project: Any) -> tuple[dict, dict]:
    """The division's notification and comment as path parameters."""
    division_comment(pm=pm, project=project)
    return {"notification_id": division_notification(pm=pm, project=project)}, {}


# The notification pages show only one's own notifications and settings (their POSTs change only the
# user's own); comment threads are read by executive viewers, who may not add to them.
EXECUTIVE_PAGES = {
    "notifications:list",
    "notifications:settings",
    "notifications:bell",
    "notifications:project_comments",
    "notifications:task_comments",
}
PERSONAL_PAGES = {"notifications:list", "notifications:settings"}
