"""Documents in a private collection are not readable at a plain URL when media is
on S3: Wagtail's serve view checks the collection's privacy and then streams the
file itself (WAGTAILDOCS_SERVE_METHOD = "serve_view"), so no one is ever sent to,
or shown, the object's own storage URL; and the objects themselves are private,
at unguessable keys, while images stay public (lmn_cms/storage.py).

The storage is the production class (django-storages' S3Storage underneath)
talking, through boto3, to a minimal S3-compatible server on 127.0.0.1 that records
what it is asked. It models a bucket opened to the public for its images: an
object written without an ACL can be read by anyone, one written with the
"private" ACL only with credentials (a signed request). What this cannot prove: the
policy of a real bucket, which on AWS can grant public reads whatever an object's
ACL says; docs/deploy.md says what it must allow.
"""

import json
import os
import re
import secrets
import subprocess
import sys
import threading
import urllib.error
import urllib.request
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.test import override_settings

from wagtail.documents import get_document_model
from wagtail.models import Collection, CollectionViewRestriction

import pytest

pytestmark = pytest.mark.django_db

PROJECT = Path(__file__).resolve().parents[2]
BUCKET = "lmn-test"
CONTENT = b"%PDF-1.4 minutes of a private meeting"


class FakeS3(BaseHTTPRequestHandler):
    """Just enough of S3's path-style object API for S3Storage to write and read a
    file, and for an anonymous reader to try a plain object URL."""

    protocol_version = "HTTP/1.1"
    objects = {}  # path -> (body, ACL given when it was written, or None)
    seen = []

    def _path(self):
        return self.path.split("?")[0]

    def _signed(self):
        return "Authorization" in self.headers or "X-Amz-Signature=" in self.path

    def _object(self):
        self.seen.append((self.command, self._path()))
        return self.objects.get(self._path())

    def _empty(self, status):
        self.send_response(status)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def _headers(self, body):
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Content-Type", "application/pdf")
        self.send_header("ETag", '"0123456789abcdef"')
        self.send_header("Last-Modified", formatdate(usegmt=True))
        self.end_headers()

    def _readable(self):
        """The object's body, or the status to answer: anyone may read an object
        written without an ACL, only a signed request one written "private"."""
        stored = self._object()
        if stored is None:
            return 404
        body, acl = stored
        if acl == "private" and not self._signed():
            return 403
        return body

    def do_HEAD(self):
        body = self._readable()
        if isinstance(body, int):
            return self._empty(body)
        self.send_response(200)
        self._headers(body)

    def do_GET(self):
        body = self._readable()
        if isinstance(body, int):
            return self._empty(body)
        self.send_response(200)
        self._headers(body)
        self.wfile.write(body)

    def do_PUT(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        if "aws-chunked" in self.headers.get("Content-Encoding", ""):
            body = _decode_aws_chunked(body)
        self.seen.append(("PUT", self._path()))
        self.objects[self._path()] = (body, self.headers.get("x-amz-acl"))
        self.send_response(200)
        self.send_header("ETag", '"0123456789abcdef"')
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


def _decode_aws_chunked(raw):
    """The payload of an aws-chunked body (size;extensions CRLF data CRLF ..., then a
    zero-size chunk and trailers), as boto3 sends uploads with a checksum."""
    body, rest = b"", raw
    while rest:
        header, rest = rest.split(b"\r\n", 1)
        size = int(header.split(b";")[0], 16)
        if size == 0:
            break
        body, rest = body + rest[:size], rest[size + 2 :]
    return body


def anonymous_get(url):
    """The status a reader with no credentials gets for `url`."""
    try:
        with urllib.request.urlopen(url) as response:  # noqa: S310 (a local test server)
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


@pytest.fixture
def s3():
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeS3)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    FakeS3.objects = {}
    FakeS3.seen = []
    endpoint = f"http://127.0.0.1:{server.server_address[1]}"
    storage = {
        # As production (lmn_cms/settings/production.py), pointed at the local server.
        "BACKEND": "lmn_cms.storage.MediaStorage",
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
    FakeS3.objects[f"/{BUCKET}/media/documents/{name}"] = (CONTENT, "private")
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
        "from django.core.files.storage import default_storage as d; "
        "print(json.dumps([s.STORAGES['default']['BACKEND'], s.WAGTAILDOCS_SERVE_METHOD, "
        "d.documents_acl, d.default_acl, d.querystring_auth]))"
    )
    result = subprocess.run(  # noqa: S603 (fixed arguments)
        [sys.executable, "-c", script], cwd=PROJECT, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    backend, method, documents_acl, images_acl, signed = json.loads(
        result.stdout.strip().splitlines()[-1]
    )
    assert backend == "lmn_cms.storage.MediaStorage"
    assert method == "serve_view"
    # Documents are written private; images keep the bucket's default and plain URLs.
    assert (documents_acl, images_acl, signed) == ("private", None, False)


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


def test_an_uploaded_document_is_private_in_the_bucket_and_served_by_the_app(
    client, s3, private_collection
):
    document = get_document_model().objects.create(
        title="Minutes",
        file=ContentFile(CONTENT, name="minutes.pdf"),
        collection=private_collection,
    )
    # Stored under a random folder: the key cannot be guessed from the file name,
    # while the name people see, and the app's URL for it, stay the same.
    assert re.fullmatch(r"documents/[0-9a-f]{16}/minutes\.pdf", document.file.name)
    assert document.filename == "minutes.pdf"
    assert document.url == f"/documents/{document.pk}/minutes.pdf"
    key = f"/{BUCKET}/media/{document.file.name}"
    assert FakeS3.objects[key] == (CONTENT, "private")
    # Nobody without the bucket's credentials can read it at its plain address ...
    assert anonymous_get(f"{s3}{key}") == 403
    # ... the storage hands out only signed, expiring links for it ...
    assert "X-Amz-Signature=" in document.file.url
    assert "X-Amz-Expires=3600" in document.file.url
    # ... and the serve view still checks the collection, then streams the file.
    assert client.get(document.url).status_code == 302
    client.force_login(get_user_model().objects.create_user("reader", password="x" * 12))
    response = client.get(document.url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == CONTENT


def test_uploaded_images_stay_public_at_plain_urls(s3):
    name = default_storage.save("original_images/photo.jpg", ContentFile(b"JPEG bytes"))
    assert name == "original_images/photo.jpg"
    key = f"/{BUCKET}/media/original_images/photo.jpg"
    assert FakeS3.objects[key] == (b"JPEG bytes", None)
    url = default_storage.url(name)
    assert url == f"{s3}{key}"
    assert anonymous_get(url) == 200
