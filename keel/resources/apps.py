from django.apps import AppConfig


class ResourcesConfig(AppConfig):
    """Resource pools, resources, skills, rates, assignments, allocations, capacity and leveling."""

    name = "keel.resources"
    label = "resources"
    verbose_name = "Resources"
