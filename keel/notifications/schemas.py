"""API shapes of notifications, e-mail preferences and comments (schema names start with Notification
or Comment so they stay unique across the API)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from ninja import Field, Schema

from keel.core.api import Id, InputSchema, Text
from keel.notifications.models import Delivery, Kind
from keel.orgs.schemas import UserRef
from keel.schedule.schemas import ProjectRef, TaskRef

KindName = Literal[tuple(Kind.values)]  # type: ignore[valid-type]
DeliveryName = Literal[tuple(Delivery.values)]  # type: ignore[valid-type]
CommentText = Annotated[Text, Field(min_length=1, max_length=4000)]


class NotificationOut(Schema):
    """One of your notifications."""

    id: int
    kind: KindName
    title: str
    body: str
    url: str = Field(..., description="Where it leads, a path in Keel (may be empty)")
    project: ProjectRef | None
    created_at: dt.datetime
    read_at: dt.datetime | None
    email: DeliveryName = Field(..., description="How it is e-mailed: at once, in the daily digest, or not")
    emailed_at: dt.datetime | None


class NotificationFilterIn(Schema):
    """`?kind=mention&unread=true`."""

    kind: KindName | None = None
    unread: bool = False


class NotificationCountOut(Schema):
    """How many of your notifications are unread."""

    unread: int


class NotificationReadIn(InputSchema):
    """Mark read (`true`, the default) or unread again (`false`)."""

    read: bool = True


class NotificationReadAllIn(InputSchema):
    """Mark all your unread notifications read, or only those of one kind."""

    kind: KindName | None = None


class NotificationReadAllOut(Schema):
    """How many notifications were marked read."""

    marked: int


class NotificationPreferenceOut(Schema):
    """Your e-mail delivery for one kind of notification (in-app is always on)."""

    kind: KindName
    label: str
    delivery: DeliveryName
    chosen: bool = Field(..., description="Whether you chose it (false: Keel's default for the kind)")


class NotificationPreferencesIn(InputSchema):
    """Your e-mail delivery per kind; kinds left out keep theirs."""

    approval: DeliveryName | None = None
    gate: DeliveryName | None = None
    escalation: DeliveryName | None = None
    reminder: DeliveryName | None = None
    mention: DeliveryName | None = None
    change: DeliveryName | None = None
    report: DeliveryName | None = None


class CommentOut(Schema):
    """A comment on a project or one of its tasks."""

    id: int
    project: ProjectRef
    task: TaskRef | None
    reply_to: int | None = Field(..., description="The id of the comment it answers")
    author: UserRef | None
    text: str
    created_at: dt.datetime

    @staticmethod
    def resolve_reply_to(obj: object) -> int | None:
        return getattr(obj, "reply_to_id", None)


class CommentCreatedOut(CommentOut):
    """The new comment and the people its mentions (and reply) told."""

    mentioned: list[str] = Field(..., description="Usernames told of the mention; others were ignored")


class CommentIn(InputSchema):
    """A new comment; `@username` tells that person if they can see the project."""

    text: CommentText
    reply_to: Id | None = Field(None, description="The id of a comment of the same thread to answer")
