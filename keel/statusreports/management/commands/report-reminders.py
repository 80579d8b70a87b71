"""`keel report-reminders`: remind project managers of overdue status reports, for a daily cron."""

from __future__ import annotations

import datetime as dt

from keel.core.management.daily import DailyCommand, counted
from keel.statusreports import services
from keel.statusreports.tasks import send_report_reminders


class Command(DailyCommand):
    """Remind the manager of every project whose last period's status report was not submitted."""

    help = (
        "Notify the manager of every active project whose status report of the last period is missing "
        "(once per due period, so it is safe to run daily). --queue hands the work to a worker."
    )
    job = send_report_reminders
    job_takes_date = True
    queued = "status-report reminders"

    def run(self, today: dt.date | None) -> None:
        sent = services.reminders_send(today=today)
        self.stdout.write(f"{counted(sent, 'status-report reminder')} sent.")
