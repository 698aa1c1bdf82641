"""The quick start: migrate, load the demo data, run a worker and the web server."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from typing import Any

from django.conf import settings
from django.core.management import call_command, get_commands
from django.core.management.base import BaseCommand, CommandParser

DEMO_LOADERS = (
    "load_maturity_demo",
    "load_costsharing_demo",
    "load_roadmap_demo",
    "load_papers_demo",
)
Loaders = tuple[tuple[str, dict[str, Any]], ...]
# Each demo is its own centre, so its own data folder (one centre per deployment): folder,
# loaders before the server starts, loaders that run beside it. The default tells the whole
# cycle: 2025 finished (decided and frozen), 2026 in progress. Finishing 2025 renders 29 PDFs
# (about 1-4 s each), so it runs in the background on the first start: the portal answers at
# once and 2025 shows as frozen a minute or two later; later starts find it done.
DEMOS: dict[str, tuple[str, Loaders, Loaders]] = {
    "mkk": ("", tuple((name, {}) for name in DEMO_LOADERS),
            (("load_papers_demo", {"finish": 2025}),)),
    "kkd": ("demo-kkd", (("load_real_demo", {"demo": "kkd"}),), ()),
    "egov6": ("demo-egov6", (("load_real_demo", {"demo": "egov6"}),), ()),
}  # fmt: skip


def _run_in_background(loaders: Loaders) -> None:
    from django.db import connections

    try:
        for loader, loader_options in loaders:
            call_command(loader, **loader_options)
    finally:
        connections.close_all()


class Command(BaseCommand):
    help = "Portal mit Demodaten starten (Entwicklung): Webserver und Celery-Worker."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--port", type=int, default=settings.PORTAL_PORT or 8000)
        parser.add_argument("--no-worker", action="store_true")
        parser.add_argument(
            "--demo", choices=sorted(DEMOS), default=os.environ.get("IZD_DEMO", "mkk"),
            help="Welche Demo: mkk (Main-Kinzig-Kreis, Standard), kkd (Seed VL-100/2023), egov6",
        )  # fmt: skip

    def handle(self, *args: Any, **options: Any) -> None:
        demo = options["demo"]
        if os.environ.get("IZD_DEMO", "mkk") != demo:
            # The data folder is chosen when the settings load: start again with it set.
            from tenants.demo import DEMO_SETS

            env = {**os.environ, "IZD_DEMO": demo, "IZD_KREIS_NAME": DEMO_SETS[demo].kreis_name}
            if DEMOS[demo][0]:
                env["IZD_DATA_DIR"] = str(settings.BASE_DIR / ".data" / DEMOS[demo][0])
            os.execve(sys.executable, [sys.executable, *sys.argv], env)  # noqa: S606 - ourselves
        call_command("migrate", interactive=False, verbosity=0)
        call_command("load_demo_data", if_absent=True, demo=demo)
        # Each app brings its own demo data; every loader is idempotent.
        available = get_commands()
        for loader, loader_options in DEMOS[demo][1]:
            if loader in available:
                call_command(loader, **loader_options)
        if DEMOS[demo][2]:
            threading.Thread(target=_run_in_background, args=(DEMOS[demo][2],), daemon=True).start()
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
        from tenants.demo import DEMO_PASSWORD, demo_accounts, demo_home

        demo = os.environ.get("IZD_DEMO", "mkk")

        domain = settings.BASE_DOMAIN
        lines = [
            "",
            "IZD-Portal läuft:",
            f"  Kreis (Zentrum):       http://{domain}:{port}/",
            f"  Kommune (Beispiel):    http://{demo_home(demo)}.{domain}:{port}/",
            f"  Health-Check:          http://{domain}:{port}/healthz",
            "",
            f"Demokonten (Passwort für alle: {DEMO_PASSWORD}):",
            *(f"  {a.email:<40} {a.role_label}" for a in demo_accounts(demo_home(demo))),
            "",
            f"Beenden mit Strg+C. Daten bleiben im Ordner {settings.DATA_DIR} erhalten.",
            "",
        ]
        self.stdout.write("\n".join(lines))
