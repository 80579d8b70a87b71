from django.apps import AppConfig


class FinanceConfig(AppConfig):
    """Budgets, costs, exchange rates, forecasts and earned value."""

    name = "keel.finance"
    label = "finance"
    verbose_name = "Finance"
