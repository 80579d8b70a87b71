"""`keel timesheet-reminders`: remind people whose last week's timesheet is missing or not submitted."""

from __future__ import annotations

import datetime as dt

from keel.core.management.daily import DailyCommand, counted
from keel.timesheets import services
from keel.timesheets.tasks import send_timesheet_reminders


class Command(DailyCommand):
    """Send the reminders of last week's missing or unsubmitted timesheets."""

    help = (
        "Remind everyone with a person resource whose timesheet of last week is missing, a draft or "
        "rejected (in the app, and by e-mail as they chose), once per week: safe to run daily. "
        "--queue hands the work to a worker."
    )
    job = send_timesheet_reminders
    queued = "timesheet reminders"

    def run(self, today: dt.date | None) -> None:
        sent = services.timesheet_reminders_send(today=today)
        for notification in sent:
            self.stdout.write(f"Reminded {notification.recipient.get_username()}: {notification.title}.")
        self.stdout.write(f"{counted(len(sent), 'reminder')} sent.")
