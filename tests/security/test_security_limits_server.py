"""An oversized public request body gets the 413 page from a real WSGI server, not
only from Django's test client: `make run` serves with Django's runserver, whose
WSGI handler (wsgiref's) refuses hop-by-hop headers such as `Connection` from the
application, and the test client applies no such rule."""

import http.client
import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlencode, urlsplit, urlunsplit

from django.conf import settings
from django.db import connection

import pytest

from tests.blog.comments import test_comments_support as support
from tests.blog.comments.test_comments_support import comment_data, post_url

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

blog_index = support.blog_index
post = support.post

PROJECT = Path(__file__).resolve().parents[2]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def runserver(post):
    """`manage.py runserver` (what `make run` starts) in its own process on
    127.0.0.1, on the test database (this test commits its data)."""
    parts = urlsplit(os.environ["DATABASE_URL"])
    database_url = urlunsplit(parts._replace(path="/" + connection.settings_dict["NAME"]))
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DJANGO_SETTINGS_MODULE": "lmn_cms.settings.test",
        "LOG_LEVEL": "ERROR",
    }
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    process = subprocess.Popen(  # noqa: S603 (fixed arguments)
        [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
        cwd=PROJECT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        for _ in range(600):  # wait for it to listen (up to a minute on a busy machine)
            if process.poll() is not None:
                pytest.fail("runserver exited: " + process.stderr.read().decode()[-2000:])
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.1)
        else:
            pytest.fail("runserver did not start listening")
        yield port
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_an_oversized_comment_under_runserver_gets_the_413_page(runserver, post):
    body = urlencode(comment_data(text="x" * 200 * 1024)).encode()
    assert len(body) > settings.PUBLIC_MAX_REQUEST_BODY
    conn = http.client.HTTPConnection("127.0.0.1", runserver, timeout=60)
    conn.request(
        "POST",
        post_url(post),
        body=body,
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    response = conn.getresponse()
    html = response.read().decode()
    assert response.status == 413
    assert "<h1>Too much data sent</h1>" in html
    # The same connection still serves the next request: the unread body was
    # drained by the server, not taken for the start of another request.
    conn.request("GET", "/robots.txt")
    follow_up = conn.getresponse()
    assert follow_up.status == 200
    assert b"User-agent" in follow_up.read()
    conn.close()
