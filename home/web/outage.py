"""A friendly 503 when the database is unreachable (restarting, failing over, full).

The page is rendered from a template that touches neither the database nor the
request context, says nothing about the error, asks the browser to retry, and is
never cached. The error itself is logged in one line without a stack trace: the
cause is outside the app, and a trace could carry data from the request. Once the
database is back, the next request opens a new connection (Django's health check
drops the broken one), so the site recovers by itself.
"""

import logging
import sys

from django.db import InterfaceError, OperationalError
from django.template import loader
from django.views import defaults

logger = logging.getLogger(__name__)

OUTAGE_ERRORS = (OperationalError, InterfaceError)
RETRY_AFTER_SECONDS = 10
TEMPLATE = "errors/503.html"


def is_database_outage(exc):
    """Whether `exc` (or the error it was raised from) means the database is unreachable."""
    seen = 0
    while exc is not None and seen < 5:
        if isinstance(exc, OUTAGE_ERRORS):
            return True
        exc = exc.__cause__ or exc.__context__
        seen += 1
    return False


def outage_response():
    from django.http import HttpResponse

    response = HttpResponse(loader.get_template(TEMPLATE).render(), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


def _log(exc):
    logger.warning("Database unavailable (%s); answered 503", type(exc).__name__)


class DatabaseOutageMiddleware:
    """Turns a database outage raised by a view into the friendly 503."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if is_database_outage(exception):
            _log(exception)
            return outage_response()
        return None


def server_error(request, template_name=defaults.ERROR_500_TEMPLATE_NAME):
    """handler500: the friendly 503 when the error was a database outage raised
    outside a view (in middleware, say), else Django's own 500 page."""
    exc = sys.exc_info()[1]
    if is_database_outage(exc):
        _log(exc)
        return outage_response()
    return defaults.server_error(request, template_name=template_name)
