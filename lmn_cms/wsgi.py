"""WSGI entry point (gunicorn lmn_cms.wsgi); production settings unless told otherwise."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lmn_cms.settings.production")

application = get_wsgi_application()
