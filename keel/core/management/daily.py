"""The shape of the daily commands (reminders, escalations, digests) a cron or a systemd timer runs."""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django_tasks.base import Task


def counted(count: int, noun: str) -> str:
    """`count` and `noun`, plural unless the count is one: "1 reminder", "3 reminders"."""
    return f"{count} {noun}{'s' if count != 1 else ''}"


class DailyCommand(BaseCommand):
    """A daily command: `run(today)` does the work now, `--queue` enqueues `job` for `keel worker`.

    A subclass sets `help`, `job`, `queued` (what the job does, for "Queued the ... (job <id>).") and
    `run`. `takes_date` adds `--date` (act as if today were that day); `job_takes_date` hands that day
    to the queued job as an ISO string, otherwise the job works on the worker's today.
    """

    job: ClassVar[Task[..., Any]]
    queued: ClassVar[str]
    takes_date: ClassVar[bool] = True
    job_takes_date: ClassVar[bool] = False

    def add_arguments(self, parser: CommandParser) -> None:
        if self.takes_date:
            parser.add_argument("--date", help="Act as if today were this day (YYYY-MM-DD)")
        parser.add_argument("--queue", action="store_true", help="Enqueue the job for `keel worker`")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["queue"]:
            job_args: tuple[str | None, ...] = ()
            if self.job_takes_date:
                today = self.today(options)
                job_args = (today.isoformat() if today else None,)
            result = self.job.enqueue(*job_args)
            self.stdout.write(f"Queued the {self.queued} (job {result.id}).")
            return
        self.run(self.today(options))

    def today(self, options: dict[str, Any]) -> dt.date | None:
        """The day given with --date (None for the real today); a CommandError naming --date if not a date."""
        value = options.get("date")
        if not value:
            return None
        try:
            return dt.date.fromisoformat(value)
        except ValueError as exc:
            raise CommandError(f"--date: {value!r} is not a date (use YYYY-MM-DD).") from exc

    def run(self, today: dt.date | None) -> None:
        """Do the day's work and write what was done."""
        raise NotImplementedError
