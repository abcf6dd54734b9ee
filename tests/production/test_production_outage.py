"""A database outage answers 503 with a friendly page and no stack trace, and the
site recovers by itself once the database is back.

The outage is real: the test points Django's connection at a port where nothing
listens, so connecting fails exactly as it does while PostgreSQL restarts.
"""

from django.db import connection
from django.test import Client

import pytest

from home.web.outage import is_database_outage
from tests.utils import free_port

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def database_down():
    saved = dict(connection.settings_dict)
    connection.close()
    connection.settings_dict.update(HOST="127.0.0.1", PORT=str(free_port()))
    yield
    connection.close()
    connection.settings_dict.clear()
    connection.settings_dict.update(saved)


def assert_friendly_503(response):
    assert response.status_code == 503
    html = response.content.decode()
    assert "We will be back in a moment" in html
    assert "Traceback" not in html and "OperationalError" not in html
    assert response["Retry-After"] == "10"
    assert "no-store" in response["Cache-Control"]


def test_a_page_view_during_an_outage_gets_the_friendly_503(home_page, database_down):
    client = Client(raise_request_exception=False)
    assert_friendly_503(client.get("/"))


def test_an_outage_met_by_middleware_gets_the_friendly_503(home_page, database_down):
    """With a session cookie, the session is read in middleware, outside any view."""
    client = Client(raise_request_exception=False)
    client.cookies["sessionid"] = "a" * 32
    assert_friendly_503(client.get("/admin/"))


def test_the_site_recovers_once_the_database_is_back(home_page):
    saved = dict(connection.settings_dict)
    client = Client(raise_request_exception=False)
    connection.close()
    connection.settings_dict.update(HOST="127.0.0.1", PORT=str(free_port()))
    try:
        assert client.get("/").status_code == 503
    finally:
        connection.close()
        connection.settings_dict.clear()
        connection.settings_dict.update(saved)
    assert client.get("/").status_code == 200


def test_other_errors_are_not_outages():
    from django.db import IntegrityError, InterfaceError, OperationalError

    assert is_database_outage(OperationalError("could not connect"))
    assert is_database_outage(InterfaceError("connection already closed"))
    wrapped = RuntimeError("while rendering")
    wrapped.__cause__ = OperationalError("server closed the connection")
    assert is_database_outage(wrapped)
    assert not is_database_outage(IntegrityError("duplicate key"))
    assert not is_database_outage(ValueError("bad"))
