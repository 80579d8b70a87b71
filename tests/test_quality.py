"""Code quality gates, run with the virtual environment's tools: lint, format, layers, migrations, deploy."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.utils.crypto import get_random_string

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def run(*command: str, **env: str) -> subprocess.CompletedProcess[str]:
    """Run one of the venv's executables from the repository root."""
    return subprocess.run(
        [str(BIN / command[0]), *command[1:]],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, **env},
        timeout=300,
    )


def assert_clean(result: subprocess.CompletedProcess[str]) -> None:
    """Fail with the tool's own output when it reports a problem."""
    assert result.returncode == 0, f"{' '.join(result.args)} failed:\n{result.stdout}\n{result.stderr}"


@pytest.mark.parametrize(
    "command",
    [
        ("ruff", "check", "."),
        ("ruff", "format", "--check", "."),
        ("lint-imports", "--no-cache"),
    ],
    ids=["ruff-check", "ruff-format", "import-contracts"],
)
def test_code_is_clean(command):
    assert_clean(run(*command))


def test_models_and_migrations_agree():
    result = run("keel", "makemigrations", "--check", "--dry-run")
    assert_clean(result)
    assert "No changes detected" in result.stdout


def test_deployment_settings_pass_djangos_deploy_checks():
    # Production mode: no debug, a real secret key and a named host (which turns HTTPS hardening on).
    chars = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!@#%^&*(-_=+)"
    result = run(
        "keel",
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        KEEL_DEBUG="0",
        KEEL_SECRET_KEY=get_random_string(60, chars),
        KEEL_ALLOWED_HOSTS="keel.example.org",
    )
    assert_clean(result)
    assert "no issues" in result.stdout
