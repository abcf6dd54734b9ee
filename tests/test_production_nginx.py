"""nginx's micro-cache key and the Host it passes to the app agree: a request with
a port (or any other variant) in its Host header cannot seed the cached copy that
everyone else is served with links built from that Host.

Run against a real nginx on 127.0.0.1 with deploy/nginx-site.conf.template, in
front of a small upstream that writes the Host it was given into its page (as
Django does in absolute links). Skipped where nginx is not installed; the template
test below runs everywhere.
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

PROJECT = Path(__file__).resolve().parent.parent
TEMPLATE = PROJECT / "deploy" / "nginx-site.conf.template"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"


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


class EchoHost(BaseHTTPRequestHandler):
    """A page with an absolute link built from the Host header, as the app's are."""

    protocol_version = "HTTP/1.1"

    def do_GET(self):
        body = f'<a href="http://{self.headers["Host"]}{self.path}">this page</a>'.encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def nginx():
    if not os.access(NGINX, os.X_OK):
        pytest.skip("nginx is not installed (apt-get install nginx-light)")
    upstream = ThreadingHTTPServer(("127.0.0.1", 0), EchoHost)
    threading.Thread(target=upstream.serve_forever, daemon=True).start()
    root = Path(tempfile.mkdtemp(prefix="lmn-nginx-"))
    for sub in ("cache", "temp", "logs", "static", "media"):
        (root / sub).mkdir()
    port = free_port()
    site = TEMPLATE.read_text()
    for name, value in {
        "CACHE_DIR": str(root / "cache"),
        "UPSTREAM_SERVERS": f"server 127.0.0.1:{upstream.server_address[1]};",
        "LISTEN": f"127.0.0.1:{port}",
        "SERVER_NAME": "127.0.0.1 localhost",
        "ACCESS_LOG": str(root / "logs" / "access.log"),
        "STATIC_ROOT": str(root / "static"),
        "MEDIA_ROOT": str(root / "media"),
        "MICROCACHE_SECONDS": "600",  # nothing expires during the test
    }.items():
        site = site.replace("${" + name + "}", value)
    assert "${" not in site
    (root / "site.conf").write_text(site)
    temp = root / "temp"
    (root / "nginx.conf").write_text(
        f"""{"user root;" if os.geteuid() == 0 else ""}
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
        yield port
    finally:
        process.terminate()
        process.wait(timeout=30)
        upstream.shutdown()
        upstream.server_close()
        shutil.rmtree(root, ignore_errors=True)


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
