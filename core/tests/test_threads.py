"""Serving processes run numpy's BLAS with WORKER_BLAS_THREADS threads (core/threads.py)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
from celery.signals import worker_init, worker_process_init
from threadpoolctl import threadpool_info, threadpool_limits

from core.threads import limit_blas_threads


def _blas_threads() -> set[int]:
    return {pool["num_threads"] for pool in threadpool_info() if pool["user_api"] == "blas"}


@pytest.fixture
def restore_blas():
    with threadpool_limits(limits=None):  # restores whatever the test changed on exit
        yield


def test_default_is_one_blas_thread(restore_blas, monkeypatch):
    monkeypatch.delenv("WORKER_BLAS_THREADS", raising=False)
    with threadpool_limits(limits=2, user_api="blas"):
        assert limit_blas_threads() == 1
        assert _blas_threads() == {1}


def test_setting_chooses_the_count_and_zero_leaves_the_default(restore_blas, monkeypatch):
    with threadpool_limits(limits=1, user_api="blas"):
        monkeypatch.setenv("WORKER_BLAS_THREADS", "2")
        assert limit_blas_threads() == 2
        assert _blas_threads() == {2}
        monkeypatch.setenv("WORKER_BLAS_THREADS", "0")
        assert limit_blas_threads() is None
        assert _blas_threads() == {2}


def test_gunicorn_and_celery_workers_call_it(restore_blas, monkeypatch):
    monkeypatch.setenv("WORKER_BLAS_THREADS", "1")
    path = Path(__file__).resolve().parents[2] / "config" / "gunicorn.conf.py"
    spec = importlib.util.spec_from_file_location("gunicorn_conf", path)
    conf = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(conf)
    with threadpool_limits(limits=2, user_api="blas"):
        conf.post_worker_init(object())
        assert _blas_threads() == {1}
    with threadpool_limits(limits=2, user_api="blas"):
        worker_process_init.send(sender=None)
        assert _blas_threads() == {1}
    with threadpool_limits(limits=2, user_api="blas"):
        worker_init.send(sender=None)
        assert _blas_threads() == {1}
