"""`make bench`: the production stack on this machine, measured.

Starts PostgreSQL 15, Redis, gunicorn instances and nginx on 127.0.0.1 only (see
bench/stack.py), loads the demo, copies it and grows the copy into the large site
(bench/seed_large.py), then measures with wrk at 20 connections for BENCH_SECONDS
(default 8) per scenario. Prints a table and writes docs/performance.md with the
figures, the ratios the targets are stated in, pass/fail and the machine's facts.
Every process it starts is stopped when it ends, however it ends.
"""

# Local benchmark tooling: it runs fixed local programs and builds SQL from its own ids.
# ruff: noqa: S108, S603, S608

import html.parser
import json
import os
import platform
import subprocess
import sys
import time
import urllib.parse
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from stack import PACKAGES, PY, ROOT, Stack, ensure_packages, free_port, get, log  # noqa: E402

SECONDS = int(os.environ.get("BENCH_SECONDS", 8))
CONNECTIONS = 20
THREADS = 2
WORKERS = int(os.environ.get("BENCH_WORKERS", 3))
LUA = str(ROOT / "bench" / "wrk" / "bench.lua")
DOC = ROOT / "docs" / "performance.md"


# ----- wrk ----------------------------------------------------------------------


def wrk(url, seconds=SECONDS, method="GET", body="", content_type=None, run_id="0", origin=""):
    """Run wrk against `url` (127.0.0.1 only); returns its figures as a dict."""
    assert url.startswith("http://127.0.0.1:"), url
    env = {
        **os.environ,
        "BENCH_METHOD": method,
        "BENCH_BODY": body,
        "BENCH_RUN": run_id,
        "BENCH_ORIGIN": origin,
    }
    if content_type:
        env["BENCH_CONTENT_TYPE"] = content_type
    args = [PACKAGES["wrk"], f"-t{THREADS}", f"-c{CONNECTIONS}", f"-d{seconds}s"]
    args += ["--timeout", "10s"]
    result = subprocess.run(
        [*args, "-s", LUA, url], capture_output=True, text=True, env=env, timeout=seconds + 60
    )
    line = next((li for li in result.stdout.splitlines() if li.startswith("BENCHJSON ")), None)
    if line is None:
        raise RuntimeError(f"wrk printed no figures: {result.stdout}\n{result.stderr}")
    data = json.loads(line[len("BENCHJSON ") :])
    data["rps"] = data["requests"] / (data["duration_us"] / 1e6)
    data["p50_ms"] = data["p50_us"] / 1000
    data["p99_ms"] = data["p99_us"] / 1000
    data["socket_errors"] = sum(data["errors"][k] for k in ("connect", "read", "write", "timeout"))
    return data


def unexpected(data, ok=("200",)):
    """Responses with a status other than the expected ones, plus socket errors."""
    bad = sum(n for status, n in data["statuses"].items() if status not in ok)
    return bad + data["socket_errors"]


# ----- the registration form, as a reader's browser would fill it ------------------


class FormReader(html.parser.HTMLParser):
    """The fields of the registration form (class "event-form") on an event page."""

    def __init__(self):
        super().__init__()
        self.in_form = False
        self.fields = []  # (name, type, value)
        self.select = None
        self.radios = set()

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and "event-form" in (a.get("class") or ""):
            self.in_form = True
        if not self.in_form:
            return
        if tag == "input" and a.get("name"):
            kind = (a.get("type") or "text").lower()
            if kind == "checkbox" and "required" not in a:
                return  # optional boxes (the mailing list) left unticked, as most people do
            if kind == "radio":
                if a["name"] in self.radios:
                    return
                self.radios.add(a["name"])
            self.fields.append((a["name"], kind, a.get("value")))
        elif tag == "textarea" and a.get("name"):
            self.fields.append((a["name"], "textarea", None))
        elif tag == "select" and a.get("name"):
            self.select = a["name"]
        elif tag == "option" and self.select and a.get("value"):
            self.fields.append((self.select, "select", a["value"]))
            self.select = None

    def handle_endtag(self, tag):
        if tag == "form":
            self.in_form = False
        if tag == "select":
            self.select = None


def registration_body(page_html, form_token=""):
    """A urlencoded body with "{n}" where each request puts its own number.

    Pages carry no anti-spam token (cached copies would carry a stale time):
    `form_token` is one fetched from /forms/started/ as site.js does (`form_token()`).
    """
    reader = FormReader()
    reader.feed(page_html)
    if not reader.fields:
        raise RuntimeError("no registration form on the burst event's page")
    pairs = []
    for name, kind, value in reader.fields:
        if name == "website_address":  # the honeypot stays empty, as people leave it
            pairs.append((name, ""))
        elif name == "form_started":
            pairs.append((name, form_token))
        elif kind == "hidden":
            pairs.append((name, value or ""))
        elif kind == "email":
            pairs.append((name, "bench-{n}@example.invalid"))
        elif kind in ("checkbox", "radio", "select"):
            pairs.append((name, value or "on"))
        elif kind == "date":
            pairs.append((name, "2027-01-15"))
        elif kind == "number":
            pairs.append((name, "1"))
        else:
            pairs.append((name, "Example Person"))
    return urllib.parse.urlencode(pairs).replace("%7Bn%7D", "{n}")


def form_token(base):
    """A fresh anti-spam token from `base`/forms/started/, as a reader's browser gets
    one when the form is shown. The bench shares it over every post, so its stack runs
    with FORM_TOKEN_USES raised (bench/stack.py); the fill time still applies."""
    status, _, data = get(base + "/forms/started/")
    if status != 200:
        raise RuntimeError(f"/forms/started/ answered {status}")
    return json.loads(data)["token"]


# ----- helpers ---------------------------------------------------------------------------


def targets(stack, db, *flags):
    env = stack.django_env(db, PAGE_CACHE_SECONDS=0)
    env.pop("REDIS_URL", None)
    result = subprocess.run(
        [PY, "bench/targets.py", *flags], cwd=ROOT, env=env, capture_output=True, text=True
    )
    line = next((li for li in result.stdout.splitlines() if li.startswith("TARGETS ")), None)
    if line is None:
        raise RuntimeError(result.stdout + result.stderr)
    return json.loads(line[len("TARGETS ") :])


def rss_mb(pid):
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def machine_facts():
    cpu = "unknown"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    mem = next(
        int(li.split()[1]) // 1024
        for li in Path("/proc/meminfo").read_text().splitlines()
        if li.startswith("MemTotal")
    )

    def version(args):
        try:
            out = subprocess.run(args, capture_output=True, text=True, timeout=10)
            return (out.stdout + out.stderr).strip().splitlines()[0]
        except (OSError, IndexError, subprocess.TimeoutExpired):
            return "unknown"

    return {
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "memory_mb": mem,
        "kernel": platform.release(),
        "python": platform.python_version(),
        "nginx": version([PACKAGES["nginx"], "-v"]),
        "redis": version([PACKAGES["redis-server"], "--version"]),
        "postgresql": version(["/usr/lib/postgresql/15/bin/postgres", "--version"]),
    }


def static_path(stack):
    manifest = json.loads((stack.static_root / "staticfiles.json").read_text())
    return "/static/" + manifest["paths"]["css/site.css"]


# ----- the measured run ----------------------------------------------------------------------


def measured_run(stack, t, ports, run_id, static):
    """Every scenario once, against the large site; returns {scenario: figures}."""
    nginx = f"http://127.0.0.1:{ports['nginx']}"
    a = f"http://127.0.0.1:{ports['a']}"
    plain = f"http://127.0.0.1:{ports['plain']}"
    results = {}

    def measure(name, url, **kwargs):
        log(f"run {run_id}: {name} ({SECONDS} s)")
        results[name] = wrk(url, run_id=str(run_id), **kwargs)

    measure("static_nginx", nginx + static)
    measure("static_whitenoise", a + static)
    for page in ("home", "blog_index", "post", "event"):
        get(nginx + t[page])  # the first reader fills the cache
        measure(f"{page}_nginx", nginx + t[page])
    measure("post_gunicorn_uncached", plain + t["post"])
    get(a + t["post"])
    measure("post_gunicorn_app_cache", a + t["post"])

    large = "lmn_large"
    views_before = int(
        stack.psql(f"SELECT view_count FROM blog_blogpage WHERE page_ptr_id={t['post_id']}", large)
    )
    beacon = json.dumps({"page": t["post_id"], "token": t["beacon_token"]})
    measure(
        "beacon_post",
        nginx + "/blog/_count-view/",
        method="POST",
        body=beacon,
        content_type="text/plain;charset=UTF-8",
        origin=nginx,
    )
    views_after = int(
        stack.psql(f"SELECT view_count FROM blog_blogpage WHERE page_ptr_id={t['post_id']}", large)
    )
    counted = results["beacon_post"]["statuses"].get("204", 0)
    # Beacons still in flight when wrk stopped may count without being seen, so
    # "lost" is accepted (204) views missing from the count, never negative.
    results["beacon_post"]["lost"] = max(0, counted - (views_after - views_before))

    status, _, page = get(nginx + t["event"])
    body = registration_body(page.decode(), form_token(nginx))
    time.sleep(3.5)  # the form's minimum fill time, as a person would take
    measure(
        "registration_post",
        nginx + t["event"],
        method="POST",
        body=body,
        content_type="application/x-www-form-urlencoded",
        origin=nginx,
    )
    time.sleep(1)  # let requests still in flight when wrk stopped finish
    # The form never gives a place by itself: every accepted post from a new address
    # stores one pending request (and queues its confirm email). Places are decided
    # when the emailed link is confirmed; bench/chaos.py races those links.
    stored = int(
        stack.psql(
            "SELECT count(*) FROM events_eventregistration "
            f"WHERE page_id={t['event_id']} AND email LIKE 'bench-%x{run_id}@example.invalid'",
            large,
        )
    )
    duplicates = int(
        stack.psql(
            "SELECT count(*) FROM (SELECT email FROM events_eventregistration "
            f"WHERE page_id={t['event_id']} GROUP BY email HAVING count(*) > 1) d",
            large,
        )
    )
    ok = results["registration_post"]["statuses"].get("200", 0)
    # Requests still in flight when wrk stopped may be stored without being counted,
    # so "lost" is successes missing from the database, never negative.
    results["registration_post"]["lost"] = max(0, ok - stored)
    results["registration_post"]["stored"] = stored
    results["registration_post"]["duplicates"] = duplicates
    return results


def uncached_latency(t, ports):
    """Each page straight from a gunicorn instance with the page cache off, on the
    demo and on the large site. The two instances run side by side and are measured
    in the order demo, large, large, demo (each figure the mean of its two runs), so
    a change in the machine's other load during the measurement weighs on both alike."""
    figures = {db: {} for db in ports}
    for page in ("home", "blog_index", "post", "event"):
        runs = {db: [] for db in ports}
        for db in ("lmn_demo", "lmn_large", "lmn_large", "lmn_demo"):
            log(f"{db}: {page} uncached ({SECONDS} s)")
            runs[db].append(wrk(f"http://127.0.0.1:{ports[db]}{t[db][page]}"))
        for db, (first, second) in runs.items():
            merged = dict(first)
            for key in ("rps", "p50_ms", "p99_ms"):
                merged[key] = (first[key] + second[key]) / 2
            merged["requests"] = first["requests"] + second["requests"]
            figures[db][page] = merged
    return figures


def memory(stack, names):
    return {name: {pid: rss_mb(pid) for pid in stack.worker_pids(name)} for name in names}


def main():
    started = time.monotonic()
    ensure_packages()
    load_before = os.getloadavg()
    stack = Stack()
    stack.start_postgres()
    stack.start_redis()
    for db in ("lmn_demo",):
        stack.psql(f"CREATE DATABASE {db}")
    demo_env = stack.django_env("lmn_demo")
    log("migrating and loading the demo")
    quiet = {**demo_env, "LOG_LEVEL": "ERROR"}
    stack.manage(quiet, "migrate", "--no-input", "-v0")
    stack.manage(quiet, "load_demo")
    stack.manage(quiet, "collectstatic", "--no-input", "-v0")
    stack.psql("CREATE DATABASE lmn_large TEMPLATE lmn_demo")
    log("seeding the large site")
    seed_started = time.monotonic()
    seed = subprocess.run(
        [PY, "bench/seed_large.py"],
        cwd=ROOT,
        env=stack.django_env("lmn_large"),
        capture_output=True,
        text=True,
        check=True,
    )
    seed_seconds = time.monotonic() - seed_started
    log(seed.stdout.strip())
    t = {db: targets(stack, db, "--prepare", "--queries") for db in ("lmn_demo", "lmn_large")}
    for key in ("home", "blog_index", "post", "event"):
        assert t["lmn_demo"][key] == t["lmn_large"][key], key
    static = static_path(stack)

    # Uncached latency of each page on the demo and on the large site, from two
    # instances side by side (one idles while the other is measured).
    plain_ports = {}
    for db in ("lmn_demo", "lmn_large"):
        plain_ports[db] = port = free_port()
        stack.start_gunicorn(
            f"plain-{db}", port, stack.django_env(db, PAGE_CACHE_SECONDS=0), workers=WORKERS
        )
        for page in ("home", "blog_index", "post", "event"):
            get(f"http://127.0.0.1:{port}{t[db][page]}")
    uncached = uncached_latency(t, plain_ports)
    for db in plain_ports:
        stack.stop_process(f"plain-{db}")

    # The production stack on the large site: two instances behind nginx.
    ports = {"a": free_port(), "b": free_port(), "plain": free_port(), "nginx": free_port()}
    large_env = stack.django_env("lmn_large")
    stack.flush_redis()
    stack.start_gunicorn("a", ports["a"], large_env, workers=WORKERS)
    stack.start_gunicorn("b", ports["b"], large_env, workers=WORKERS)
    stack.start_gunicorn(
        "plain",
        ports["plain"],
        stack.django_env("lmn_large", PAGE_CACHE_SECONDS=0),
        workers=WORKERS,
    )
    stack.start_db_worker(large_env)
    stack.start_nginx(ports["nginx"], [ports["a"], ports["b"]])
    tl = t["lmn_large"]
    for name in ("home", "blog_index", "post", "event"):
        status, _, _ = get(f"http://127.0.0.1:{ports['nginx']}{tl[name]}")
        assert status == 200, (name, status)

    run1 = measured_run(stack, tl, ports, 1, static)
    mem1 = memory(stack, ("a", "b", "plain"))
    run2 = measured_run(stack, tl, ports, 2, static)
    mem2 = memory(stack, ("a", "b", "plain"))
    load_after = os.getloadavg()
    facts = machine_facts()
    report = build_report(
        run1, run2, mem1, mem2, uncached, t, facts, load_before, load_after, seed_seconds
    )
    print(report["table"])
    markdown = report["markdown"]
    old = DOC.read_text() if DOC.exists() else ""
    if "<!-- notes:start -->" in old and "<!-- notes:end -->" in old:
        # Keep the engineers' written notes on the figures (what changed, what is missed).
        notes = old[old.index("<!-- notes:start -->") : old.index("<!-- notes:end -->")]
        markdown = markdown.replace("## Machine", notes + "<!-- notes:end -->\n\n## Machine", 1)
    if "<!-- chaos:start -->" in old:  # keep the last `make chaos` results
        block = old[old.index("<!-- chaos:start -->") :]
        markdown = markdown.rstrip("\n") + "\n\n" + block
    DOC.write_text(markdown)
    log(f"wrote {DOC.relative_to(ROOT)} in {time.monotonic() - started:.0f} s")
    results_file = Path(os.environ.get("TMPDIR", "/tmp")) / "lmn-bench-results.json"
    results_file.write_text(
        json.dumps(
            {"run1": run1, "run2": run2, "uncached": uncached, "targets": t, "facts": facts},
            default=str,
        )
    )
    if not report["all_pass"]:
        log("some targets were missed: see docs/performance.md")


# ----- the report ------------------------------------------------------------------------


LABELS = [
    ("static_nginx", "Static file, nginx"),
    ("static_whitenoise", "Static file, WhiteNoise via gunicorn"),
    ("home_nginx", "Home page, nginx (micro-cached)"),
    ("blog_index_nginx", "Blog index, nginx (micro-cached)"),
    ("post_nginx", "Post, nginx (micro-cached)"),
    ("event_nginx", "Event page, nginx (micro-cached)"),
    ("post_gunicorn_uncached", "Post, gunicorn direct, page cache off"),
    ("post_gunicorn_app_cache", "Post, gunicorn direct, app caches on"),
    ("beacon_post", "View beacon POST, nginx"),
    ("registration_post", "Registration POST, nginx"),
]


def fmt_row(label, d):
    statuses = ", ".join(f"{k}: {v}" for k, v in sorted(d["statuses"].items()))
    if d["socket_errors"]:
        statuses += f"; socket errors: {d['socket_errors']}"
    return (
        f"| {label} | {d['rps']:.0f} | {d['p50_ms']:.1f} | {d['p99_ms']:.1f} | "
        f"{d['requests']} | {statuses} |"
    )


def build_report(run1, run2, mem1, mem2, uncached, t, facts, load_before, load_after, seed_s):
    r = run1
    checks = []

    def check(name, ok, detail):
        checks.append((name, ok, detail))

    static_rps = r["static_nginx"]["rps"]
    for page in ("home", "blog_index", "post", "event"):
        ratio = r[f"{page}_nginx"]["rps"] / static_rps
        bad = unexpected(r[f"{page}_nginx"])
        check(
            f"{page} via nginx >= 70% of nginx static rps",
            ratio >= 0.70 and bad == 0,
            f"{ratio:.0%} ({r[f'{page}_nginx']['rps']:.0f} / {static_rps:.0f} req/s; {bad} errors)",
        )
    wn = r["static_whitenoise"]["rps"]
    ratio = r["post_gunicorn_uncached"]["rps"] / wn
    check(
        "post, gunicorn, page cache off >= 8% of WhiteNoise static rps",
        ratio >= 0.08,
        f"{ratio:.1%} ({r['post_gunicorn_uncached']['rps']:.0f} / {wn:.0f} req/s)",
    )
    ratio = r["post_gunicorn_app_cache"]["rps"] / wn
    check(
        "post, gunicorn, app caches on >= 40% of WhiteNoise static rps",
        ratio >= 0.40,
        f"{ratio:.1%} ({r['post_gunicorn_app_cache']['rps']:.0f} / {wn:.0f} req/s)",
    )
    static_p99 = r["static_nginx"]["p99_ms"]
    whitenoise_p99 = r["static_whitenoise"]["p99_ms"]
    for name, ok_status in (("beacon_post", ("204",)), ("registration_post", ("200",))):
        d = r[name]
        errors = unexpected(d, ok_status)
        # Judged against nginx's static file (the stricter reference); the ratio to
        # the WhiteNoise file (a request that, like these posts, reaches gunicorn) is
        # shown beside it.
        detail = (
            f"{errors} errors, {d['lost']} lost, p99 {d['p99_ms']:.1f} ms vs "
            f"10 x {static_p99:.1f} ms = {10 * static_p99:.1f} ms "
            f"({d['p99_ms'] / static_p99:.0f}x nginx's static p99, "
            f"{d['p99_ms'] / whitenoise_p99:.1f}x WhiteNoise's)"
        )
        if name == "registration_post":
            detail += (
                f"; {d['stored']} stored as pending requests, {d['duplicates']} duplicated emails"
            )
        check(
            f"{name}: 0 errors, 0 lost, p99 <= 10x static p99",
            errors == 0
            and d["lost"] == 0
            and d.get("duplicates", 0) == 0
            and d["p99_ms"] <= 10 * static_p99,
            detail,
        )
    qd, ql = t["lmn_demo"]["queries"], t["lmn_large"]["queries"]
    for page in ("home", "blog_index", "post", "event"):
        same = qd[page]["cold"] == ql[page]["cold"] and qd[page]["warm"] == ql[page]["warm"]
        check(
            f"{page}: same SQL query count, demo vs large",
            same,
            f"cold {qd[page]['cold']} vs {ql[page]['cold']}, warm {qd[page]['warm']} vs "
            f"{ql[page]['warm']}",
        )
        d, lg = uncached["lmn_demo"][page]["p50_ms"], uncached["lmn_large"][page]["p50_ms"]
        growth = lg / d - 1
        check(
            f"{page}: uncached p50 latency grows < 25%, demo vs large",
            growth < 0.25,
            f"{d:.1f} ms -> {lg:.1f} ms ({growth:+.0%})",
        )
    worst_rss = max(v for inst in mem1.values() for v in inst.values() if v)
    check("gunicorn worker RSS after the run < 150 MB", worst_rss < 150, f"max {worst_rss:.0f} MB")
    growths = []
    for inst, workers in mem1.items():
        for pid, before in workers.items():
            after = mem2[inst].get(pid)
            if before and after:
                growths.append(after / before - 1)
    worst_growth = max(growths) if growths else float("nan")
    check(
        "worker RSS grows < 10% over a second identical run",
        worst_growth < 0.10,
        f"max growth {worst_growth:+.1%} over {len(growths)} workers",
    )
    all_pass = all(ok for _, ok, _ in checks)

    header = (
        "| Scenario | req/s | p50 ms | p99 ms | requests | statuses |\n"
        "|---|---:|---:|---:|---:|---|"
    )
    rows = "\n".join(fmt_row(label, r[key]) for key, label in LABELS)
    rows2 = "\n".join(fmt_row(label, run2[key]) for key, label in LABELS)
    ud, ul = uncached["lmn_demo"], uncached["lmn_large"]
    unc_rows = "\n".join(
        f"| {page} | {ud[page]['rps']:.0f} | {ud[page]['p50_ms']:.1f} | {ud[page]['p99_ms']:.1f} | "
        f"{ul[page]['rps']:.0f} | {ul[page]['p50_ms']:.1f} | {ul[page]['p99_ms']:.1f} | "
        f"{qd[page]['cold']}/{qd[page]['warm']} | {ql[page]['cold']}/{ql[page]['warm']} |"
        for page in ("home", "blog_index", "post", "event")
    )
    check_rows = "\n".join(
        f"| {name} | {'PASS' if ok else 'FAIL'} | {detail} |" for name, ok, detail in checks
    )
    mem_rows = "\n".join(
        f"| {inst} | {pid} | {mem1[inst][pid]:.1f} | {mem2[inst].get(pid) or 0:.1f} |"
        for inst in mem1
        for pid in mem1[inst]
        if mem1[inst][pid]
    )
    cache_lines = "\n".join(
        f"- {label}: {json.dumps(r[key]['cache'])}" for key, label in LABELS if r[key]["cache"]
    )
    unc_header = (
        "| Page | demo req/s | demo p50 ms | demo p99 ms | large req/s | large p50 ms "
        "| large p99 ms | queries demo | queries large |\n"
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|"
    )
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    table = f"{header}\n{rows}\n\n| Target | Result | Figures |\n|---|---|---|\n{check_rows}\n"
    markdown = f"""# Performance

Measured by `make bench` (bench/run.py) on {when}. Everything ran on one machine,
on 127.0.0.1 only: PostgreSQL 15, Redis, two gunicorn instances ({WORKERS} sync workers
each, `deploy/gunicorn.conf.py`) behind nginx (`deploy/nginx-site.conf.template`), a
third gunicorn instance with the page cache off for the uncached figures, and a
`db_worker`. Load came from `wrk` ({THREADS} threads, {CONNECTIONS} connections,
{SECONDS} s per scenario). The figures below are for the **large site**: the demo plus
10,000 posts, 100,000 comments, 500 events and 50,000 registrations, seeded in
{seed_s:.0f} s by bench/seed_large.py.

## Machine

- CPU: {facts["cpu"]}, `nproc` = {facts["nproc"]}; memory: {facts["memory_mb"]} MB
- Linux {facts["kernel"]}, Python {facts["python"]}, {facts["nginx"]}, {facts["redis"]},
  {facts["postgresql"]}
- Load average (1, 5, 15 min) before the run: {load_before[0]:.2f}, {load_before[1]:.2f},
  {load_before[2]:.2f}; after: {load_after[0]:.2f}, {load_after[1]:.2f}, {load_after[2]:.2f}.
  The machine is shared with other work (its 2 cores also ran other people's test
  suites), so the figures are lower and noisier than on a quiet server; the targets are
  ratios measured in the same run, which the shared load affects less.

## Results (first run)

{header}
{rows}

Each reader request carried its own User-Agent (so each is a different "visitor" for
the view counts and the per-visitor rate limit, as different people are), each
registration its own email address; POSTs sent `Origin` and
`Sec-Fetch-Site: same-origin` as browsers do.

Cache headers seen (nginx `X-Cache-Status` / app `X-Page-Cache`):
{cache_lines}

## Targets

| Target | Result | Figures |
|---|---|---|
{check_rows}

## Demo vs large site, uncached

Straight to a gunicorn instance with the page cache off (fragment caches on), at
{CONNECTIONS} connections; one instance per site, measured demo, large, large, demo and
each figure the mean of its two runs. Queries: SQL queries for one page view with an empty cache /
right after (fragments cached), counted with Django's test client.

{unc_header}
{unc_rows}

## Memory (gunicorn workers, RSS in MB)

Worker recycling (`max_requests`) was off for the benchmark so that a leak would show.

| Instance | Worker pid | After run 1 | After run 2 |
|---|---:|---:|---:|
{mem_rows}

## Second, identical run

{header}
{rows2}

## How to read this

- Micro-cache lifetime: nginx keeps anonymous pages for **4 seconds**; the app's page
  cache (LMN_PAGE_CACHE_SECONDS) for 3 and its listing fragments
  (LMN_LISTING_CACHE_SECONDS) for 3. A publish changes the content version in every app
  cache key, so it shows within nginx's 4 seconds; counts that change without a publish
  (views, approved comments, places left) show within 4 + 3 + 3 = **10 seconds at most**.
  Whoever posted a form gets the `lmn_fresh` cookie for 10 seconds and bypasses every
  cache: they see their change at once. See docs/deploy.md.
- Reproduce: `make bench` (about 10 minutes; `BENCH_SECONDS` changes the length of each
  scenario). The fault tests are `make chaos`, reported in docs/deploy.md.
"""
    return {"table": table, "markdown": markdown, "all_pass": all_pass}


if __name__ == "__main__":
    main()
