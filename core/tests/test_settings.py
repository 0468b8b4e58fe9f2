"""Settings from the environment: production passes ``check --deploy`` with no warning, refuses
weak secrets, and the embedded default needs no server. Each case runs in a subprocess with
its own environment."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

from config.settings.base import database_from_url

ROOT = Path(__file__).resolve().parents[2]


def run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE"}}
    clean.pop("PYTEST_XDIST_WORKER", None)
    return subprocess.run(  # noqa: S603 - our own interpreter and manage.py
        [sys.executable, *args], cwd=ROOT, env={**clean, **env}, capture_output=True, text=True, timeout=180
    )


def production_env(**overrides: str) -> dict[str, str]:
    return {
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "SECRET_KEY": secrets.token_urlsafe(64),
        "INTERNAL_JWT_SECRET": secrets.token_urlsafe(48),
        "ALLOWED_HOSTS": "backoffice.example.com",
        "DATABASE_URL": "postgres://app:pw@db.internal:5432/wellness",
        "REDIS_URL": "redis://cache.internal:6379/0",
        **overrides,
    }


def test_production_passes_check_deploy_without_warnings():
    result = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], production_env())
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (" in result.stdout


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"SECRET_KEY": "short"}, "SECRET_KEY must be set to at least 50"),
        ({"INTERNAL_JWT_SECRET": "too-short"}, "INTERNAL_JWT_SECRET must be at least 32 bytes"),
        ({"REDIS_URL": ""}, "DATABASE_URL (PostgreSQL) and REDIS_URL are required in production"),
    ],
)
def test_production_refuses_weak_or_missing_settings(overrides, message):
    result = run(["-c", "import config.settings.production"], production_env(**overrides))
    assert result.returncode != 0
    assert message in result.stderr


def test_internal_key_must_differ_from_secret_key():
    key = secrets.token_urlsafe(64)
    result = run(["-c", "import config.settings.production"], production_env(SECRET_KEY=key, INTERNAL_JWT_SECRET=key))
    assert result.returncode != 0
    assert "INTERNAL_JWT_SECRET must differ from SECRET_KEY" in result.stderr


def test_embedded_default_needs_no_server():
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.DATABASES['default']['ENGINE'], s.CACHES['default']['BACKEND'], s.CELERY_TASK_ALWAYS_EAGER, "
        "s.TIME_ZONE, s.LANGUAGE_CODE)"
    )
    result = run(["-c", code], {"DJANGO_SETTINGS_MODULE": "config.settings.base"})
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "django.db.backends.sqlite3",
        "django.core.cache.backends.locmem.LocMemCache",
        "True",
        "Asia/Seoul",
        "ko",
    ]


def test_database_url_parsing():
    db = database_from_url("postgres://app:p%40ss@db:6543/wellness?pool_max=4")
    assert db["ENGINE"] == "django.db.backends.postgresql"
    assert (db["USER"], db["PASSWORD"], db["HOST"], db["PORT"], db["NAME"]) == ("app", "p@ss", "db", "6543", "wellness")
    assert db["OPTIONS"]["pool"]["max_size"] == 4
    assert db["CONN_MAX_AGE"] == 0  # Django's pool refuses persistent connections
    assert database_from_url("sqlite:////tmp/x.db")["NAME"] == "/tmp/x.db"  # noqa: S108
    with pytest.raises(Exception, match="not supported"):
        database_from_url("mysql://x/y")
