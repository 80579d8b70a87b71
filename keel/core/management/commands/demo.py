"""`keel demo`: load the demo organisation into an empty database."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from keel.core.demo import DEFAULT_PROJECTS, DEFAULT_SEED, DemoError, demo_load, demo_reset
from keel.core.management.logins import write_logins


class Command(BaseCommand):
    """Build a realistic demo organisation, the same for the same seed."""

    help = (
        "Load the demo organisation: a central PMO, departments, divisions in several countries "
        "(time zones, holidays, currencies), a login for every role, portfolios, programs and projects. "
        "Refuses a database that already holds an organisation unless --reset is given."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--projects", type=int, default=DEFAULT_PROJECTS, help="How many projects (default: %(default)s)."
        )
        parser.add_argument(
            "--seed", type=int, default=DEFAULT_SEED, help="Random seed; the same seed builds the same data."
        )
        parser.add_argument(
            "--reset",
            action="store_true",
            help="Delete the demo organisation (and only it) first, then load it again.",
        )

    def handle(self, *args: Any, projects: int, seed: int, reset: bool, **options: Any) -> None:
        try:
            if reset and demo_reset():
                self.stdout.write("Deleted the demo organisation.")
            result = demo_load(projects=projects, seed=seed, progress=options["verbosity"] > 0)
        except DemoError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"Loaded the demo organisation in {result.seconds:.1f} s: {result.units} org units, "
                f"{result.people} people, {result.projects} projects, {result.audit_entries} audit entries "
                f"(seed {seed})."
            )
        )
        write_logins(self.stdout)
