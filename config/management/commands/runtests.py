"""The whole check: lint, types, migrations, deployment settings and the test suite."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser


class Command(BaseCommand):
    help = "ruff, mypy, makemigrations --check, check --deploy und die Testsuite ausführen."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("pytest_args", nargs="*", help="Weitere Argumente für pytest.")
        parser.add_argument("--only-tests", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        python = sys.executable
        deploy_env = {
            **os.environ,
            "DEBUG": "false",
            "IZD_HTTPS": "true",
            "SECRET_KEY": secrets.token_urlsafe(64),
        }
        steps: list[tuple[str, list[str], dict[str, str] | None]] = []
        if not options["only_tests"]:
            steps += [
                ("ruff check", [python, "-m", "ruff", "check", "."], None),
                ("ruff format", [python, "-m", "ruff", "format", "--check", "."], None),
                ("mypy", [python, "-m", "mypy", "."], None),
                ("makemigrations --check",
                 [python, "manage.py", "makemigrations", "--check", "--dry-run"], None),
                ("check --deploy",
                 [python, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
                 deploy_env),
            ]  # fmt: skip
        steps.append(("pytest", [python, "-m", "pytest", *options["pytest_args"]], None))
        for label, command, env in steps:
            self.stdout.write(self.style.MIGRATE_HEADING(f"==> {label}"))
            result = subprocess.run(command, cwd=settings.BASE_DIR, env=env, check=False)
            if result.returncode != 0:
                raise CommandError(f"{label} ist fehlgeschlagen (Exit-Code {result.returncode}).")
        self.stdout.write(self.style.SUCCESS("Alle Prüfungen bestanden."))
