"""The composition root: settings, URL roots, wsgi/asgi, the Celery app and the commands that
wire every app together (start, runtests). Only this package imports every app."""

from config.celery import app as celery_app

__all__ = ["celery_app"]
