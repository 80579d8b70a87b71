"""Template tags of notifications: the bell of the top bar, a comment thread, mentions in comment text."""

from __future__ import annotations

import re
from typing import Any

from django import template
from django.middleware.csrf import get_token
from django.urls import reverse
from django.utils.html import conditional_escape, linebreaks
from django.utils.safestring import SafeString, mark_safe

from keel.notifications import selectors
from keel.notifications.forms import CommentForm

register = template.Library()


@register.inclusion_tag("notifications/_bell.html", takes_context=True)
def notification_bell(context: template.Context) -> dict[str, Any]:
    """The bell with the signed-in person's unread count (one count query); it refreshes itself."""
    user = context.get("user") or getattr(context.get("request"), "user", None)
    return {"unread": selectors.unread_count(user)}


@register.inclusion_tag("notifications/_comments.html", takes_context=True)
def comments_for(context: template.Context, project: Any, task: Any = None) -> dict[str, Any]:
    """The comment thread of a project (or of one of its tasks) with the form to add one."""
    request = context["request"]
    return thread_context(request, project, task, CommentForm())


def thread_context(request: Any, project: Any, task: Any, form: CommentForm) -> dict[str, Any]:
    """What `_comments.html` needs: the thread, whether the user may write, the form, where to post."""
    if task is not None:
        post_url = reverse("notifications:task_comments", kwargs={"task_id": task.pk})
    else:
        post_url = reverse("notifications:project_comments", kwargs={"project_id": project.pk})
    return {
        "request": request,
        "project": project,
        "task": task,
        "comments": selectors.comment_list(project, task),
        "can_comment": selectors.can_comment(request.user, project),
        "form": form,
        "post_url": post_url,
        "csrf_token": get_token(request),
    }


@register.filter
def with_mentions(text: str) -> SafeString:
    """Comment text as paragraphs, escaped, with each @username highlighted."""
    escaped = str(conditional_escape(text))
    highlighted = re.sub(
        selectors.MENTION,
        lambda m: f'<span class="badge text-bg-light border keel-mention">@{m.group(1)}</span>',
        escaped,
    )
    return mark_safe(linebreaks(highlighted, autoescape=False))  # noqa: S308 - escaped above
