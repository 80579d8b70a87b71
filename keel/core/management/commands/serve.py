"""`keel serve`: run Keel on one machine — migrate, load the demo when empty, serve, run jobs."""

from __future__ import annotations

import logging
import os
import threading
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, connections

from keel.core.demo import DemoError, demo_load, demo_loaded, organisation_size
from keel.core.management.logins import write_logins

logger = logging.getLogger("keel.serve")


def start_worker() -> tuple[Any, threading.Thread] | None:
    """Run the database task worker in a daemon thread; None when tasks use another backend.

    The imports and levelings a stopped worker left behind are failed first (as `keel worker` does),
    and the leveling engine's compiled kernels start loading (or compiling) in the background, so the
    first leveling run does not wait for them."""
    from keel.engines import leveling_fast

    leveling_fast.start()
    from django_tasks_db.backend import DatabaseBackend
    from django_tasks_db.compat import DEFAULT_TASK_BACKEND_ALIAS, task_backends
    from django_tasks_db.management.commands.db_worker import Worker

    if not isinstance(task_backends[DEFAULT_TASK_BACKEND_ALIAS], DatabaseBackend):
        return None
    from keel.core.management.commands.worker import fail_stale_jobs

    failed = fail_stale_jobs()
    if failed:
        logger.warning("%s import(s) or leveling(s) left by a stopped worker were marked failed.", failed)
    worker = Worker(
        queue_names=["*"],
        interval=1.0,
        batch=False,
        backend_name=DEFAULT_TASK_BACKEND_ALIAS,
        startup_delay=False,
        max_tasks=None,
        worker_id=f"keel-serve-{os.getpid()}",
        excluded_queue_names=[],
    )

    def run() -> None:
        try:
            worker.run()
        except Exception:  # the web server keeps running; say why jobs stopped
            logger.exception("The background worker stopped; run `keel worker` to process jobs.")
        finally:
            connections.close_all()  # the thread's own connections, which nothing else would close

    thread = threading.Thread(target=run, name="keel-worker", daemon=True)
    thread.start()
    return worker, thread


def describe_database() -> str:
    """Where the data lives, for the start-up message."""
    db = settings.DATABASES["default"]
    if connection.vendor == "sqlite":
        return f"SQLite {db['NAME']}"
    return f"{connection.vendor} database {db['NAME']!r} on {db.get('HOST') or 'localhost'}"


class Command(BaseCommand):
    """Serve Keel with waitress and an in-process background worker."""

    help = (
        "Run Keel on this machine: migrate the database, load the demo organisation when the database "
        "has no org units, run background jobs in a worker thread and serve http://127.0.0.1:8000."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--host", default="127.0.0.1", help="Address to listen on (default: %(default)s)."
        )
        parser.add_argument(
            "--port", type=int, default=8000, help="Port to listen on (default: %(default)s)."
        )
        parser.add_argument("--threads", type=int, default=8, help="Request threads (default: %(default)s).")
        parser.add_argument(
            "--no-worker",
            action="store_true",
            help="Do not run background jobs in this process (run `keel worker` instead).",
        )
        parser.add_argument(
            "--no-demo", action="store_true", help="Do not load the demo organisation into an empty database."
        )

    def handle(self, *args: Any, host: str, port: int, threads: int, **options: Any) -> None:
        from waitress import create_server

        from keel.wsgi import application

        if not 0 < port < 65536:
            raise CommandError(f"--port must be between 1 and 65535, not {port}.")
        if threads < 1:
            raise CommandError(f"--threads must be at least 1, not {threads}.")
        self.stdout.write(f"Database: {describe_database()}")
        call_command("migrate", interactive=False, verbosity=0)
        units, projects = organisation_size()
        if units == 0 and not options["no_demo"]:
            self.stdout.write("The database is empty: loading the demo organisation…")
            try:
                result = demo_load(progress=True)
            except DemoError as exc:
                raise CommandError(str(exc)) from exc
            self.stdout.write(
                f"Loaded {result.units} org units, {result.people} people and {result.projects} projects "
                f"in {result.seconds:.1f} s."
            )
        else:
            self.stdout.write(f"Keeping the existing data: {units} org units, {projects} projects.")
        try:
            server = create_server(application, host=host, port=port, threads=threads, ident="Keel")
        except OSError as exc:
            raise CommandError(
                f"Cannot listen on {host}:{port} ({exc.strerror}); choose another port with --port."
            ) from exc
        worker = None if options["no_worker"] else start_worker()
        shown_host = "127.0.0.1" if host in ("0.0.0.0", "::", "") else host
        try:
            if demo_loaded():
                write_logins(self.stdout)
            jobs = "in this process" if worker else "not run here (start `keel worker`)"
            self.stdout.write(f"Background jobs: {jobs}")
            self.stdout.write(self.style.SUCCESS(f"Keel is running at http://{shown_host}:{port}/"))
            self.stdout.write("Press Ctrl+C to stop.")
            self.stdout.flush()
            server.run()
        except KeyboardInterrupt:
            pass  # Ctrl+C before serving started; once serving, waitress handles it and returns
        finally:
            server.close()
            if worker:
                worker[0].running = False
                worker[1].join(timeout=5)
        self.stdout.write("Keel stopped.")
