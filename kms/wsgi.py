"""WSGI entry point (gunicorn kms.wsgi). Servers run the production settings unless told
otherwise: they refuse to start without SECRET_KEY, DATABASE_URL and ALLOWED_HOSTS, rather
than serve with DEBUG on."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kms.settings.production")

application = get_wsgi_application()
