"""Forms of the notification pages: the notification list's actions, the e-mail settings, a comment."""

from __future__ import annotations

from typing import Any

from django import forms

from keel.notifications.models import Delivery, Kind
from keel.notifications.services import MAX_COMMENT


class NotificationActionForm(forms.Form):
    """Mark one notification read or unread, or all (of a kind) read."""

    action = forms.ChoiceField(
        choices=[("read", "Mark read"), ("unread", "Mark unread"), ("read_all", "Mark all read")]
    )
    notification = forms.IntegerField(required=False, min_value=1, max_value=2**63 - 1)
    kind = forms.ChoiceField(choices=[("", "Every kind"), *Kind.choices], required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("action") in ("read", "unread") and not data.get("notification"):
            self.add_error("notification", "Say which notification.")
        return data


class PreferencesForm(forms.Form):
    """One choice of e-mail delivery per kind of notification."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for kind in Kind:
            self.fields[kind.value] = forms.ChoiceField(
                label=kind.label, choices=Delivery.choices, widget=forms.RadioSelect
            )


class CommentForm(forms.Form):
    """A comment, or a reply to one of the thread."""

    text = forms.CharField(
        label="Comment",
        max_length=MAX_COMMENT,
        widget=forms.Textarea(
            attrs={"rows": 3, "placeholder": "Write a comment; @username tells a colleague"}
        ),
    )
    reply_to = forms.IntegerField(required=False, min_value=1, max_value=2**63 - 1, widget=forms.HiddenInput)
