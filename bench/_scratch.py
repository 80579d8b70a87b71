"""The scratch database the page benchmarks run on, and the timing of one page with its SQL queries.

`scratch_database()` points Django at a database made for the run: a temporary SQLite file, or a
PostgreSQL database created beside the one DATABASE_URL names and dropped at the end. `prepare()`
migrates it and says which database it is; `load_demo()` loads `keel demo --reset` of a size;
`measure()` fetches a page as a logged-in client and counts its queries; `timed()` does the same for
any call.
"""

from __future__ import annotations

import io
import os
import platform
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent


def scratch_postgres(url: str, prefix: str = "keel_bench") -> tuple[str, str]:
    """Create a scratch database on the server of `url`; returns its URL and the maintenance URL."""
    import psycopg
    from psycopg import sql

    parts = urlsplit(url)
    name = f"{prefix}_{os.getpid()}"
    admin_url = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return urlunsplit(parts._replace(path=f"/{name}")), admin_url


def drop_postgres(scratch_url: str, admin_url: str) -> None:
    """Drop the scratch database."""
    import psycopg
    from psycopg import sql

    name = urlsplit(scratch_url).path.lstrip("/")
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


@contextmanager
def scratch_database(prefix: str = "keel_bench") -> Iterator[None]:
    """Run the block against a scratch database and a scratch var directory, removed at the end."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "keel.settings")
    scratch = tempfile.TemporaryDirectory(prefix="keel-bench-")
    os.environ["KEEL_VAR_DIR"] = scratch.name  # secret key and static root stay in the scratch space
    Path(scratch.name, "static").mkdir()
    url = os.environ.get("DATABASE_URL", "")
    postgres = None
    if url.startswith(("postgres://", "postgresql://")):
        postgres = scratch_postgres(url, prefix)
        os.environ["DATABASE_URL"] = postgres[0]
    else:
        os.environ["DATABASE_URL"] = f"sqlite:///{Path(scratch.name) / 'bench.sqlite3'}"
    try:
        yield
    finally:
        if postgres:
            from django.db import connections

            connections.close_all()
            drop_postgres(*postgres)
        scratch.cleanup()


def prepare() -> dict[str, Any]:
    """Set Django up and migrate the scratch database; returns the database, its version and the machine."""
    import django
    from django.core.management import call_command
    from django.db import connection

    django.setup()
    call_command("migrate", verbosity=0)
    if connection.vendor == "postgresql":
        number = connection.cursor().connection.info.server_version
        version = f"{number // 10000}.{number % 10000}"
    else:
        version = connection.Database.sqlite_version
    return {
        "database": connection.vendor,
        "database_version": version,
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
    }


def load_demo(size: int) -> None:
    """Replace the scratch database's data with `keel demo --reset --projects <size>`."""
    from django.core.management import call_command

    call_command("demo", "--reset", "--projects", str(size), verbosity=0, stdout=io.StringIO())


def measure(client: Any, path: str, runs: int) -> dict[str, Any]:
    """Fetch `path` once to warm up, then `runs` times; queries of the last run, median time."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    response = client.get(path)
    if response.status_code != 200:
        raise SystemExit(f"GET {path} answered {response.status_code}; the bench needs it to answer.")
    timings = []
    for _ in range(runs):
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            response = client.get(path)
            timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (path, response.status_code)
    return {"queries": len(queries.captured_queries), "median_ms": round(statistics.median(timings), 1)}


def timed(call: Any, runs: int) -> dict[str, Any]:
    """Call once to warm up, then `runs` times: queries of the last run, median milliseconds."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    call()
    timings = []
    for _ in range(runs):
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            call()
            timings.append((time.perf_counter() - started) * 1000)
    return {"queries": len(queries.captured_queries), "median_ms": round(statistics.median(timings), 1)}
