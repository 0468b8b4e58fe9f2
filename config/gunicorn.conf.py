"""gunicorn settings for production: ``gunicorn -c config/gunicorn.conf.py config.wsgi:application``.

The access log leaves the query string out (``%(U)s`` is the path alone): search terms travel
there (``/customers/search?q=010-1234-5678``) and logs must hold no unmasked personal data
(API.md "Personal data"). Bind address and worker count stay on the command line.
"""

access_log_format = '%(h)s %(l)s %(u)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(L)s "%(a)s"'
