from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    """In-app and e-mail notifications, each person's preferences (immediate or daily digest per type)."""

    name = "keel.notifications"
    label = "notifications"
    verbose_name = "Notifications"
