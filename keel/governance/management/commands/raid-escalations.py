"""`keel raid-escalations`: email every escalation not emailed yet (items that became overdue), for a daily cron."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from keel.governance import services


class Command(BaseCommand):
    """Send the emails of escalations nobody was told about yet."""

    help = (
        "Email the project manager and the PMO administrators of every risk or issue on the escalation "
        "list that was not emailed yet (once per escalation, so it is safe to run daily). --queue hands "
        "the work to a worker."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--date", help="Act as if today were this day (YYYY-MM-DD)")
        parser.add_argument("--queue", action="store_true", help="Enqueue the job for `keel worker`")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["queue"]:
            from keel.governance.tasks import notify_escalations

            result = notify_escalations.enqueue()
            self.stdout.write(f"Queued the escalation emails (job {result.id}).")
            return
        today = None
        if options["date"]:
            try:
                today = dt.date.fromisoformat(options["date"])
            except ValueError as exc:
                raise CommandError(f"--date: {options['date']!r} is not a date (use YYYY-MM-DD).") from exc
        sent = services.escalations_notify(today=today)
        self.stdout.write(f"{sent} escalation{'s' if sent != 1 else ''} emailed.")
