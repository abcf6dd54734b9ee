"""Documents in a private collection are not readable at a plain URL when media is
on S3: Wagtail's serve view checks the collection's privacy and then streams the
file itself (WAGTAILDOCS_SERVE_METHOD = "serve_view"), so no one is ever sent to,
or shown, the object's own storage URL.

The storage is django-storages' real S3Storage talking (through boto3) to a
minimal S3-compatible server on 127.0.0.1 that records what it is asked. What this
cannot prove: that the real bucket refuses anonymous reads of `documents/`; that is
the bucket policy docs/deploy.md asks for.
"""

import json
import os
import secrets
import subprocess
import sys
import threading
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import override_settings

from wagtail.documents import get_document_model
from wagtail.models import Collection, CollectionViewRestriction

import pytest

pytestmark = pytest.mark.django_db

PROJECT = Path(__file__).resolve().parent.parent
BUCKET = "lmn-test"
CONTENT = b"%PDF-1.4 minutes of a private meeting"


class FakeS3(BaseHTTPRequestHandler):
    """Just enough of S3's path-style object API for S3Storage to read a file."""

    protocol_version = "HTTP/1.1"
    objects = {}
    seen = []

    def _object(self):
        self.seen.append((self.command, self.path.split("?")[0]))
        return self.objects.get(self.path.split("?")[0])

    def _headers(self, body):
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Content-Type", "application/pdf")
        self.send_header("ETag", '"0123456789abcdef"')
        self.send_header("Last-Modified", formatdate(usegmt=True))
        self.end_headers()

    def do_HEAD(self):
        body = self._object()
        if body is None:
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        self.send_response(200)
        self._headers(body)

    def do_GET(self):
        body = self._object()
        if body is None:
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        self.send_response(200)
        self._headers(body)
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def s3():
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeS3)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    FakeS3.objects = {}
    FakeS3.seen = []
    endpoint = f"http://127.0.0.1:{server.server_address[1]}"
    storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": BUCKET,
            "endpoint_url": endpoint,
            "region_name": "eu-west-2",
            "access_key": "test-access-key",
            "secret_key": "test-secret-key",
            "addressing_style": "path",
            "location": "media",
            "default_acl": None,
            "querystring_auth": False,  # as production: plain object URLs
        },
    }
    with override_settings(STORAGES={**settings.STORAGES, "default": storage}):
        yield endpoint
    server.shutdown()
    server.server_close()


def document_in(collection, name):
    FakeS3.objects[f"/{BUCKET}/media/documents/{name}"] = CONTENT
    return get_document_model().objects.create(
        title=name, file=f"documents/{name}", collection=collection
    )


@pytest.fixture
def private_collection(home_page):
    collection = Collection.get_first_root_node().add_child(name="Organisers only")
    CollectionViewRestriction.objects.create(
        collection=collection, restriction_type=CollectionViewRestriction.LOGIN
    )
    return collection


def test_documents_are_always_served_through_wagtails_view():
    assert settings.WAGTAILDOCS_SERVE_METHOD == "serve_view"


def test_production_with_a_bucket_serves_documents_through_wagtails_view():
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env.update(
        DJANGO_SETTINGS_MODULE="lmn_cms.settings.production",
        SECRET_KEY=secrets.token_urlsafe(60),
        ALLOWED_HOSTS="www.example.org",
        AWS_STORAGE_BUCKET_NAME=BUCKET,
    )
    script = (
        "import django, json; django.setup(); from django.conf import settings as s; "
        "print(json.dumps([s.STORAGES['default']['BACKEND'], s.WAGTAILDOCS_SERVE_METHOD]))"
    )
    result = subprocess.run(  # noqa: S603 (fixed arguments)
        [sys.executable, "-c", script], cwd=PROJECT, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    backend, method = json.loads(result.stdout.strip().splitlines()[-1])
    assert backend == "storages.backends.s3.S3Storage"
    assert method == "serve_view"


def test_a_private_document_is_refused_to_an_outsider_without_touching_storage(
    client, s3, private_collection
):
    document = document_in(private_collection, "minutes.pdf")
    assert document.url == f"/documents/{document.pk}/minutes.pdf"
    assert document.file.url.startswith(f"{s3}/{BUCKET}/media/documents/")  # exists, unused
    response = client.get(document.url)
    assert response.status_code == 302
    assert s3 not in response["Location"]
    assert "/login/" in response["Location"]
    assert FakeS3.seen == []  # nothing was read from the bucket for them


def test_a_signed_in_reader_gets_the_file_from_the_app_not_a_storage_link(
    client, s3, private_collection
):
    document = document_in(private_collection, "minutes.pdf")
    user = get_user_model().objects.create_user(username="organiser", password="x" * 12)
    client.force_login(user)
    response = client.get(document.url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == CONTENT
    assert s3 not in str(response.headers)
    assert ("GET", f"/{BUCKET}/media/documents/minutes.pdf") in FakeS3.seen


def test_a_public_document_is_streamed_too_never_a_redirect_to_the_bucket(client, s3, home_page):
    document = document_in(Collection.get_first_root_node(), "leaflet.pdf")
    response = client.get(document.url)
    assert response.status_code == 200  # Wagtail's default on S3 is a redirect to the object
    assert b"".join(response.streaming_content) == CONTENT
