"""`keel benefits-remind`: email the owners of overdue benefits, once per overdue period (for a daily cron)."""

from __future__ import annotations

import datetime as dt

from keel.benefits import services
from keel.benefits.tasks import send_benefit_reminders
from keel.core.management.daily import DailyCommand, counted


class Command(DailyCommand):
    """Send the reminders of benefits overdue for measurement."""

    help = (
        "Email the owner of every benefit overdue for measurement, once per overdue period "
        "(what was sent is remembered, so it is safe to run daily). --queue hands the work to a worker."
    )
    job = send_benefit_reminders
    queued = "benefit reminders"

    def run(self, today: dt.date | None) -> None:
        sent = services.reminders_send(today=today)
        for reminder in sent:
            self.stdout.write(f"Reminded {reminder.recipient} about {reminder.benefit.code}.")
        self.stdout.write(f"{counted(len(sent), 'reminder')} sent.")
