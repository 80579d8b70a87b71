from django.apps import AppConfig


class GatesConfig(AppConfig):
    """Methodologies (lifecycles) with phases and gates, gate criteria, gate reviews, a project's methodology and phase."""

    name = "keel.gates"
    label = "gates"
    verbose_name = "Gates"
