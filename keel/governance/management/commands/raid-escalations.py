"""`keel raid-escalations`: email every escalation not emailed yet (items that became overdue), for a daily cron."""

from __future__ import annotations

import datetime as dt

from keel.core.management.daily import DailyCommand, counted
from keel.governance import services
from keel.governance.tasks import notify_escalations


class Command(DailyCommand):
    """Send the emails of escalations nobody was told about yet."""

    help = (
        "Email the project manager and the PMO administrators of every risk or issue on the escalation "
        "list that was not emailed yet (once per escalation, so it is safe to run daily). --queue hands "
        "the work to a worker."
    )
    job = notify_escalations
    queued = "escalation emails"

    def run(self, today: dt.date | None) -> None:
        sent = services.escalations_notify(today=today)
        self.stdout.write(f"{counted(sent, 'escalation')} emailed.")
