"""`keel benefits-remind`: email the owners of overdue benefits, once per overdue period (for a daily cron)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from keel.benefits import services


class Command(BaseCommand):
    """Send the reminders of benefits overdue for measurement."""

    help = (
        "Email the owner of every benefit overdue for measurement, once per overdue period "
        "(what was sent is remembered, so it is safe to run daily). --queue hands the work to a worker."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--date", help="Act as if today were this day (YYYY-MM-DD)")
        parser.add_argument("--queue", action="store_true", help="Enqueue the job for `keel worker`")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["queue"]:
            from keel.benefits.tasks import send_benefit_reminders

            result = send_benefit_reminders.enqueue()
            self.stdout.write(f"Queued the benefit reminders (job {result.id}).")
            return
        today = None
        if options["date"]:
            try:
                today = dt.date.fromisoformat(options["date"])
            except ValueError as exc:
                raise CommandError(f"--date: {options['date']!r} is not a date (use YYYY-MM-DD).") from exc
        sent = services.reminders_send(today=today)
        for reminder in sent:
            self.stdout.write(f"Reminded {reminder.recipient} about {reminder.benefit.code}.")
        self.stdout.write(f"{len(sent)} reminder{'s' if len(sent) != 1 else ''} sent.")
