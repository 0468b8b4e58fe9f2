"""gunicorn settings for production: ``gunicorn -c config/gunicorn.conf.py config.wsgi:application``.

The access log leaves the query string out (``%(U)s`` is the path alone): search terms travel
there (``/customers/search?q=010-1234-5678``) and logs must hold no unmasked personal data
(API.md "Personal data"). Bind address and worker count stay on the command line.

Threaded workers (``gthread``): a request spends most of its time waiting — the audit row's
commit, Redis round trips — and a sync worker idles through every wait, so two sync workers
top out at 2 ÷ latency (≈ 150 requests/s at 13 ms, docs/benchmarks.md). With threads a worker
runs another request's Python while one waits; the database pool (``DB_POOL_MAX``, 8 per
process) covers the threads. ``GUNICORN_WORKER_CLASS=sync`` restores the old behaviour.
"""

import os

access_log_format = '%(h)s %(l)s %(u)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(L)s "%(a)s"'
worker_class = os.environ.get("GUNICORN_WORKER_CLASS", "gthread")
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
