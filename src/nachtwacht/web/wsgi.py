"""WSGI entry point: ``gunicorn nachtwacht.web.wsgi``."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "nachtwacht.web.settings")
application = get_wsgi_application()
