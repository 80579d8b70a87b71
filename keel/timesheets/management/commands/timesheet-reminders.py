"""`keel timesheet-reminders`: remind people whose last week's timesheet is missing or not submitted."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from keel.timesheets import services


class Command(BaseCommand):
    """Send the reminders of last week's missing or unsubmitted timesheets."""

    help = (
        "Remind everyone with a person resource whose timesheet of last week is missing, a draft or "
        "rejected (in the app, and by e-mail as they chose), once per week: safe to run daily. "
        "--queue hands the work to a worker."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--date", help="Act as if today were this day (YYYY-MM-DD)")
        parser.add_argument("--queue", action="store_true", help="Enqueue the job for `keel worker`")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["queue"]:
            from keel.timesheets.tasks import send_timesheet_reminders

            result = send_timesheet_reminders.enqueue()
            self.stdout.write(f"Queued the timesheet reminders (job {result.id}).")
            return
        today = None
        if options["date"]:
            try:
                today = dt.date.fromisoformat(options["date"])
            except ValueError as exc:
                raise CommandError(f"--date: {options['date']!r} is not a date (use YYYY-MM-DD).") from exc
        sent = services.timesheet_reminders_send(today=today)
        for notification in sent:
            self.stdout.write(f"Reminded {notification.recipient.get_username()}: {notification.title}.")
        self.stdout.write(f"{len(sent)} reminder{'s' if len(sent) != 1 else ''} sent.")
