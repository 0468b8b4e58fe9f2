"""gunicorn settings for production: ``gunicorn -c config/gunicorn.conf.py config.wsgi:application``.

The access log leaves the query string out (``%(U)s`` is the path alone): search terms travel
there (``/customers/search?q=010-1234-5678``) and logs must hold no unmasked personal data
(API.md "Personal data"). Bind address and worker count stay on the command line.

Worker class: ``gthread`` with 4 threads by default (``GUNICORN_WORKER_CLASS``,
``GUNICORN_THREADS``; the database pool, ``DB_POOL_MAX`` = 8 per process, covers them). Measured on
the quiet 2-core machine with the load generator beside the server, 2 workers, cached customer
detail paced to ~400 req/s (docs/benchmarks.md, "Throughput, quiet"): gthread ×4 served 403.8 req/s
at p95 38 ms, a sync worker 381.4 req/s at p95 110 ms — one thread per process queues a request
behind another's waits (the audit row's commit, Redis). ``GUNICORN_WORKER_CLASS=sync`` runs one
thread per process (gunicorn would otherwise silently switch a sync worker with threads to gthread).
Choose the class with ``GUNICORN_WORKER_CLASS``, not ``-k``: the thread count here is set from the
variable, and ``-k sync`` on the command line would keep 4 threads (and so still run gthread).

Each worker runs numpy's/scipy's BLAS and scikit-learn's OpenMP with ``WORKER_BLAS_THREADS``
threads (default 1, ``core/threads.py``): with a thread per core in every worker, two workers
scoring reviews served 278–421 reviews/s together instead of 1,157–1,226.
"""

import os

from core.threads import export_thread_variables

export_thread_variables()  # before the application (and numpy) is imported

access_log_format = '%(h)s %(l)s %(u)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(L)s "%(a)s"'
worker_class = os.environ.get("GUNICORN_WORKER_CLASS", "gthread")
# gunicorn silently runs gthread when a sync worker is given threads > 1: sync means one thread.
threads = int(os.environ.get("GUNICORN_THREADS", "4")) if worker_class == "gthread" else 1


def post_worker_init(worker: object) -> None:
    from core.threads import limit_blas_threads

    limit_blas_threads()
