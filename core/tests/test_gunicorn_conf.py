"""config/gunicorn.conf.py: the worker class named is the one gunicorn runs (gunicorn switches a
sync worker with threads > 1 to gthread without saying so)."""

from __future__ import annotations

import runpy
from pathlib import Path

import pytest

CONF = Path(__file__).resolve().parents[2] / "config" / "gunicorn.conf.py"


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({}, ("gthread", 4)),
        ({"GUNICORN_THREADS": "8"}, ("gthread", 8)),
        ({"GUNICORN_WORKER_CLASS": "sync"}, ("sync", 1)),
        ({"GUNICORN_WORKER_CLASS": "sync", "GUNICORN_THREADS": "8"}, ("sync", 1)),
        ({"GUNICORN_WORKER_CLASS": "gthread"}, ("gthread", 4)),
        ({"GUNICORN_WORKER_CLASS": "gthread", "GUNICORN_THREADS": "8"}, ("gthread", 8)),
    ],
)
def test_sync_means_one_thread(monkeypatch, env, expected):
    monkeypatch.delenv("GUNICORN_WORKER_CLASS", raising=False)
    monkeypatch.delenv("GUNICORN_THREADS", raising=False)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    conf = runpy.run_path(str(CONF))
    assert (conf["worker_class"], conf["threads"]) == expected
    assert "%(U)s" in conf["access_log_format"] and "%(r)s" not in conf["access_log_format"]
