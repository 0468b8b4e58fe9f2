"""Native threads per serving process: numpy's and scipy's OpenBLAS, scikit-learn's OpenMP.

These libraries start one thread per core in every process and let them spin between calls.
With several gunicorn workers or Celery worker processes per machine, each scoring small
matrices (the sentiment model's networks, recommendation scores), the threads of one process
take the cores the others need: measured with the sentiment model on the 2-core machine
(docs/benchmarks.md), two processes scored 278–421 reviews/s together with the default threads
and 1,157–1,226 with one each.

So every web and worker process runs with ``WORKER_BLAS_THREADS`` threads (default 1; 0 leaves
the libraries' defaults): ``config/gunicorn.conf.py`` exports the thread variables before the
application is imported and calls :func:`limit_blas_threads` after a worker has loaded it;
``config/celery.py`` calls it when a worker (process) starts. Management commands (training)
keep the defaults.
"""

from __future__ import annotations

import logging
import os

logger = logging.getLogger(__name__)
THREAD_VARIABLES = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")


def blas_threads_setting() -> int:
    """``WORKER_BLAS_THREADS`` as a number; unset, blank or not a whole number ≥ 0: 1 (a typo in
    the environment must not stop the workers from starting)."""
    raw = os.environ.get("WORKER_BLAS_THREADS", "").strip()
    if not raw:
        return 1
    try:
        value = int(raw)
    except ValueError:
        logger.warning("WORKER_BLAS_THREADS=%r is not a whole number: using 1", raw)
        return 1
    return value if value >= 0 else 1


def export_thread_variables() -> None:
    """Set the libraries' thread variables (unless set already), for the ones loaded later in
    this process and its children."""
    limit = blas_threads_setting()
    if limit > 0:
        for name in THREAD_VARIABLES:
            os.environ.setdefault(name, str(limit))


def limit_blas_threads() -> int | None:
    """Load numpy, scipy's linear algebra and scikit-learn's OpenMP runtime, then limit their
    thread pools in this process to ``WORKER_BLAS_THREADS``; returns the limit, or ``None`` when
    0 leaves the defaults. (threadpoolctl limits only libraries already loaded.)"""
    limit = blas_threads_setting()
    if limit <= 0:
        return None
    import numpy  # noqa: F401
    import scipy.linalg  # noqa: F401
    import sklearn.utils._openmp_helpers  # noqa: F401
    from threadpoolctl import threadpool_limits

    threadpool_limits(limits=limit)
    return limit
