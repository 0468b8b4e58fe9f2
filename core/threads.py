"""BLAS threads per serving process.

numpy's OpenBLAS starts one thread per core in every process and lets them spin between calls.
With several gunicorn workers or Celery worker processes per machine, each scoring small
matrices (the sentiment model's networks, recommendation scores), the threads of one process
take the cores the others need: measured with the sentiment model on the 2-core machine
(docs/benchmarks.md), two processes scored 155 reviews/s together with the default threads and
1,168 with one BLAS thread each; one process alone also went from 627 to 791 reviews/s.

So every web and worker process runs with ``WORKER_BLAS_THREADS`` BLAS threads (default 1; 0
leaves OpenBLAS's default): ``config/gunicorn.conf.py`` calls :func:`limit_blas_threads` after
a worker has loaded the application, ``config/celery.py`` when a worker (process) starts.
Management commands (training) keep the default.
"""

from __future__ import annotations

import os


def blas_threads_setting() -> int:
    return int(os.environ.get("WORKER_BLAS_THREADS", "1"))


def limit_blas_threads() -> int | None:
    """Limit the BLAS libraries loaded in this process (numpy's, scipy's) to
    ``WORKER_BLAS_THREADS`` threads; returns the limit, or ``None`` when 0 leaves the default."""
    limit = blas_threads_setting()
    if limit <= 0:
        return None
    import numpy  # noqa: F401 - load OpenBLAS first: threadpoolctl limits only what is loaded
    from threadpoolctl import threadpool_limits

    threadpool_limits(limits=limit, user_api="blas")
    return limit
