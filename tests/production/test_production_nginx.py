"""nginx's page cache, run for real on 127.0.0.1 with deploy/nginx-site.conf.template
and the cache purge module (`make test` installs both):

- the cache key and the Host it passes to the app agree: a request with a port (or
  any other variant) in its Host header cannot seed the cached copy that everyone
  else is served with links built from that Host;
- a cached page is purged by a PURGE from this machine, never by one from elsewhere
  or sent to the public address; Wagtail's purge backend (home.web.frontend_cache)
  removes exactly the copy readers get, and a publish in the app purges its page
  end to end (a live Django server behind nginx).

The upstream is a small server that writes the Host it was given (as Django does in
absolute links) and a version number into its page. Skipped where nginx or the
module is not installed; the template test below runs everywhere.
"""

import http.client
import os
import re
import shutil
import socket
import subprocess
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from tests.utils import free_port

PROJECT = Path(__file__).resolve().parents[2]
TEMPLATE = PROJECT / "deploy" / "nginx-site.conf.template"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
PURGE_MODULE = "/usr/lib/nginx/modules/ngx_http_cache_purge_module.so"


def cache_key_and_host(text):
    key = re.search(r'proxy_cache_key\s+"([^"]+)";', text).group(1)
    host = re.search(r"proxy_set_header\s+Host\s+(\S+);", text).group(1)
    return key, host


def test_the_template_keys_the_cache_on_the_host_it_passes_to_the_app():
    key, host = cache_key_and_host(TEMPLATE.read_text())
    assert host == "$http_host"
    assert host in key
    # $host drops the port and lower-cases: two Hosts the app tells apart would share
    # a cached copy.
    assert "$host" not in key.replace("$http_host", "")


def test_the_purge_addresses_the_cache_key_readers_fill():
    text = TEMPLATE.read_text()
    key, _host = cache_key_and_host(text)
    purge_key = re.search(r'proxy_cache_purge\s+lmn_pages\s+"([^"]+)";', text).group(1)
    # $scheme in the purge server would be its own (plain http on the loopback).
    assert purge_key == key.replace("$scheme", "${PUBLIC_SCHEME}")


class EchoHost(BaseHTTPRequestHandler):
    """A page with an absolute link built from the Host header, as the app's are, and
    the content's current version."""

    protocol_version = "HTTP/1.1"
    version = 1

    def do_GET(self):
        link = f'<a href="http://{self.headers["Host"]}{self.path}">this page</a>'
        body = f"{link} version {EchoHost.version}".encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def run_nginx(upstream_port):
    """Start nginx with the site template in front of `upstream_port`; a generator
    yielding (public port, purge port)."""
    if not os.access(NGINX, os.X_OK):
        pytest.skip("nginx is not installed (apt-get install nginx-light)")
    if not os.path.exists(PURGE_MODULE):
        pytest.skip("the purge module is missing (apt-get install libnginx-mod-http-cache-purge)")
    root = Path(tempfile.mkdtemp(prefix="lmn-nginx-"))
    for sub in ("cache", "temp", "logs", "static", "media"):
        (root / sub).mkdir()
    port, purge_port = free_port(), free_port()
    site = TEMPLATE.read_text()
    for name, value in {
        "CACHE_DIR": str(root / "cache"),
        "UPSTREAM_SERVERS": f"server 127.0.0.1:{upstream_port};",
        "LISTEN": f"127.0.0.1:{port}",
        "SERVER_NAME": "127.0.0.1 localhost",
        "ACCESS_LOG": str(root / "logs" / "access.log"),
        "STATIC_ROOT": str(root / "static"),
        "MEDIA_ROOT": str(root / "media"),
        "NGINX_PAGE_CACHE_MINUTES": "10",  # nothing expires during the test
        "PURGE_LISTEN": f"127.0.0.1:{purge_port}",
        "PUBLIC_SCHEME": "http",
    }.items():
        site = site.replace("${" + name + "}", value)
    assert "${" not in site
    (root / "site.conf").write_text(site)
    temp = root / "temp"
    (root / "nginx.conf").write_text(
        f"""{"user root;" if os.geteuid() == 0 else ""}
load_module {PURGE_MODULE};
worker_processes 1;
pid {root}/nginx.pid;
error_log {root}/logs/error.log warn;
daemon off;
events {{ worker_connections 64; }}
http {{
    include /etc/nginx/mime.types;
    client_body_temp_path {temp}/body;
    proxy_temp_path {temp}/proxy;
    fastcgi_temp_path {temp}/fastcgi;
    uwsgi_temp_path {temp}/uwsgi;
    scgi_temp_path {temp}/scgi;
    include {root}/site.conf;
}}
"""
    )
    process = subprocess.Popen(  # noqa: S603 (fixed arguments)
        [NGINX, "-c", str(root / "nginx.conf"), "-e", str(root / "logs" / "error.log")],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        for _ in range(300):
            if process.poll() is not None:
                pytest.fail("nginx exited: " + process.stderr.read().decode()[-2000:])
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.1)
        else:
            pytest.fail("nginx did not start listening")
        yield port, purge_port
    finally:
        process.terminate()
        process.wait(timeout=30)
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def upstream():
    server = ThreadingHTTPServer(("127.0.0.1", 0), EchoHost)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    EchoHost.version = 1
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def nginx_ports(upstream):
    yield from run_nginx(upstream.server_address[1])


@pytest.fixture
def nginx(nginx_ports):
    return nginx_ports[0]


def get(port, host, path="/events/"):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("GET", path, headers={"Host": host})
    response = conn.getresponse()
    body = response.read().decode()
    conn.close()
    return response.getheader("X-Cache-Status"), body


def test_a_port_in_host_cannot_seed_the_cached_page_with_that_port(nginx):
    status, body = get(nginx, "127.0.0.1:4444")
    assert status == "MISS"
    assert 'href="http://127.0.0.1:4444/events/"' in body  # what the app was given
    # Everyone else asking for the same page gets their own copy, never that one.
    status, body = get(nginx, "127.0.0.1")
    assert status == "MISS"
    assert 'href="http://127.0.0.1/events/"' in body
    assert ":4444" not in body
    # And the cache is working, so this is not passing for want of caching.
    status, body = get(nginx, "127.0.0.1")
    assert status == "HIT"
    assert ":4444" not in body


def purge(port, host, path, source="127.0.0.1", method="PURGE"):
    """A PURGE request as Wagtail's HTTPBackend sends it, from address `source`."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30, source_address=(source, 0))
    conn.request(method, path, headers={"Host": host})
    response = conn.getresponse()
    response.read()
    conn.close()
    return response.status


def test_a_cached_page_is_purged_by_this_machine_only(nginx_ports):
    port, purge_port = nginx_ports
    status, body = get(port, "127.0.0.1", "/news/")
    assert (status, body.endswith("version 1")) == ("MISS", True)
    assert get(port, "127.0.0.1", "/news/")[0] == "HIT"
    EchoHost.version = 2  # the content changes; the cache still has version 1
    assert get(port, "127.0.0.1", "/news/")[1].endswith("version 1")

    # From another address (all of 127.0.0.0/8 is this machine's loopback, so
    # 127.0.0.2 stands in for the outside world): refused, the copy stays.
    assert purge(purge_port, "127.0.0.1", "/news/", source="127.0.0.2") == 403
    # Sent to the public address, even from here: refused.
    assert purge(port, "127.0.0.1", "/news/") == 405
    # Another host's key, or a GET to the purge server: nothing removed.
    assert purge(purge_port, "127.0.0.1:4444", "/news/") == 404
    assert purge(purge_port, "127.0.0.1", "/news/", method="GET") == 405
    status, body = get(port, "127.0.0.1", "/news/")
    assert (status, body.endswith("version 1")) == ("HIT", True)

    assert purge(purge_port, "127.0.0.1", "/news/") == 200
    status, body = get(port, "127.0.0.1", "/news/")
    assert status == "MISS"
    assert body.endswith("version 2")
    assert get(port, "127.0.0.1", "/news/")[0] == "HIT"


def test_wagtails_purge_backend_removes_the_copy_readers_get(nginx_ports, caplog):
    from home.web.frontend_cache import NginxBackend

    port, purge_port = nginx_ports
    get(port, "127.0.0.1", "/news/")
    get(port, "www.example.org", "/news/")
    assert get(port, "127.0.0.1", "/news/")[0] == "HIT"
    EchoHost.version = 2
    backend = NginxBackend({"LOCATION": f"http://127.0.0.1:{purge_port}"})
    with caplog.at_level("WARNING"):
        backend.purge_batch(["http://127.0.0.1/news/", "http://127.0.0.1/not-cached/"])
    assert not caplog.records  # nothing cached under a URL is no error
    status, body = get(port, "127.0.0.1", "/news/")
    assert (status, body.endswith("version 2")) == ("MISS", True)
    # Only that host's copy went.
    status, body = get(port, "www.example.org", "/news/")
    assert (status, body.endswith("version 1")) == ("HIT", True)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_publishing_in_the_app_purges_its_page_through_nginx(live_server, home_page, settings):
    """End to end: Django behind nginx; a post published in the app is shown on its
    very next request through nginx (Site: http://testserver, as readers ask)."""
    from blog.factories import BlogIndexPageFactory, make_post

    upstream_port = int(live_server.url.rsplit(":", 1)[1])
    ports = run_nginx(upstream_port)
    port, purge_port = next(ports)
    try:
        settings.WAGTAILFRONTENDCACHE = {
            "nginx": {
                "BACKEND": "home.web.frontend_cache.NginxBackend",
                "LOCATION": f"http://127.0.0.1:{purge_port}",
            }
        }
        index = BlogIndexPageFactory(parent=home_page, slug="news")
        post = make_post(index, "First title")
        path = f"/news/{post.slug}/"
        status, body = get(port, "testserver", path)
        assert status == "MISS" and "First title" in body
        status, body = get(port, "testserver", path)
        assert status == "HIT" and "First title" in body
        get(port, "testserver", "/news/")
        assert get(port, "testserver", "/news/")[0] == "HIT"

        post.title = "Second title"
        post.save_revision().publish()

        status, body = get(port, "testserver", path)
        assert status == "MISS"
        assert "Second title" in body
        # The index that lists it was purged too.
        status, body = get(port, "testserver", "/news/")
        assert status == "MISS" and "Second title" in body
    finally:
        ports.close()
