from django.apps import AppConfig


class TimesheetsConfig(AppConfig):
    """Timesheets: a team member's hours per task and day, submitted weekly and approved."""

    name = "keel.timesheets"
    label = "timesheets"
    verbose_name = "Timesheets"
