"""The `keel` command: Keel's own commands (serve, demo, createadmin, token, worker, import, export,
schedule) and Django's.

Keel's commands are Django management commands in keel/*/management/commands, so `keel X`
and `python manage.py X` are the same thing.
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> int:
    """Run a Keel or Django management command."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "keel.settings")
    from django.core.management import execute_from_command_line

    args = list(sys.argv[1:] if argv is None else argv)
    if args and args[0] == "manage":  # `manage.py` passes its own arguments through
        args = args[1:]
    execute_from_command_line(["keel", *args])
    return 0


if __name__ == "__main__":
    sys.exit(main())
