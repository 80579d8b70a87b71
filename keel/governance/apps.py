from django.apps import AppConfig


class GovernanceConfig(AppConfig):
    """Governance: RAID logs, escalations; methodologies, gates, change control and status reports to come."""

    name = "keel.governance"
    label = "governance"
    verbose_name = "Governance"
