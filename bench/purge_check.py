"""Bench check: after a publish, the purged page shows the change on its next request
through nginx.

`check_purge_after_publish(stack, db)` (for bench/run.py, with nginx and a db_worker
already running) publishes a new title on the newest live post of database `db`
through the ORM with the stack's production settings, waits until the purge tasks
the publish queued have run (the db_worker sends them to nginx's purge listener),
then makes ONE request through nginx and checks it shows the new title and did not
come from the cache. The post's old title is published back afterwards.

`python bench/purge_check.py` runs the check on its own small stack (PostgreSQL,
Redis, the demo content, one gunicorn, a db_worker and nginx on 127.0.0.1).
"""

# Local benchmark tooling: fixed local programs and 127.0.0.1 only.
# ruff: noqa: S603, T201

import http.client
import json
import secrets
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent


def check_purge_after_publish(stack, db, timeout=30):
    """Run the check against `stack`'s nginx on database `db`; print and return the
    result (a dict with `ok`)."""
    result = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), "--inside", str(stack.nginx_port)]
        + [str(timeout)],
        cwd=ROOT,
        env=stack.django_env(db),
        capture_output=True,
        text=True,
        check=False,
    )
    lines = result.stdout.strip().splitlines()
    try:
        outcome = json.loads(lines[-1])
    except (IndexError, ValueError):
        outcome = {"ok": False, "error": (result.stderr or result.stdout)[-2000:]}
    print(f"[bench] purge after publish: {json.dumps(outcome)}", flush=True)
    return outcome


def _get(port, host, path):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("GET", path, headers={"Host": host})
    response = conn.getresponse()
    body = response.read().decode("utf-8", "replace")
    conn.close()
    return response.status, response.getheader("X-Cache-Status"), body


def _wait_for_purges(since, timeout):
    """Seconds until every purge task queued since `since` has finished (None: timed out)."""
    from django_tasks_db.models import DBTaskResult

    started = time.monotonic()
    purges = DBTaskResult.objects.filter(
        task_path__endswith="purge_urls_from_cache_task", enqueued_at__gte=since
    )
    while time.monotonic() - started < timeout:
        if purges.exists() and not purges.exclude(status__in=["SUCCESSFUL", "FAILED"]).exists():
            return round(time.monotonic() - started, 2)
        time.sleep(0.05)
    return None


def _publish_title(post, title):
    from django.utils import timezone

    since = timezone.now()
    draft = post.get_latest_revision_as_object()
    draft.title = title
    draft.save_revision().publish()
    return since


def inside(nginx_port, timeout):
    """The check itself, in a process with the stack's Django settings."""
    import django

    django.setup()
    from blog.models import BlogPage

    post = BlogPage.objects.live().public().order_by("-date").first()
    url = urlsplit(post.get_full_url())
    host, path = url.netloc, url.path
    original = post.title
    _get(nginx_port, host, path)
    _status, before, _body = _get(nginx_port, host, path)
    marker = f"Purge check {secrets.token_hex(4)}"
    since = _publish_title(post, marker)
    purge_seconds = _wait_for_purges(since, timeout)
    status, after, body = _get(nginx_port, host, path)
    shown = marker in body
    restored = _publish_title(BlogPage.objects.get(pk=post.pk), original)
    _wait_for_purges(restored, timeout)
    outcome = {
        "ok": bool(before == "HIT" and purge_seconds is not None and status == 200 and shown),
        "page": path,
        "cached_before": before,
        "purge_seconds": purge_seconds,
        "after": after,
        "shows_change": shown,
    }
    print(json.dumps(outcome))


def main():
    """Run the check on a small stack of its own, on the demo content."""
    sys.path.insert(0, str(ROOT))
    from bench.stack import Stack, ensure_packages, free_port

    ensure_packages()
    stack = Stack()
    stack.start_postgres()
    stack.start_redis()  # the app's shared cache, as on the bench stack
    stack.psql("CREATE DATABASE lmn_demo")
    env = stack.django_env("lmn_demo")
    stack.manage(env, "migrate", "--no-input", "-v", "0")
    stack.manage(env, "load_demo", "-v", "0")
    stack.manage(env, "collectstatic", "--no-input", "-v", "0")
    app = free_port()
    stack.start_gunicorn("app", app, env, workers=1)
    stack.start_db_worker(env)
    stack.start_nginx(free_port(), [app])
    outcome = check_purge_after_publish(stack, "lmn_demo")
    sys.exit(0 if outcome.get("ok") else 1)


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--inside":
        sys.path.insert(0, str(ROOT))
        inside(int(sys.argv[2]), float(sys.argv[3]))
    else:
        main()
