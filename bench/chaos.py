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
3. Redis is killed (SIGKILL) while readers of every kind of public page, registrations
   and view beacons keep coming, then started again; then it is frozen (SIGSTOP, a
   Redis that hangs) and let go. Checked: every request answers as it would with Redis
   (200, 204 for a beacon, 303 for a registration; never a 500) within 1 second,
   every registration answered 303 is stored, and once Redis is back the app caches
   in it again.

Prints the results and writes them into docs/performance.md (the "Faults"
section). Bounded: a few hundred requests, under a minute of load.
"""

# Local benchmark tooling: it runs fixed local programs and builds SQL from its own ids.
# ruff: noqa: S603, S608

import http.client
import signal
import subprocess
import sys
import threading
import time
import zlib
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(1, str(Path(__file__).resolve().parent.parent))  # events.tokens

from run import DOC, confirm_paths, form_token, registration_body, targets  # noqa: E402
from stack import PAGES, PY, ROOT, Stack, ensure_packages, free_port, get, log  # noqa: E402

BURST = 400
THREADS = 20
CAPACITY = 60
MARK_START, MARK_END = "<!-- chaos:start -->", "<!-- chaos:end -->"
FRIENDLY = "We will be back in a moment"
# An accepted registration form is answered with a redirect to its one "check your
# inbox" page (Post/Redirect/Get, events/serving.py).
REGISTERED = 303


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
    asked_ok = [email for email, status in asked.items() if status == REGISTERED]
    pending = Counter(
        stack.psql(
            "SELECT email FROM events_eventregistration "
            f"WHERE page_id={t['event_id']} AND status='pending' AND email LIKE 'bench-k%'",
            "lmn",
        ).splitlines()
    )
    asked_missing = [email for email in asked_ok if pending[email] != 1]

    paths = confirm_paths(stack, "lmn", t["event_id"], "bench-k%")
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

    def succeeded(row):
        return row[2] == (REGISTERED if row[1].startswith("register:") else 200)

    failures = [row for row in timeline if not succeeded(row)]
    unclean = [row for row in failures if row[2] != 503 or not row[3] or row[4]]
    first_ok_after = min((row[0] for row in after if succeeded(row)), default=None)
    registered_ok = [row[1].split(":", 1)[1] for row in timeline if row[1].startswith("register:")]
    ok_emails = {
        f"bench-{n}@example.invalid"
        for row, n in zip(
            [r for r in timeline if r[1].startswith("register:")], registered_ok, strict=True
        )
        if succeeded(row)
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
            and all(succeeded(row) for row in tail)
            and not (ok_emails - stored)
        ),
    }


def redis_outage(stack, t, ports, body, post_id, beacon_token, seconds=22):
    """Scenario 3; returns a dict of findings.

    Readers of every kind of public page (straight to an instance, and through nginx
    with a query string nginx has never kept, so the app renders), registrations and
    view beacons through nginx, all the time; Redis is killed at 3 s and started again
    (empty, on the same port) at 7 s, then frozen with SIGSTOP at 12 s (a Redis that
    hangs: connections open, nothing answers) and let go at 15 s."""
    nginx, b = ports["nginx"], ports["b"]
    timeline = []  # (time, kind, status, seconds taken, email or "")
    lock = threading.Lock()
    start = time.monotonic()
    events = {}
    counter = Counter()
    expected = {"page": 200, "register": REGISTERED, "beacon": 204}
    beacon = f'{{"page": {post_id}, "token": "{beacon_token}"}}'

    def timed(kind, port, method, path, body=None, headers=None, email=""):
        began = time.monotonic()
        status, _ = request(port, method, path, body=body, headers=headers, timeout=10)
        with lock:
            timeline.append((began - start, kind, status, time.monotonic() - began, email))

    def reader(k):
        while time.monotonic() - start < seconds:
            with lock:
                counter["r"] += 1
                n = counter["r"]
            page = t[PAGES[n % len(PAGES)]]
            port = b if k % 2 else nginx
            timed("page", port, "GET", f"{page}?redis-chaos={n}")
            time.sleep(0.02)

    def registrant():
        while time.monotonic() - start < seconds:
            with lock:
                counter["p"] += 1
                n = f"redis{counter['p']}"
            timed(
                "register",
                nginx,
                "POST",
                t["event"],
                body=body.replace("{n}", n),
                headers=registration_headers(nginx, n),
                email=f"bench-{n}@example.invalid",
            )
            time.sleep(0.1)

    def beaconer():
        while time.monotonic() - start < seconds:
            with lock:
                counter["b"] += 1
                n = f"beacon{counter['b']}"
            headers = registration_headers(nginx, n)
            headers["Content-Type"] = "text/plain;charset=UTF-8"
            timed("beacon", nginx, "POST", "/blog/_count-view/", body=beacon, headers=headers)
            time.sleep(0.1)

    def saboteur():
        port = stack.redis_port
        time.sleep(3)
        events["killed"] = time.monotonic() - start
        log("SIGKILL sent to Redis")
        stack.kill("redis")
        time.sleep(4)
        stack.start_redis(port=port)
        events["restarted"] = time.monotonic() - start
        log("Redis started again (empty)")
        time.sleep(2.5)
        events["keys_after_restart"] = stack.redis_command("DBSIZE")
        events["hits_after_restart"] = next(
            (
                int(line.split(":")[1])
                for line in _redis_info(stack).splitlines()
                if line.startswith("keyspace_hits:")
            ),
            0,
        )
        time.sleep(max(0.0, events["restarted"] + 5 - (time.monotonic() - start)))
        events["frozen"] = time.monotonic() - start
        log("SIGSTOP sent to Redis (hanging)")
        stack.kill("redis", signal.SIGSTOP, wait=False)
        time.sleep(3)
        stack.kill("redis", signal.SIGCONT, wait=False)
        events["thawed"] = time.monotonic() - start
        log("SIGCONT sent to Redis")

    threads = [threading.Thread(target=reader, args=(k,)) for k in range(4)]
    threads += [threading.Thread(target=registrant), threading.Thread(target=beaconer)]
    threads.append(threading.Thread(target=saboteur))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=seconds + 60)

    def phase(lo, hi):
        rows = [row for row in timeline if lo <= row[0] < hi]
        return {
            "requests": len(rows),
            "statuses": dict(Counter(f"{row[1]} {row[2]}" for row in rows)),
            "slowest_s": round(max((row[3] for row in rows), default=0), 2),
        }

    wrong = [row for row in timeline if row[2] != expected[row[1]]]
    slow = [row for row in timeline if row[3] > 1.0]
    ok_emails = {row[4] for row in timeline if row[1] == "register" and row[2] == REGISTERED}
    stored = set(
        stack.psql(
            "SELECT email FROM events_eventregistration "
            f"WHERE page_id={t['event_id']} AND email LIKE 'bench-redis%'",
            "lmn",
        ).splitlines()
    )
    keys = events.get("keys_after_restart", ":0")
    keys = int(keys[1:]) if keys.startswith(":") else 0
    return {
        "requests": len(timeline),
        "killed_s": round(events["killed"], 1),
        "down_s": round(events["restarted"] - events["killed"], 1),
        "frozen_for_s": round(events["thawed"] - events["frozen"], 1),
        "while_killed": phase(events["killed"], events["restarted"]),
        "while_frozen": phase(events["frozen"], events["thawed"]),
        "wrong_status": len(wrong),
        "wrong_examples": [f"{row[1]} {row[2]}" for row in wrong[:5]],
        "over_1s": len(slow),
        "slowest_s": round(max((row[3] for row in timeline), default=0), 2),
        "registrations_ok_missing_from_db": len(ok_emails - stored),
        "keys_after_restart": keys,
        "cache_hits_after_restart": events.get("hits_after_restart", 0),
        "passed": (
            bool(timeline)
            and not wrong
            and not slow
            and not (ok_emails - stored)
            and keys > 0
            and events.get("hits_after_restart", 0) > 0
        ),
    }


def _redis_info(stack):
    """Redis's INFO stats (a bulk reply, so read here rather than by redis_command)."""
    import socket

    with socket.create_connection(("127.0.0.1", stack.redis_port), timeout=5) as sock:
        sock.sendall(b"INFO stats\r\n")
        time.sleep(0.2)
        return sock.recv(65536).decode("utf-8", "replace")


def write_section(kill, restart, redis, load):
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
  with no restart of the app; registrations answered 303 but missing from the database:
  {restart["registrations_ok_missing_from_db"]}

**Redis killed mid-run, then hanging** (readers of every kind of public page straight
to an instance and through nginx with query strings it has never kept, registrations
and view beacons through nginx; {redis["requests"]} requests):
{"PASS" if redis["passed"] else "FAIL"}.

- Redis killed at {redis["killed_s"]} s and started again, empty, {redis["down_s"]} s later;
  meanwhile: {redis["while_killed"]["statuses"]}, slowest {redis["while_killed"]["slowest_s"]} s
- then frozen (SIGSTOP: connections open, no answers) for {redis["frozen_for_s"]} s;
  meanwhile: {redis["while_frozen"]["statuses"]}, slowest {redis["while_frozen"]["slowest_s"]} s
- answers other than 200 (204 for a beacon, 303 for a registration): {redis["wrong_status"]}
  {redis["wrong_examples"]}; slower than 1 s: {redis["over_1s"]} (slowest of all
  {redis["slowest_s"]} s); registrations answered 303 but not stored:
  {redis["registrations_ok_missing_from_db"]}
- after the restart the app cached in Redis again: {redis["keys_after_restart"]} keys and
  {redis["cache_hits_after_restart"]} cache hits within 2.5 s
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
    log("scenario 3: kill Redis mid-run, then freeze it")
    stack.start_gunicorn("a", ports["a"], env, workers=2)  # both instances again
    redis = redis_outage(stack, t, ports, body, t["post_id"], t["beacon_token"])
    print(redis, flush=True)
    write_section(kill, restart, redis, load)
    log(f"wrote the Faults section of {DOC.relative_to(ROOT)}")
    if not (kill["passed"] and restart["passed"] and redis["passed"]):
        sys.exit(1)


if __name__ == "__main__":
    main()
