from django.apps import AppConfig


class PortfolioConfig(AppConfig):
    """Portfolios, programs and projects."""

    name = "keel.portfolio"
    label = "portfolio"
    verbose_name = "Portfolio"
