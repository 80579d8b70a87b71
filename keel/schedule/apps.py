from django.apps import AppConfig


class ScheduleConfig(AppConfig):
    """Project schedules: tasks, dependencies, baselines, computed by the CPM engine."""

    name = "keel.schedule"
    label = "schedule"
    verbose_name = "Schedule"
