from django.apps import AppConfig


class ChangesConfig(AppConfig):
    """Change requests with their impact on scope, schedule, cost and risk; approval by authority levels."""

    name = "keel.changes"
    label = "changes"
    verbose_name = "Change control"
