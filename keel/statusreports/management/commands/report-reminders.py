"""`keel report-reminders`: remind project managers of overdue status reports, for a daily cron."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from keel.statusreports import services


class Command(BaseCommand):
    """Remind the manager of every project whose last period's status report was not submitted."""

    help = (
        "Notify the manager of every active project whose status report of the last period is missing "
        "(once per due period, so it is safe to run daily). --queue hands the work to a worker."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--date", help="Act as if today were this day (YYYY-MM-DD)")
        parser.add_argument("--queue", action="store_true", help="Enqueue the job for `keel worker`")

    def handle(self, *args: Any, **options: Any) -> None:
        today = None
        if options["date"]:
            try:
                today = dt.date.fromisoformat(options["date"])
            except ValueError as exc:
                raise CommandError(f"--date: {options['date']!r} is not a date (use YYYY-MM-DD).") from exc
        if options["queue"]:
            from keel.statusreports.tasks import send_report_reminders

            result = send_report_reminders.enqueue(today.isoformat() if today else None)
            self.stdout.write(f"Queued the status-report reminders (job {result.id}).")
            return
        sent = services.reminders_send(today=today)
        self.stdout.write(f"{sent} status-report reminder{'s' if sent != 1 else ''} sent.")
