"""WSGI entry point (gunicorn wagglebot.wsgi)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wagglebot.settings")
application = get_wsgi_application()
