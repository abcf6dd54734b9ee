"""Wagtail's demo site (bakerydemo), run beside ours for the cold-render comparison
of `make bench`: the same PostgreSQL, the same gunicorn settings (deploy/gunicorn.conf.py,
2 sync workers), every cache replaced by Django's DummyCache, its own demo data.

It runs from a checkout OUTSIDE this project, named by BAKERYDEMO_DIR; nothing of
it is copied here. The bench makes, in that folder, a virtual environment from its
requirements (Wagtail pinned to WAGTAIL_VERSION when they allow it), and keeps it
for later runs. Its database and media live in the bench's temporary folder and go
with it. Without BAKERYDEMO_DIR the bench says how to make one and reports the
bakerydemo lines as "not measured".
"""

# Local benchmark tooling: it runs fixed local programs (pip, manage.py, gunicorn).
# ruff: noqa: S603

import hashlib
import json
import os
import re
import subprocess
import sys
from pathlib import Path

from stack import log

WAGTAIL_VERSION = "7.4.4"  # the release issue #15 measured against
HOW_TO = (
    "BAKERYDEMO_DIR is not set, so bakerydemo is not measured. To compare with it, make a "
    "checkout outside this project and run the bench again:\n"
    "    git clone https://github.com/wagtail/bakerydemo.git /tmp/bakerydemo\n"
    "    BAKERYDEMO_DIR=/tmp/bakerydemo make bench"
)
# Counts the SQL queries of one page view with every cache off, the process already
# warm (the page was viewed once before), and finds the newest live blog post; runs
# inside bakerydemo's own `manage.py shell`, printing one JSON line.
_PROBE = """
import json
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from bakerydemo.blog.models import BlogPage
post = BlogPage.objects.live().public().order_by("-date_published", "-pk").first()
client = Client(HTTP_HOST="localhost")
out = {"home": "/", "post": post.url, "queries": {}}
for name in ("home", "post"):
    client.get(out[name])
    with CaptureQueriesContext(connection) as ctx:
        status = client.get(out[name]).status_code
    out["queries"][name] = {"status": status, "cold": len(ctx)}
print("BAKERYDEMO " + json.dumps(out))
"""


def _requirements(checkout):
    """bakerydemo's base requirements (plus what its production settings need to serve
    with gunicorn on PostgreSQL), with Wagtail pinned to WAGTAIL_VERSION where its
    range allows it, and Django held to 5.2 LTS when this Python is too old for its
    range. Returns (lines, notes)."""
    try:
        from packaging.specifiers import SpecifierSet
    except ImportError:  # pragma: no cover (pip and gunicorn bring packaging)
        SpecifierSet = None
    notes = []
    lines = []
    for raw in (checkout / "requirements" / "base.txt").read_text().splitlines():
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        match = re.match(r"^([A-Za-z0-9_.\-\[\]]+)\s*(.*)$", line)
        name, spec = match.group(1), match.group(2)
        if name.lower() == "wagtail" and SpecifierSet and WAGTAIL_VERSION in SpecifierSet(spec):
            line = f"wagtail=={WAGTAIL_VERSION}"
            notes.append(f"Wagtail pinned to {WAGTAIL_VERSION} (its range: {spec})")
        elif (
            name.lower() == "django"
            and SpecifierSet
            and sys.version_info < (3, 12)
            and "5.2.99" not in SpecifierSet(spec)
            and "6.0" in SpecifierSet(spec)
        ):
            line = "Django>=5.2,<5.3"
            notes.append(
                f"Django 5.2 LTS instead of {spec}: Django 6 needs Python 3.12 and this "
                f"machine has {sys.version.split()[0]} (Wagtail 7.4 supports both)"
            )
        lines.append(line)
    production = (checkout / "requirements" / "production.txt").read_text().splitlines()
    for wanted in ("psycopg", "whitenoise"):
        lines += [li.strip() for li in production if li.strip().lower().startswith(wanted)]
    import gunicorn  # the same gunicorn release as ours

    lines.append(f"gunicorn=={gunicorn.__version__}")
    return lines, notes


def _venv(checkout):
    """bakerydemo's virtual environment in its checkout, made or updated when its
    requirements change; returns (python, gunicorn, notes)."""
    lines, notes = _requirements(checkout)
    venv = checkout / ".venv-lmn-bench"
    stamp = venv / (".req-" + hashlib.sha256("\n".join(lines).encode()).hexdigest()[:12])
    py = venv / "bin" / "python"
    if not stamp.exists():
        log(f"bakerydemo: installing its requirements into {venv}")
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        req = venv / "lmn-bench-requirements.txt"
        req.write_text("\n".join(lines) + "\n")
        subprocess.run(
            [str(py), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
            + ["-r", str(req)],
            check=True,
        )
        for old in venv.glob(".req-*"):
            old.unlink()
        stamp.touch()
    return str(py), str(venv / "bin" / "gunicorn"), notes


class Bakerydemo:
    """bakerydemo prepared on `stack`'s PostgreSQL (database "bakerydemo")."""

    def __init__(self, stack, checkout):
        self.stack = stack
        self.checkout = Path(checkout).resolve()
        self.python, self.gunicorn, self.notes = _venv(self.checkout)
        settings_dir = stack.dir / "bakerydemo-settings"
        settings_dir.mkdir(exist_ok=True)
        # Its production settings, with DummyCache for every cache and media in the
        # bench's temporary folder (load_initial_data copies its images there).
        (settings_dir / "lmn_bench_bakerydemo.py").write_text(
            "from bakerydemo.settings.production import *  # noqa\n"
            "CACHES = {alias: {'BACKEND': 'django.core.cache.backends.dummy.DummyCache'}\n"
            "          for alias in ('default', 'renditions')}\n"
            f"MEDIA_ROOT = {str(stack.dir / 'bakerydemo-media')!r}\n"
        )
        env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("DJANGO_", "DATABASE_", "REDIS_", "VIRTUAL_ENV", "PYTHON"))
        }
        env.update(
            DJANGO_SETTINGS_MODULE="lmn_bench_bakerydemo",
            PYTHONPATH=str(settings_dir),
            DATABASE_URL=stack.db_url("bakerydemo"),
            DJANGO_SECRET_KEY=stack.secret,
            DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost",
            SECURE_SSL_REDIRECT="false",
            DJANGO_LOG_LEVEL="WARNING",
        )
        self.env = env
        self.version = self._run(
            "-c", "import django, wagtail; print(wagtail.__version__, django.get_version())"
        ).strip()

    def _run(self, *args):
        result = subprocess.run(
            [self.python, *args],
            cwd=self.checkout,
            env=self.env,
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode:
            raise RuntimeError(f"bakerydemo: {' '.join(args[:2])} failed:\n{result.stderr[-3000:]}")
        return result.stdout

    def load(self):
        """Its database, its own demo data and its static files; then its home page and
        newest post, with their SQL query counts."""
        log("bakerydemo: migrating and loading its demo data (load_initial_data)")
        self.stack.psql("CREATE DATABASE bakerydemo")
        self._run("manage.py", "migrate", "--no-input", "-v0")
        self._run("manage.py", "load_initial_data")
        self._run("manage.py", "collectstatic", "--no-input", "-v0")
        out = self._run("manage.py", "shell", "-c", _PROBE)
        line = next(li for li in out.splitlines() if li.startswith("BAKERYDEMO "))
        self.targets = json.loads(line[len("BAKERYDEMO ") :])
        return self.targets

    def start(self, name, port, workers=2):
        self.stack.start_gunicorn(
            name,
            port,
            self.env,
            workers=workers,
            gunicorn=self.gunicorn,
            app="bakerydemo.wsgi",
            cwd=self.checkout,
        )


def prepare(stack):
    """A loaded Bakerydemo, or None (with the reason printed) when there is none."""
    checkout = os.environ.get("BAKERYDEMO_DIR", "").strip()
    if not checkout:
        log(HOW_TO)
        return None
    path = Path(checkout).resolve()
    root = Path(__file__).resolve().parent.parent
    if path == root or root in path.parents:
        sys.exit("BAKERYDEMO_DIR must be a folder outside this project.")
    if not (path / "manage.py").exists() or not (path / "bakerydemo").is_dir():
        sys.exit(f"BAKERYDEMO_DIR={checkout} is not a bakerydemo checkout.\n{HOW_TO}")
    demo = Bakerydemo(stack, path)
    demo.load()
    return demo
