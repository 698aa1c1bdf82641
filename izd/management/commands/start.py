"""The quick start: migrate, load the demo data, run a worker and the web server."""

from __future__ import annotations

import subprocess
import sys
from typing import Any

from django.conf import settings
from django.core.management import call_command, get_commands
from django.core.management.base import BaseCommand, CommandParser

DEMO_LOADERS = (
    "load_maturity_demo",
    "load_costsharing_demo",
    "load_roadmap_demo",
    "load_papers_demo",
    "load_practices_demo",
)


class Command(BaseCommand):
    help = "Portal mit Demodaten starten (Entwicklung): Webserver und Celery-Worker."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--port", type=int, default=settings.PORTAL_PORT or 8000)
        parser.add_argument("--no-worker", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        call_command("migrate", interactive=False, verbosity=0)
        call_command("load_demo_data", if_absent=True)
        # Each app brings its own demo data; every loader is idempotent.
        available = get_commands()
        for loader in DEMO_LOADERS:
            if loader in available:
                call_command(loader)
        worker = None
        if not options["no_worker"]:
            worker = subprocess.Popen(
                [sys.executable, "-m", "celery", "-A", "izd", "worker",
                 "--loglevel", "warning", "--concurrency", "2"],
                cwd=settings.BASE_DIR,
            )  # fmt: skip
        self._announce(options["port"])
        try:
            call_command("runserver", f"0.0.0.0:{options['port']}", use_reloader=False)
        finally:
            if worker is not None:
                worker.terminate()
                worker.wait(timeout=20)

    def _announce(self, port: int) -> None:
        from tenants.demo import DEMO_MUNICIPALITY_SLUG, DEMO_PASSWORD, demo_accounts

        domain = settings.BASE_DOMAIN
        lines = [
            "",
            "IZD-Portal läuft:",
            f"  Kreis (Zentrum):       http://{domain}:{port}/",
            f"  Kommune (Beispiel):    http://{DEMO_MUNICIPALITY_SLUG}.{domain}:{port}/",
            f"  Health-Check:          http://{domain}:{port}/healthz",
            "",
            f"Demokonten (Passwort für alle: {DEMO_PASSWORD}):",
            *(f"  {a.email:<40} {a.role_label}" for a in demo_accounts()),
            "",
            "Beenden mit Strg+C. Daten bleiben im Ordner .data/ erhalten.",
            "",
        ]
        self.stdout.write("\n".join(lines))
