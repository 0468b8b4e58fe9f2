"""Celery application. Without REDIS_URL tasks run eagerly in-process (embedded default)."""

import os

from celery import Celery
from celery.signals import worker_init, worker_process_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")

app = Celery("wellness")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@worker_init.connect
@worker_process_init.connect
def _blas_threads(**kwargs: object) -> None:
    """One BLAS thread per worker process (``core/threads.py``): the main process (inherited by
    the prefork children) and each child."""
    from core.threads import limit_blas_threads

    limit_blas_threads()
