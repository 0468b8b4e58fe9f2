"""gunicorn settings for production: ``gunicorn -c config/gunicorn.conf.py config.wsgi:application``.

The access log leaves the query string out (``%(U)s`` is the path alone): search terms travel
there (``/customers/search?q=010-1234-5678``) and logs must hold no unmasked personal data
(API.md "Personal data"). Bind address and worker count stay on the command line.

Worker class: ``sync`` by default, ``GUNICORN_WORKER_CLASS=gthread`` with ``GUNICORN_THREADS``
(default 4; the database pool, ``DB_POOL_MAX`` = 8 per process, covers them) to overlap the
waits (the audit row's commit, Redis) of one request with another's Python. On the 2-core
machine with the load generator beside the server the CPU is the limit, not the waits: in
alternating runs gthread served no more requests per second than sync and cost 0.2–2 ms more
CPU per request (docs/benchmarks.md, "Throughput"). Where the server has cores to spare and a
slow query should not hold up the requests behind it, try gthread.
"""

import os

access_log_format = '%(h)s %(l)s %(u)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(L)s "%(a)s"'
worker_class = os.environ.get("GUNICORN_WORKER_CLASS", "sync")
# gunicorn silently runs gthread when a sync worker is given threads > 1: sync means one thread.
threads = int(os.environ.get("GUNICORN_THREADS", "4")) if worker_class == "gthread" else 1
