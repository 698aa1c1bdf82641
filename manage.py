#!/usr/bin/env python3
"""Django's command-line utility, which also bootstraps a fresh checkout.

`python3.11 manage.py start` and `python3.11 manage.py runtests` work on a machine with only
Python 3.11 and git: they create `.venv`, install the project into it (again only when
pyproject.toml changed) and run themselves inside it.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
VENV_PYTHON = VENV / "bin" / "python"
# The commands that install what they need before they run.
BOOTSTRAP_EXTRAS = {"start": "", "runtests": "dev"}


def _running_in_venv() -> bool:
    return Path(sys.prefix).resolve() == VENV.resolve()


def _install(extras: str) -> None:
    if not VENV_PYTHON.exists():
        print("Lege die virtuelle Umgebung .venv an …", flush=True)
        subprocess.check_call([sys.executable, "-m", "venv", str(VENV)])
    wanted = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    stamps = [VENV / ".installed-dev", VENV / f".installed-{extras or 'base'}"]
    if any(stamp.exists() and stamp.read_text() == wanted for stamp in stamps):
        return
    print("Installiere die Abhängigkeiten (einmalig, einige Minuten) …", flush=True)
    pip = [str(VENV_PYTHON), "-m", "pip", "--disable-pip-version-check", "install", "-q"]
    subprocess.check_call([*pip, "--upgrade", "pip"])
    target = f".[{extras}]" if extras else "."
    subprocess.check_call([*pip, target], cwd=ROOT)
    stamps[1].write_text(wanted)


def _bootstrap() -> None:
    command = sys.argv[1] if len(sys.argv) > 1 else ""
    if command in BOOTSTRAP_EXTRAS:
        _install(BOOTSTRAP_EXTRAS[command])
    if not _running_in_venv() and VENV_PYTHON.exists():
        os.execv(str(VENV_PYTHON), [str(VENV_PYTHON), str(ROOT / "manage.py"), *sys.argv[1:]])  # noqa: S606 - re-runs this very script inside .venv


def main() -> None:
    _bootstrap()
    if len(sys.argv) > 1 and sys.argv[1] == "start":
        # The quick start serves plain HTTP on this machine; debug pages only with --dev.
        if "--dev" in sys.argv[2:]:
            os.environ.setdefault("DEBUG", "true")
        os.environ.setdefault("IZD_HTTPS", "false")
        os.environ.setdefault("IZD_PORT", "8000")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    try:
        from django.core.management import execute_from_command_line
    except ImportError as exc:
        raise ImportError(
            "Django is not installed. Run `python3.11 manage.py start` once to set up .venv."
        ) from exc
    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
