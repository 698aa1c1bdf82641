"""ASGI entry point. The portal is served by gunicorn over WSGI (see config/gunicorn_conf.py);
this is here for servers that speak only ASGI."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_asgi_application()
