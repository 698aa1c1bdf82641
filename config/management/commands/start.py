"""The quick start: migrate, load the demo data, run a worker and the web server."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from typing import Any

from django.conf import settings
from django.core.management import call_command, get_commands
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connections

DEMO_LOADERS = (
    "load_maturity_demo",
    "load_costsharing_demo",
    "load_roadmap_demo",
    "load_papers_demo",
    "load_practices_demo",
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
    """Run the loaders beside the server; only their last line (what was finished) is shown, so
    the start-up lines, addresses and accounts stay together on the terminal."""
    import io

    from django.db import connections

    output = io.StringIO()
    try:
        for loader, loader_options in loaders:
            call_command(loader, stdout=output, **loader_options)
        lines = output.getvalue().strip().splitlines()
        if lines:
            sys.stdout.write(f"Demo: {lines[-1]}\n")
    finally:
        connections.close_all()


class Command(BaseCommand):
    help = (
        "Portal mit Demodaten starten: gunicorn und Celery-Worker wie im Betrieb; "
        "--dev für Debug-Seiten und automatisches Neuladen."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--port", type=int, default=settings.PORTAL_PORT or 8000)
        parser.add_argument("--no-worker", action="store_true")
        parser.add_argument(
            "--dev",
            action="store_true",
            help="Entwicklung: Django-Server mit Debug-Seiten und automatischem Neuladen.",
        )
        parser.add_argument(
            "--demo", choices=sorted(DEMOS), default=os.environ.get("IZD_DEMO", "mkk"),
            help="Welche Demo: mkk (Main-Kinzig-Kreis, Standard), kkd (Seed VL-100/2023), egov6",
        )  # fmt: skip

    def handle(self, *args: Any, **options: Any) -> None:
        if os.environ.get("RUN_MAIN") == "true":
            # The autoreloader's child (--dev): the parent has prepared everything already.
            call_command("runserver", f"0.0.0.0:{options['port']}", use_reloader=True)
            return
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
        _release_database()
        if DEMOS[demo][2]:
            threading.Thread(target=_run_in_background, args=(DEMOS[demo][2],), daemon=True).start()
        # The children run in process groups of their own, so that Ctrl+C reaches only this
        # command, which then stops them in order; closing the terminal or SIGTERM does too.
        signal.signal(signal.SIGTERM, _interrupt)
        signal.signal(signal.SIGHUP, _interrupt)
        worker = None
        if not options["no_worker"]:
            worker = subprocess.Popen(
                # Quiet: no banner, and no warning about root (the quick start may run as root
                # in a container); the worker's own warnings and errors still show.
                [
                    sys.executable,
                    "-W",
                    "ignore:You're running the worker with superuser",
                    "-m",
                    "celery",
                    "-A",
                    "config",
                    "--quiet",
                    "worker",
                    "--loglevel",
                    "warning",
                ],
                cwd=settings.BASE_DIR,
                env=_named("izd-worker"),
                process_group=0,
                # Celery prints "worker: Warm shutdown" to stdout when stopped; its log (warnings
                # and errors) goes to stderr, which stays on the terminal.
                stdout=subprocess.DEVNULL,
            )
        self._announce(options["port"])
        try:
            if options["dev"]:
                call_command("runserver", f"0.0.0.0:{options['port']}", use_reloader=True)
            else:
                self._serve(options["port"])
        except KeyboardInterrupt:
            pass
        finally:
            if worker is not None:
                _stop(worker)

    def _serve(self, port: int) -> None:
        """gunicorn, sized from the environment as in docker-compose (config/gunicorn_conf.py)."""
        server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "python:config.gunicorn_conf",
             "--bind", f"0.0.0.0:{port}", "config.wsgi:application"],
            cwd=settings.BASE_DIR,
            env=_named("izd-web"),
            process_group=0,
        )  # fmt: skip
        try:
            code = server.wait()
        finally:
            _stop(server)
        if code not in (0, -signal.SIGINT, -signal.SIGTERM):
            raise CommandError(f"gunicorn ist mit Exit-Code {code} beendet worden.")

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
            f"E-Mails des Portals liegen als Dateien im Ordner {settings.EMAIL_FILE_PATH}.",
            f"Beenden mit Strg+C. Daten bleiben im Ordner {settings.DATA_DIR} erhalten.",
            "",
        ]
        self.stdout.write("\n".join(lines))


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def _named(application_name: str) -> dict[str, str]:
    """The environment for a child, whose connections pg_stat_activity shows by this name."""
    return {"DATABASE_APPLICATION_NAME": application_name, **os.environ}


def _release_database() -> None:
    """This process only waits from now on: it must not hold pooled connections meanwhile."""
    for conn in connections.all(initialized_only=True):
        conn.close()
        close_pool = getattr(conn, "close_pool", None)
        if close_pool is not None and conn.settings_dict.get("OPTIONS", {}).get("pool"):
            close_pool()


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
