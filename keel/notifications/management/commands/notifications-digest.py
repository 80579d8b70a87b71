"""`keel notifications-digest`: send each person their daily digest e-mail (for a daily cron)."""

from __future__ import annotations

import datetime as dt

from keel.core.management.daily import DailyCommand, counted
from keel.notifications import services
from keel.notifications.tasks import send_daily_digests


class Command(DailyCommand):
    """Send the daily digest e-mails of notifications."""

    help = (
        "E-mail each person one digest of their notifications of the kinds they get as a daily digest, "
        "and retry immediate e-mails a failed send left behind. What was sent is remembered, so it is "
        "safe to run again. --queue hands the work to a worker."
    )
    job = send_daily_digests
    takes_date = False
    queued = "notification digests"

    def run(self, today: dt.date | None) -> None:
        retried = services.emails_send_immediate()
        sent = services.digests_send()
        if retried:
            self.stdout.write(f"{counted(retried, 'immediate e-mail')} sent that had failed before.")
        self.stdout.write(f"{counted(sent, 'digest')} sent.")
