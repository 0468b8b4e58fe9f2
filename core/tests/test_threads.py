"""Serving processes run numpy's/scipy's BLAS and scikit-learn's OpenMP with WORKER_BLAS_THREADS
threads (core/threads.py)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
from celery.signals import worker_init, worker_process_init
from threadpoolctl import threadpool_info, threadpool_limits

from core.threads import THREAD_VARIABLES, blas_threads_setting, limit_blas_threads


def _threads() -> dict[str, set[int]]:
    out: dict[str, set[int]] = {}
    for pool in threadpool_info():
        out.setdefault(pool["user_api"], set()).add(pool["num_threads"])
    return out


@pytest.fixture
def restore_threads():
    with threadpool_limits(limits=None):  # whatever a test changes is restored on exit
        yield


def test_default_is_one_thread_for_blas_and_openmp(restore_threads, monkeypatch):
    monkeypatch.delenv("WORKER_BLAS_THREADS", raising=False)
    with threadpool_limits(limits=2):
        assert limit_blas_threads() == 1
        threads = _threads()
        assert threads["blas"] == {1}  # numpy's and scipy's OpenBLAS, loaded by the call
        assert threads["openmp"] == {1}  # scikit-learn's runtime


def test_setting_chooses_the_count_and_zero_leaves_the_default(restore_threads, monkeypatch):
    with threadpool_limits(limits=1):
        monkeypatch.setenv("WORKER_BLAS_THREADS", "2")
        assert limit_blas_threads() == 2
        assert _threads()["blas"] == {2}
        monkeypatch.setenv("WORKER_BLAS_THREADS", "0")
        assert limit_blas_threads() is None
        assert _threads()["blas"] == {2}


@pytest.mark.parametrize(("raw", "value"), [("", 1), (" ", 1), ("two", 1), ("-3", 1), ("3", 3), ("0", 0)])
def test_a_bad_setting_falls_back_to_one(monkeypatch, raw, value):
    monkeypatch.setenv("WORKER_BLAS_THREADS", raw)
    assert blas_threads_setting() == value


def test_gunicorn_exports_the_variables_and_limits_each_worker(restore_threads, monkeypatch):
    monkeypatch.setenv("WORKER_BLAS_THREADS", "1")
    for name in THREAD_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    path = Path(__file__).resolve().parents[2] / "config" / "gunicorn.conf.py"
    spec = importlib.util.spec_from_file_location("gunicorn_conf", path)
    conf = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(conf)
    import os

    assert {name: os.environ[name] for name in THREAD_VARIABLES} == dict.fromkeys(THREAD_VARIABLES, "1")
    with threadpool_limits(limits=2):
        conf.post_worker_init(object())
        assert _threads()["blas"] == {1}


def test_celery_workers_limit_on_start(restore_threads, monkeypatch):
    from config.celery import _blas_threads

    monkeypatch.setenv("WORKER_BLAS_THREADS", "1")
    # connected to the main worker process (inherited by prefork children) and to each child
    assert any(receiver() is _blas_threads for _, receiver in worker_init.receivers)
    assert any(receiver() is _blas_threads for _, receiver in worker_process_init.receivers)
    with threadpool_limits(limits=2):
        _blas_threads()
        assert _threads()["blas"] == {1}
