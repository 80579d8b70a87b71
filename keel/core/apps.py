from django.apps import AppConfig


class CoreConfig(AppConfig):
    """Shared building blocks."""

    name = "keel.core"
    label = "core"
    verbose_name = "Core"
