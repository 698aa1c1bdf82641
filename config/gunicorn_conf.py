"""gunicorn's settings for `manage.py start` and docker-compose.

Used as `gunicorn -c python:config.gunicorn_conf config.wsgi:application`.

Threads (gthread) in a few worker processes: requests mostly wait on PostgreSQL, and every
process keeps one bounded database pool (DATABASE_POOL_MAX_SIZE >= IZD_WEB_THREADS).
"""

from izd import sizing

bind = "0.0.0.0:8000"
worker_class = "gthread"
workers = sizing.web_workers()
threads = sizing.web_threads()
timeout = sizing.web_timeout()
graceful_timeout = 20
keepalive = 5
# A fresh process now and then keeps a slow leak from growing; the jitter avoids all at once.
max_requests = 2000
max_requests_jitter = 200
# The application is loaded in each worker after the fork, so no worker inherits a connection.
preload_app = False
errorlog = "-"
loglevel = "warning"
