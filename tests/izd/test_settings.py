from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from izd.env import EnvironmentError_, env_bool, env_domain, env_int, env_url

ROOT = Path(__file__).resolve().parents[2]


def test_boolean_accepts_the_usual_spellings(monkeypatch):
    monkeypatch.setenv("X_FLAG", "Yes")
    assert env_bool("X_FLAG", False) is True
    monkeypatch.setenv("X_FLAG", "0")
    assert env_bool("X_FLAG", True) is False


def test_bad_boolean_names_the_variable(monkeypatch):
    monkeypatch.setenv("X_FLAG", "vielleicht")
    with pytest.raises(EnvironmentError_, match="X_FLAG must be true or false"):
        env_bool("X_FLAG", False)


def test_bad_number_and_too_small_number_are_refused(monkeypatch):
    monkeypatch.setenv("X_NUM", "zwölf")
    with pytest.raises(EnvironmentError_, match="whole number"):
        env_int("X_NUM", 1)
    monkeypatch.setenv("X_NUM", "0")
    with pytest.raises(EnvironmentError_, match="at least 1"):
        env_int("X_NUM", 1, minimum=1)


def test_url_with_the_wrong_scheme_is_refused(monkeypatch):
    monkeypatch.setenv("X_URL", "mysql://db/portal")
    with pytest.raises(EnvironmentError_, match="postgres"):
        env_url("X_URL", schemes=("postgres", "postgresql"))


def test_domain_must_be_a_host_name(monkeypatch):
    monkeypatch.setenv("X_DOMAIN", "https://portal.example.de/")
    with pytest.raises(EnvironmentError_, match="domain name"):
        env_domain("X_DOMAIN", "localhost")


def _environment_without_test_switches() -> dict[str, str]:
    # The browser fixture allows sync ORM calls next to Playwright's event loop; a deployment
    # check must not inherit that switch.
    return {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}


def _manage(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**_environment_without_test_switches(), **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_portal_refuses_to_start_with_a_bad_setting():
    result = _manage("check", DEBUG="kaputt")
    assert result.returncode != 0
    assert "DEBUG must be true or false" in result.stderr


def test_production_without_secret_key_refuses_to_start():
    result = _manage("check", DATABASE_URL="postgres://u:p@127.0.0.1:1/x", SECRET_KEY="")
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_deploy_check_is_clean_with_debug_off():
    result = _manage(
        "check", "--deploy", "--fail-level", "WARNING",
        DEBUG="false", IZD_HTTPS="true", SECRET_KEY="k" * 20 + "-Zufall-" + "x9" * 20,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr


def test_server_error_page_is_german_and_needs_no_database(rf):
    from izd.errors import error_500

    response = error_500(rf.get("/"))
    assert response.status_code == 500
    body = response.content.decode()
    assert '<html lang="de">' in body
    assert "Ein Fehler ist aufgetreten" in body
