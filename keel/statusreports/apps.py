from django.apps import AppConfig


class StatusReportsConfig(AppConfig):
    """Status reports on a cadence, drafted from data with proposed RAG, confirmed or overridden by the project manager; PDF."""

    name = "keel.statusreports"
    label = "statusreports"
    verbose_name = "Status reports"
