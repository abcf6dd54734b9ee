"""`make chaos`: faults on the production stack, on 127.0.0.1 only.

1. A registration burst through nginx to two gunicorn instances: first the form
   posts (each a pending request), then the emailed confirm links, during which one
   instance is killed with SIGKILL. Checked: every form post that got a success
   response is stored, every confirmation that got one holds a place or a
   waiting-list spot, no address has two, capacity holds, and the other instance
   keeps serving.
2. PostgreSQL is stopped and started again while readers and registrations keep
   coming. Checked: requests fail cleanly (503 with the friendly page, no stack
   trace, no 500) and succeed again by themselves once it is back.

Prints the results and writes them into docs/performance.md (the "Faults"
section). Bounded: a few hundred requests, under a minute of load.
"""

# Local benchmark tooling: it runs fixed local programs and builds SQL from its own ids.
# ruff: noqa: S603, S608

import http.client
import subprocess
import sys
import threading
import time
import zlib
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(1, str(Path(__file__).resolve().parent.parent))  # events.tokens

from run import DOC, form_token, registration_body, targets  # noqa: E402
from stack import PY, ROOT, Stack, ensure_packages, free_port, get, log  # noqa: E402

BURST = 400
THREADS = 20
CAPACITY = 60
MARK_START, MARK_END = "<!-- chaos:start -->", "<!-- chaos:end -->"
FRIENDLY = "We will be back in a moment"


def request(port, method, path, body=None, headers=None, timeout=15):
    """(status, body text) of one request to 127.0.0.1:port; status 0 when the
    connection itself failed."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        return response.status, response.read().decode("utf-8", "replace")
    except (OSError, http.client.HTTPException):
        return 0, ""
    finally:
        conn.close()


def bench_address(n):
    """A made-up client address for registrant `n` (a number or a label)."""
    h = zlib.crc32(str(n).encode())
    return f"10.{200 + h % 50}.{h >> 8 & 255}.{h >> 16 & 255}"


def registration_headers(port, n):
    return {
        "Content-Type": "application/x-www-form-urlencoded",
        "Origin": f"http://127.0.0.1:{port}",
        "Sec-Fetch-Site": "same-origin",
        "User-Agent": f"Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0 chaos-visitor-{n}",
        # Each registration from its own address (bench nginx takes it as the client's).
        "X-Bench-Client": bench_address(n),
    }


def confirm_paths(stack, event_id, like):
    """{email: confirm path} of the pending requests whose email matches `like`.

    The bench's email backend discards mail, so each link is made here exactly as
    its "please confirm" email carries it (events.tokens, signed with the stack's
    SECRET_KEY)."""
    from django.core import signing

    from events.tokens import CONFIRM_SALT

    rows = stack.psql(
        "SELECT email, confirm_token, floor(extract(epoch FROM confirm_expires_at))::bigint "
        f"FROM events_eventregistration WHERE page_id={event_id} AND status='pending' "
        f"AND email LIKE '{like}'",
        "lmn",
    ).splitlines()
    signer = signing.TimestampSigner(key=stack.secret, salt=CONFIRM_SALT, fallback_keys=[])
    paths = {}
    for line in rows:
        email, token, expires = line.split("|")
        code = signer.sign_object({"t": token, "x": int(expires)}, compress=True)
        paths[email] = f"/events/confirm/{code}/"
    return paths


def _in_threads(items, action):
    threads = [
        threading.Thread(target=lambda k=k: [action(item) for item in items[k::THREADS]])
        for k in range(THREADS)
    ]
    for thread in threads:
        thread.start()
    return threads


def kill_mid_burst(stack, t, ports, body):
    """Scenario 1; returns a dict of findings.

    The form only asks for a place (a pending request); the place is decided when the
    emailed link is confirmed. So: a burst of form posts (every success must be one
    stored request), then a burst of confirmations through nginx with instance a
    killed a third of the way through (every confirmation that succeeded must hold a
    place or a waiting-list spot, capacity holds, no address has two)."""
    nginx = ports["nginx"]
    lock = threading.Lock()
    asked = {}

    def ask(i):
        email_n = f"k{i}"
        status, _ = request(
            nginx,
            "POST",
            t["event"],
            body=body.replace("{n}", email_n),
            headers=registration_headers(nginx, email_n),
        )
        with lock:
            asked[f"bench-{email_n}@example.invalid"] = status

    for thread in _in_threads(list(range(BURST)), ask):
        thread.join(timeout=120)
    asked_ok = [email for email, status in asked.items() if status == 200]
    pending = Counter(
        stack.psql(
            "SELECT email FROM events_eventregistration "
            f"WHERE page_id={t['event_id']} AND status='pending' AND email LIKE 'bench-k%'",
            "lmn",
        ).splitlines()
    )
    asked_missing = [email for email in asked_ok if pending[email] != 1]

    paths = confirm_paths(stack, t["event_id"], "bench-k%")
    results = {}
    done = Counter()
    b_statuses = Counter()
    stop_reader = threading.Event()
    killed_at = {}

    def confirm(email):
        status, _ = request(
            nginx, "POST", paths[email], headers=registration_headers(nginx, email.split("@")[0])
        )
        with lock:
            results[email] = status
            done["n"] += 1

    def reader():
        while not stop_reader.is_set():
            status, _ = request(ports["b"], "GET", t["post"])
            b_statuses[status] += 1
            time.sleep(0.05)

    def killer():
        while done["n"] < len(paths) // 3:
            time.sleep(0.01)
        stack.kill("a")
        killed_at["after"] = done["n"]
        log(f"SIGKILL sent to gunicorn instance a after {done['n']} confirmations")

    side = [threading.Thread(target=reader), threading.Thread(target=killer)]
    started = time.monotonic()
    for thread in side:
        thread.start()
    for thread in _in_threads(sorted(paths), confirm):
        thread.join(timeout=120)
    stop_reader.set()
    for thread in side:
        thread.join(timeout=30)
    elapsed = time.monotonic() - started

    ok = [email for email, status in results.items() if status == 200]
    rows = stack.psql(
        "SELECT email, status FROM events_eventregistration "
        f"WHERE page_id={t['event_id']} AND email LIKE 'bench-k%'",
        "lmn",
    ).splitlines()
    by_email = {}
    for line in rows:
        email, status = line.split("|")
        by_email.setdefault(email, []).append(status)
    statuses = Counter(status for line in rows for status in [line.split("|")[1]])
    missing = [
        email
        for email in ok
        if sum(status in ("confirmed", "waiting") for status in by_email.get(email, [])) != 1
    ]
    duplicated = [
        email
        for email, found in by_email.items()
        if sum(status in ("confirmed", "waiting") for status in found) > 1
    ]
    confirmed = int(
        stack.psql(
            "SELECT count(*) FROM events_eventregistration "
            f"WHERE page_id={t['event_id']} AND status='confirmed'",
            "lmn",
        )
    )
    after_status, _ = request(ports["b"], "GET", t["event"])
    via_nginx, _ = request(nginx, "GET", t["home"] + "?after-kill=1")
    return {
        "sent": BURST,
        "asked_responses": dict(Counter(asked.values())),
        "asked_missing_from_db": len(asked_missing),
        "confirmations": len(paths),
        "seconds": round(elapsed, 1),
        "killed_after": killed_at.get("after"),
        "responses": dict(Counter(results.values())),
        "success": len(ok),
        "stored": len(rows),
        "stored_by_status": dict(statuses),
        "success_missing_from_db": len(missing),
        "duplicated": len(duplicated),
        "confirmed": confirmed,
        "capacity": CAPACITY,
        "instance_b_during": dict(b_statuses),
        "instance_b_after": after_status,
        "nginx_after": via_nginx,
        "passed": (
            not asked_missing
            and not missing
            and not duplicated
            and confirmed <= CAPACITY
            and after_status == 200
            and via_nginx == 200
            and set(b_statuses) <= {200}
        ),
    }


def restart_database(stack, t, ports, body, seconds=14, down_at=3.0, down_for=3.0):
    """Scenario 2; returns a dict of findings."""
    nginx, b = ports["nginx"], ports["b"]
    timeline = []  # (time, kind, status, friendly, trace)
    lock = threading.Lock()
    start = time.monotonic()
    events = {}
    counter = Counter()

    def record(kind, status, text):
        with lock:
            timeline.append(
                (
                    time.monotonic() - start,
                    kind,
                    status,
                    FRIENDLY in text,
                    "Traceback" in text or "OperationalError" in text,
                )
            )

    def reader():
        while time.monotonic() - start < seconds:
            with lock:
                counter["r"] += 1
                n = counter["r"]
            # A query string the caches have never seen: the app must render.
            status, text = request(b, "GET", f"{t['event']}?chaos={n}")
            record("page", status, text)
            time.sleep(0.02)

    def registrant():
        while time.monotonic() - start < seconds:
            with lock:
                counter["p"] += 1
                n = f"p{counter['p']}"
            status, text = request(
                nginx,
                "POST",
                t["event"],
                body=body.replace("{n}", n),
                headers=registration_headers(nginx, n),
            )
            record(f"register:{n}", status, text)
            time.sleep(0.05)

    def restarter():
        time.sleep(down_at)
        events["down"] = time.monotonic() - start
        log("stopping PostgreSQL")
        stack.stop_postgres()
        time.sleep(down_for)
        stack._pg_ctl("start")
        events["up"] = time.monotonic() - start
        log("PostgreSQL is back")

    threads = [threading.Thread(target=reader) for _ in range(4)]
    threads += [threading.Thread(target=registrant) for _ in range(4)]
    threads.append(threading.Thread(target=restarter))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=seconds + 60)

    down, up = events["down"], events["up"]
    during = [row for row in timeline if down <= row[0] <= up]
    after = [row for row in timeline if row[0] > up]
    failures = [row for row in timeline if row[2] != 200]
    unclean = [row for row in failures if row[2] != 503 or not row[3] or row[4]]
    first_ok_after = min((row[0] for row in after if row[2] == 200), default=None)
    registered_ok = [row[1].split(":", 1)[1] for row in timeline if row[1].startswith("register:")]
    ok_emails = {
        f"bench-{n}@example.invalid"
        for row, n in zip(
            [r for r in timeline if r[1].startswith("register:")], registered_ok, strict=True
        )
        if row[2] == 200
    }
    stored = set(
        stack.psql(
            "SELECT email FROM events_eventregistration "
            f"WHERE page_id={t['event_id']} AND email LIKE 'bench-p%'",
            "lmn",
        ).splitlines()
    )
    tail = [row for row in after if row[0] > (first_ok_after or up) + 1]
    return {
        "requests": len(timeline),
        "database_down_s": round(up - down, 1),
        "statuses_during_outage": dict(Counter(row[2] for row in during)),
        "statuses_after": dict(Counter(row[2] for row in after)),
        "non_200": len(failures),
        "unclean_failures": len(unclean),
        "first_success_after_restart_s": (
            round(first_ok_after - up, 2) if first_ok_after is not None else None
        ),
        "registrations_ok_missing_from_db": len(ok_emails - stored),
        "passed": (
            bool(failures)
            and not unclean
            and first_ok_after is not None
            and all(row[2] == 200 for row in tail)
            and not (ok_emails - stored)
        ),
    }


def write_section(kill, restart, load):
    block = f"""{MARK_START}
## Faults (`make chaos`)

Measured by bench/chaos.py; load average at the start: {load[0]:.2f}.

**SIGKILL of one gunicorn instance mid registration burst** ({kill["sent"]} form posts
from {THREADS} concurrent clients through nginx to two instances, answered
{kill["asked_responses"]} with {kill["asked_missing_from_db"]} successes not stored as a
pending request; then their {kill["confirmations"]} emailed confirm links, instance a
killed after {kill["killed_after"]} confirmations): {"PASS" if kill["passed"] else "FAIL"}.

- confirmations by status: {kill["responses"]} (502s are requests in flight on the killed
  instance; nginx never retries a POST that reached an instance, so none is sent twice)
- confirmed successfully: {kill["success"]}; of these without a place or spot:
  {kill["success_missing_from_db"]}; duplicated emails: {kill["duplicated"]}
- stored: {kill["stored"]} ({kill["stored_by_status"]}); confirmed {kill["confirmed"]} of
  capacity {kill["capacity"]} (the rest on the waiting list)
- the other instance during the burst: {kill["instance_b_during"]}; afterwards it answered
  {kill["instance_b_after"]} and nginx {kill["nginx_after"]}

**PostgreSQL stopped and restarted mid-run** (readers of never-cached URLs straight to an
instance, and registrations through nginx): {"PASS" if restart["passed"] else "FAIL"}.

- database down for {restart["database_down_s"]} s; statuses while down:
  {restart["statuses_during_outage"]}; after: {restart["statuses_after"]}
- failures that were not a clean 503 with the friendly page (or showed a trace):
  {restart["unclean_failures"]} of {restart["non_200"]}
- first success {restart["first_success_after_restart_s"]} s after PostgreSQL was back,
  with no restart of the app; registrations answered 200 but missing from the database:
  {restart["registrations_ok_missing_from_db"]}
{MARK_END}"""
    text = DOC.read_text() if DOC.exists() else "# Performance\n"
    if MARK_START in text:
        before = text.split(MARK_START)[0]
        after = text.split(MARK_END, 1)[1] if MARK_END in text else ""
        text = before + block + after
    else:
        text = text.rstrip("\n") + "\n\n" + block + "\n"
    DOC.write_text(text)


def main():
    import os

    ensure_packages()
    load = os.getloadavg()
    stack = Stack()
    stack.start_postgres()
    stack.start_redis()
    stack.psql("CREATE DATABASE lmn")
    env = stack.django_env("lmn")
    quiet = {**env, "LOG_LEVEL": "ERROR"}
    stack.manage(quiet, "migrate", "--no-input", "-v0")
    subprocess.run(
        [PY, "manage.py", "load_demo"], cwd=ROOT, env=quiet, check=True, capture_output=True
    )
    stack.manage(quiet, "collectstatic", "--no-input", "-v0")
    t = targets(stack, "lmn", "--prepare")
    stack.psql(
        f"UPDATE events_eventpage SET capacity={CAPACITY}, waiting_list_enabled=true "
        f"WHERE page_ptr_id={t['event_id']}",
        "lmn",
    )
    ports = {"a": free_port(), "b": free_port(), "nginx": free_port()}
    stack.start_gunicorn("a", ports["a"], env, workers=2)
    stack.start_gunicorn("b", ports["b"], env, workers=2)
    stack.start_db_worker(env)
    stack.start_nginx(ports["nginx"], [ports["a"], ports["b"]])
    status, _, page = get(f"http://127.0.0.1:{ports['nginx']}{t['event']}")
    assert status == 200, status
    body = registration_body(page.decode(), form_token(f"http://127.0.0.1:{ports['nginx']}"))
    time.sleep(3.5)  # the form's minimum fill time

    log("scenario 1: SIGKILL one instance mid registration burst")
    kill = kill_mid_burst(stack, t, ports, body)
    print(kill, flush=True)
    log("scenario 2: restart PostgreSQL mid-run")
    restart = restart_database(stack, t, ports, body)
    print(restart, flush=True)
    write_section(kill, restart, load)
    log(f"wrote the Faults section of {DOC.relative_to(ROOT)}")
    if not (kill["passed"] and restart["passed"]):
        sys.exit(1)


if __name__ == "__main__":
    main()
