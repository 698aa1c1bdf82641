"""A start from a fresh clone (issue 11): `manage.py start` in an empty data folder, as a real
process with its own embedded PostgreSQL and Redis, prints only the German start-up lines, the
addresses and the demo accounts. No e-mails on the terminal, no Celery warning about root, no
traceback, no English noise, also while the background demo step renders the 2025 papers and
when Ctrl+C stops it.

The README's start command is `python3.11 manage.py start`; its installer step is skipped here
because .venv is already current (the package installer's messages do not count anyway).
"""

from __future__ import annotations

import hashlib
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

# It runs a real Celery worker (the one `start` starts) and takes minutes.
pytestmark = pytest.mark.celery

ROOT = Path(__file__).resolve().parents[2]
# Generous: on a loaded CI machine the migrations, the demo data and 29 PDFs take minutes.
SERVE_SECONDS = 15 * 60
FINISH_SECONDS = 20 * 60
# What a fresh shell would not have: the test run's own database, broker, mail backend, …
DROPPED = ("IZD_", "DATABASE_", "REDIS_", "DJANGO_", "EMAIL_", "CELERY_", "PYTEST")
DROPPED_NAMES = {"SECRET_KEY", "DEBUG", "XDG_RUNTIME_DIR"}

ALLOWED = [
    re.compile(pattern)
    for pattern in (
        # the demo loaders, one line each
        r"Demodaten geladen\.",
        r"Reifegrad-Demodaten geladen: .+",
        r"Kostenverteilung \d{4} und \d{4} für \d+ Kommunen geladen\.",
        r"Roadmap-Demodaten: .+",
        r"Vorlage „.+“ bereit; Beschlussvorlagen .+",
        r"Praxisbeispiel-Demodaten: .+",
        # the addresses
        r"IZD-Portal läuft:",
        r"  Kreis \(Zentrum\): +http://izd\.localhost:\d+/",
        r"  Kommune \(Beispiel\): +http://[a-z0-9-]+\.izd\.localhost:\d+/",
        r"  Health-Check: +http://izd\.localhost:\d+/healthz",
        # the accounts
        r"Demokonten \(Passwort für alle: \S+\):",
        r"  [a-z0-9.-]+@[a-z0-9.-]+ +[A-ZÄÖÜ].+",
        r"E-Mails des Portals liegen als Dateien im Ordner \S+\.",
        r"Beenden mit Strg\+C\. Daten bleiben im Ordner \S+ erhalten\.",
        # the background step that finishes 2025
        r"Demo: 2025 abgeschlossen: .+",
    )
]
ACCOUNTS = (
    "koordination@izd.localhost",
    "kaemmerei-zentrum@izd.localhost",
    "digital@waechtersbach.izd.localhost",
    "kaemmerei@waechtersbach.izd.localhost",
    "lesen@waechtersbach.izd.localhost",
)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _venv_is_current() -> bool:
    """manage.py would install into .venv first if pyproject.toml changed since."""
    venv = ROOT / ".venv"
    if Path(sys.prefix).resolve() != venv.resolve():
        return False
    wanted = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    stamps = (venv / ".installed-dev", venv / ".installed-base")
    return any(stamp.exists() and stamp.read_text() == wanted for stamp in stamps)


class Output:
    """Both streams of the process, line by line, as they come."""

    def __init__(self, process: subprocess.Popen[bytes]) -> None:
        self.lines: list[str] = []
        self._lock = threading.Lock()
        self._threads = [
            threading.Thread(target=self._read, args=(stream,), daemon=True)
            for stream in (process.stdout, process.stderr)
        ]
        for thread in self._threads:
            thread.start()

    def _read(self, stream: object) -> None:
        for raw in iter(stream.readline, b""):  # type: ignore[attr-defined]
            with self._lock:
                self.lines.append(raw.decode("utf-8", errors="replace").rstrip("\n"))

    def text(self) -> str:
        with self._lock:
            return "\n".join(self.lines)

    def join(self) -> None:
        for thread in self._threads:
            thread.join(timeout=30)


def _answers(port: int, path: str, host: str = "izd.localhost") -> int | None:
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers={"Host": host})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - our server
            return int(response.status)
    except urllib.error.HTTPError as error:
        return int(error.code)
    except OSError:
        return None


def _wait(predicate: object, seconds: float, what: str, output: Output) -> None:
    deadline = time.monotonic() + seconds
    while not predicate():  # type: ignore[operator]
        if time.monotonic() > deadline:
            pytest.fail(f"{what}\n--- Ausgabe ---\n{output.text()[-6000:]}", pytrace=False)
        time.sleep(1)


def _stop_embedded(data: Path, redis_port: int) -> None:
    """The embedded servers outlive `start` by design; the test's own are stopped here."""
    with socket.socket() as conn:
        try:
            conn.settimeout(2)
            conn.connect(("127.0.0.1", redis_port))
            conn.sendall(b"SHUTDOWN NOSAVE\r\n")
            conn.recv(16)
        except OSError:
            pass
    if (data / "postgres" / "postmaster.pid").exists():
        script = (
            "import os, sys, pgserver; os.environ['XDG_RUNTIME_DIR'] = sys.argv[2]; "
            "pgserver.get_server(sys.argv[1], cleanup_mode='stop').cleanup()"
        )
        subprocess.run(
            [sys.executable, "-c", script, str(data / "postgres"), str(data / "run")],
            check=False,
            timeout=120,
            capture_output=True,
        )


@pytest.fixture
def fresh_start(tmp_path: Path) -> Iterator[tuple[subprocess.Popen[bytes], Output, int]]:
    if not _venv_is_current():
        pytest.fail(
            "Die Umgebung .venv ist nicht auf dem Stand von pyproject.toml (oder der Test läuft "
            "nicht in .venv): `python3.11 manage.py runtests` installiert sie und startet die "
            "Tests darin.",
            pytrace=False,
        )
    data = tmp_path / "daten"
    data.mkdir()
    port, redis_port = _free_port(), _free_port()
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(DROPPED) and key not in DROPPED_NAMES
    }
    env.update(IZD_DATA_DIR=str(data), IZD_EMBEDDED_REDIS_PORT=str(redis_port))
    process = subprocess.Popen(
        [sys.executable, "manage.py", "start", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,  # as a terminal's foreground job: its own process group
    )
    output = Output(process)
    try:
        yield process, output, port
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=30)
        _stop_embedded(data, redis_port)


def test_fresh_start_prints_only_the_start_up_lines_addresses_and_accounts(fresh_start):
    process, output, port = fresh_start

    _wait(
        lambda: "Beenden mit Strg+C" in output.text() and _answers(port, "/healthz") is not None,
        SERVE_SECONDS,
        "Das Portal antwortet nicht.",
        output,
    )
    assert _answers(port, "/anmelden/") == 200
    assert _answers(port, "/anmelden/", host="waechtersbach.izd.localhost") == 200
    assert _answers(port, "/", host="unbekannt.izd.localhost") == 404
    # The background step finishes 2025 (29 PDFs rendered by the worker).
    _wait(
        lambda: "Demo: 2025 abgeschlossen" in output.text() or process.poll() is not None,
        FINISH_SECONDS,
        "2025 wird nicht abgeschlossen.",
        output,
    )
    _wait(lambda: _answers(port, "/healthz") == 200, 120, "Health-Check nicht ok", output)

    os.kill(process.pid, signal.SIGINT)  # Strg+C
    code = process.wait(timeout=120)
    output.join()
    text = output.text()

    assert code == 0, text
    unexpected = [
        line
        for line in text.splitlines()
        if line.strip() and not any(pattern.fullmatch(line) for pattern in ALLOWED)
    ]
    assert not unexpected, "Unerwartete Ausgabe:\n" + "\n".join(unexpected)
    for account in ACCOUNTS:
        assert f"  {account} " in text
    assert text.index("IZD-Portal läuft:") < text.index("Demokonten")
