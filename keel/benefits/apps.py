from django.apps import AppConfig


class BenefitsConfig(AppConfig):
    """Benefits realization: the benefits register, measurements, benefits at risk."""

    name = "keel.benefits"
    label = "benefits"
    verbose_name = "Benefits"
