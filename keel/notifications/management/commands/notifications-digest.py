"""`keel notifications-digest`: send each person their daily digest e-mail (for a daily cron)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from keel.notifications import services


class Command(BaseCommand):
    """Send the daily digest e-mails of notifications."""

    help = (
        "E-mail each person one digest of their notifications of the kinds they get as a daily digest, "
        "and retry immediate e-mails a failed send left behind. What was sent is remembered, so it is "
        "safe to run again. --queue hands the work to a worker."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--queue", action="store_true", help="Enqueue the job for `keel worker`")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["queue"]:
            from keel.notifications.tasks import send_daily_digests

            result = send_daily_digests.enqueue()
            self.stdout.write(f"Queued the notification digests (job {result.id}).")
            return
        retried = services.emails_send_immediate()
        sent = services.digests_send()
        if retried:
            self.stdout.write(
                f"{retried} immediate e-mail{'s' if retried != 1 else ''} sent that had failed before."
            )
        self.stdout.write(f"{sent} digest{'s' if sent != 1 else ''} sent.")
