from django.apps import AppConfig


class OrgsConfig(AppConfig):
    """Organisation structure, users and scoping."""

    name = "keel.orgs"
    label = "orgs"
    verbose_name = "Organisation"
