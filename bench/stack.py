"""The production stack on one machine, for the benchmark and the fault tests:
PostgreSQL 15, Redis, gunicorn instances, a db_worker and nginx, all on 127.0.0.1,
all in one temporary directory, all stopped (and the directory removed) on exit.

Missing Debian packages (nginx with its cache purge module, redis-server, wrk,
postgresql-15) are installed with apt-get when running as root. Nothing here
listens beyond 127.0.0.1.
"""

# Local benchmark tooling: it runs fixed local programs (apt-get, pg_ctl, nginx...).
# ruff: noqa: S103, S310, S603, S607

import atexit
import contextlib
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = str(ROOT / ".venv" / "bin" / "python")
GUNICORN = str(ROOT / ".venv" / "bin" / "gunicorn")
PGBIN = Path(os.environ.get("PGBIN", "/usr/lib/postgresql/15/bin"))
PACKAGES = {
    "nginx": "/usr/sbin/nginx",
    "libnginx-mod-http-cache-purge": "/usr/lib/nginx/modules/ngx_http_cache_purge_module.so",
    "redis-server": "/usr/bin/redis-server",
    "wrk": "/usr/bin/wrk",
}
IS_ROOT = os.geteuid() == 0
# The kinds of public page the benchmark measures (bench/targets.py finds their URLs).
PAGES = ("home", "blog_index", "post", "events_index", "event", "report", "action_plan")


def log(message):
    print(f"[stack] {message}", flush=True)


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(port, seconds=30):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise RuntimeError(f"nothing is listening on 127.0.0.1:{port} after {seconds} s")


def ensure_packages():
    """Install nginx (and its purge module), redis-server, wrk and PostgreSQL 15 with
    apt-get when missing."""
    missing = [name for name, path in PACKAGES.items() if not Path(path).exists()]
    if not (PGBIN / "initdb").exists():
        missing.append("postgresql-15")
    if not missing:
        return
    if not IS_ROOT or not shutil.which("apt-get"):
        sys.exit(f"The benchmark needs these Debian packages: {' '.join(missing)}. Install them.")
    log(f"installing {' '.join(missing)} with apt-get")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "update", "-qq"], check=True, env=env)
    subprocess.run(
        ["apt-get", "install", "-y", "-qq", "--no-install-recommends", *missing],
        check=True,
        env=env,
        stdout=subprocess.DEVNULL,
    )
    # Debian starts services it installs where it can; this stack runs its own.
    for service in ("nginx", "redis-server", "postgresql"):
        subprocess.run(["service", service, "stop"], capture_output=True, check=False)


class Stack:
    """Processes started here, stopped in reverse order by `stop()` (also at exit
    and on SIGTERM/SIGINT)."""

    def __init__(self):
        self.dir = Path(tempfile.mkdtemp(prefix="lmn-bench."))
        os.chmod(self.dir, 0o755)
        self.procs = {}  # name -> Popen (each in its own process group)
        self.pg_port = None
        self.redis_port = None
        self.secret = secrets.token_urlsafe(50)
        # nginx's purge listener, known before the app starts (NGINX_PURGE_URL).
        self.nginx_purge_port = free_port()
        self.nginx_port = None
        self.static_root = self.dir / "static"
        self.media_root = self.dir / "media"
        atexit.register(self.stop)
        signal.signal(signal.SIGTERM, lambda *a: sys.exit(143))
        signal.signal(signal.SIGINT, lambda *a: sys.exit(130))

    # --- PostgreSQL ---------------------------------------------------------

    def _as_pg(self, args):
        return ["runuser", "-u", "postgres", "--", *args] if IS_ROOT else args

    def start_postgres(self):
        no_user = subprocess.run(["id", "postgres"], capture_output=True, check=False).returncode
        if IS_ROOT and no_user:
            subprocess.run(["useradd", "--system", "--no-create-home", "postgres"], check=True)
        pgdir = self.dir / "pg"
        pgdir.mkdir()
        if IS_ROOT:
            shutil.chown(pgdir, "postgres")
        self.pg_port = free_port()
        subprocess.run(
            self._as_pg(
                [str(PGBIN / "initdb"), "-D", str(pgdir / "data"), "-U", "postgres", "-A", "trust"]
                + ["-E", "UTF8", "--locale=C.UTF-8", "--no-sync"]
            ),
            check=True,
            stdout=subprocess.DEVNULL,
        )
        self._pg_ctl("start")
        log(f"PostgreSQL 15 on 127.0.0.1:{self.pg_port}")

    def _pg_ctl(self, action, mode="fast"):
        pgdir = self.dir / "pg"
        options = (
            f"-p {self.pg_port} -k {pgdir} -c listen_addresses=127.0.0.1 -c max_connections=200 "
            "-c shared_buffers=256MB -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        )
        args = [str(PGBIN / "pg_ctl"), "-D", str(pgdir / "data"), "-m", mode, "-w"]
        if action in ("start", "restart"):
            args += ["-l", str(pgdir / "server.log"), "-o", options]
        subprocess.run(self._as_pg(args + [action]), check=True, stdout=subprocess.DEVNULL)

    def stop_postgres(self):
        self._pg_ctl("stop")

    def restart_postgres(self, down_seconds=2.0):
        """Stop PostgreSQL (fast: sessions are cut), wait, start it again."""
        self._pg_ctl("stop", mode="fast")
        time.sleep(down_seconds)
        self._pg_ctl("start")

    def psql(self, sql, db="postgres"):
        result = subprocess.run(
            [str(PGBIN / "psql"), "-h", "127.0.0.1", "-p", str(self.pg_port), "-U", "postgres"]
            + ["-d", db, "-v", "ON_ERROR_STOP=1", "-qAt", "-c", sql],
            check=True,
            capture_output=True,
            text=True,
        )
        return result.stdout.strip()

    def db_url(self, db):
        return f"postgres://postgres@127.0.0.1:{self.pg_port}/{db}"

    # --- Redis ----------------------------------------------------------------

    def start_redis(self, port=None):
        """Start Redis (again, on the same port when `port` is given)."""
        self.redis_port = port or free_port()
        self._spawn(
            "redis",
            [PACKAGES["redis-server"], "--port", str(self.redis_port), "--bind", "127.0.0.1"]
            + ["--save", "", "--appendonly", "no", "--maxmemory", "256mb"]
            + ["--maxmemory-policy", "allkeys-lru", "--dir", str(self.dir)],
        )
        wait_for_port(self.redis_port)
        log(f"Redis on 127.0.0.1:{self.redis_port}")

    def flush_redis(self):
        self.redis_command("FLUSHALL")

    def redis_command(self, *words):
        """One Redis command (inline protocol); its reply line, e.g. ":12" for DBSIZE."""
        with socket.create_connection(("127.0.0.1", self.redis_port), timeout=5) as sock:
            sock.sendall(" ".join(words).encode() + b"\r\n")
            return sock.recv(4096).split(b"\r\n", 1)[0].decode()

    # --- Django processes -------------------------------------------------------

    def django_env(self, db, **extra):
        env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_"))}
        env.update(
            DJANGO_SETTINGS_MODULE="lmn_cms.settings.production",
            SECRET_KEY=self.secret,
            ALLOWED_HOSTS="127.0.0.1,localhost",
            SECURE_SSL_REDIRECT="0",
            DATABASE_URL=self.db_url(db),
            EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend",
            STATIC_ROOT=str(self.static_root),
            MEDIA_ROOT=str(self.media_root),
            LOG_LEVEL="WARNING",
            WAGTAILADMIN_BASE_URL="http://127.0.0.1",
            # Every simulated registrant posts with the one anti-spam token the bench
            # fetched (a real reader's browser fetches its own); the fill time still holds.
            FORM_TOKEN_USES="1000000000",  # noqa: S106 (a count, not a password)
        )
        # The app purges nginx's page cache when content changes (home/web/frontend_cache.py).
        env["NGINX_PURGE_URL"] = f"http://127.0.0.1:{self.nginx_purge_port}"
        if self.redis_port:
            env["REDIS_URL"] = f"redis://127.0.0.1:{self.redis_port}/0"
        env.update({k: str(v) for k, v in extra.items()})
        return env

    def manage(self, env, *args):
        subprocess.run([PY, "manage.py", *args], cwd=ROOT, env=env, check=True)

    def load_demo(self, db):
        """Create database `db` with the demo content and the static files; returns
        its environment for the app."""
        self.psql(f"CREATE DATABASE {db}")
        env = self.django_env(db)
        quiet = {**env, "LOG_LEVEL": "ERROR"}
        self.manage(quiet, "migrate", "--no-input", "-v0")
        self.manage(quiet, "load_demo")
        self.manage(quiet, "collectstatic", "--no-input", "-v0")
        return env

    def start_gunicorn(
        self, name, port, env, workers=3, gunicorn=GUNICORN, app="lmn_cms.wsgi", cwd=ROOT
    ):
        """A gunicorn instance with deploy/gunicorn.conf.py (sync workers, preloaded
        app); `gunicorn`, `app` and `cwd` run another project (bakerydemo) alike."""
        env = {
            **env,
            "GUNICORN_BIND": f"127.0.0.1:{port}",
            "GUNICORN_WORKERS": str(workers),
            # No recycling, so that worker memory is measured honestly.
            "GUNICORN_MAX_REQUESTS": "0",
            "GUNICORN_PROC_NAME": f"lmn-{name}",
        }
        config = str(ROOT / "deploy" / "gunicorn.conf.py")
        self._spawn(name, [gunicorn, "-c", config, app], env=env, cwd=cwd)
        wait_for_port(port)
        log(f"gunicorn {name} on 127.0.0.1:{port} ({workers} workers)")

    def start_db_worker(self, env):
        # At a lower CPU priority, as docs/deploy.md advises: during a burst, pages
        # and form posts come first and emails follow a few seconds later.
        self._spawn("db_worker", ["nice", "-n", "10", PY, "manage.py", "db_worker"], env=env)

    def worker_pids(self, name):
        """The worker processes of gunicorn instance `name` (children of its master)."""
        master = self.procs[name].pid
        children = Path(f"/proc/{master}/task/{master}/children")
        try:
            return [int(pid) for pid in children.read_text().split()]
        except OSError:
            return []

    def cpu_seconds(self, names):
        """User + system CPU seconds used so far by the workers of the named instances
        (for app CPU per request: the difference over a measurement / its requests)."""
        tick = os.sysconf("SC_CLK_TCK")
        total = 0.0
        for name in names:
            for pid in self.worker_pids(name):
                try:
                    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
                except OSError:
                    continue
                total += (int(fields[11]) + int(fields[12])) / tick  # utime, stime
        return total

    def kill(self, name, sig=signal.SIGKILL, wait=True):
        """Send `sig` to process `name` and all its children (its process group), and
        wait for it to end unless `wait` is false (SIGSTOP, SIGCONT)."""
        proc = self.procs[name]
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, sig)
        if wait:
            proc.wait(timeout=10)

    # --- nginx -------------------------------------------------------------------

    def start_nginx(self, port, upstream_ports, page_cache_minutes=5):
        ngx = self.dir / "nginx"
        for sub in ("cache", "temp", "logs"):
            (ngx / sub).mkdir(parents=True)
        if IS_ROOT:
            for sub in ("cache", "temp"):
                shutil.chown(ngx / sub, "nobody")
        template = (ROOT / "deploy" / "nginx-site.conf.template").read_text()
        site = template
        for key, value in {
            "CACHE_DIR": str(ngx / "cache"),
            "UPSTREAM_SERVERS": "\n    ".join(
                f"server 127.0.0.1:{p} max_fails=1 fail_timeout=5s;" for p in upstream_ports
            ),
            "LISTEN": f"127.0.0.1:{port}",
            "SERVER_NAME": "127.0.0.1 localhost",
            "ACCESS_LOG": str(ngx / "logs" / "access.log"),
            "STATIC_ROOT": str(self.static_root),
            "MEDIA_ROOT": str(self.media_root),
            "NGINX_PAGE_CACHE_MINUTES": str(page_cache_minutes),
            "PURGE_LISTEN": f"127.0.0.1:{self.nginx_purge_port}",
            "PUBLIC_SCHEME": "http",
        }.items():
            site = site.replace("${" + key + "}", value)
        assert "${" not in site, "unfilled placeholder in the nginx template"
        (ngx / "site.conf").write_text(site)
        temp = ngx / "temp"
        (ngx / "nginx.conf").write_text(
            f"""load_module {PACKAGES["libnginx-mod-http-cache-purge"]};
worker_processes auto;
pid {ngx}/nginx.pid;
error_log {ngx}/logs/error.log warn;
daemon off;
events {{ worker_connections 4096; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    sendfile on;
    tcp_nopush on;
    keepalive_timeout 65;
    client_body_temp_path {temp}/body;
    proxy_temp_path {temp}/proxy;
    fastcgi_temp_path {temp}/fastcgi;
    uwsgi_temp_path {temp}/uwsgi;
    scgi_temp_path {temp}/scgi;
    # Benchmark only (never in deploy/): each simulated reader's address arrives in
    # X-Bench-Client and, from 127.0.0.1 only, becomes the client address nginx passes
    # on in X-Real-IP, so per-address rate limits see many people, as in a real burst.
    set_real_ip_from 127.0.0.1;
    real_ip_header X-Bench-Client;
    include {ngx}/site.conf;
}}
"""
        )
        subprocess.run([PACKAGES["nginx"], "-t", "-q", "-c", str(ngx / "nginx.conf")], check=True)
        self._spawn("nginx", [PACKAGES["nginx"], "-c", str(ngx / "nginx.conf")])
        wait_for_port(port)
        self.nginx_port = port
        log(f"nginx on 127.0.0.1:{port} -> {upstream_ports} (purges: {self.nginx_purge_port})")

    # --- plumbing ------------------------------------------------------------------

    def _spawn(self, name, args, env=None, cwd=ROOT):
        out = open(self.dir / f"{name}.log", "ab")  # noqa: SIM115 (closed with the process)
        self.procs[name] = subprocess.Popen(
            args, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )

    def stop_process(self, name):
        proc = self.procs.pop(name, None)
        if proc is None or proc.poll() is not None:
            return
        try:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=15)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)

    def stop(self):
        for name in reversed(list(self.procs)):
            self.stop_process(name)
        if self.pg_port and (self.dir / "pg" / "data" / "postmaster.pid").exists():
            with contextlib.suppress(subprocess.CalledProcessError):
                self._pg_ctl("stop", mode="immediate")
        if os.environ.get("BENCH_KEEP_DIR"):
            log(f"kept {self.dir}")
        else:
            shutil.rmtree(self.dir, ignore_errors=True)


def get(url, headers=None, timeout=10):
    """(status, headers, body) of a GET to 127.0.0.1."""
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read()
