from django.apps import AppConfig


class ComplianceConfig(AppConfig):
    """Compliance with the PMO's standards: gaps per project and unit, their owners and ages, waivers."""

    name = "keel.compliance"
    label = "compliance"
    verbose_name = "Compliance"
