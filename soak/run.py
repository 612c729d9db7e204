"""`make soak`: a chaos test of submitting expressions of interest (EOIs).

Two app servers (gunicorn with gunicorn.conf.py, DEBUG off) share one PostgreSQL database of the soak's own
and one Redis; one mail worker (`manage.py mailworker`) sends the outbox to a fake mail server (soak/smtp.py).
Buyers (one thread and one logged-in session each) submit EOIs through the real shortlist form, alternating
between the two servers, while:

- a gunicorn worker is killed (SIGKILL) every few seconds, one master's then the other's;
- the mail server goes down, then hangs, then comes back;
- PostgreSQL is restarted once;
- /healthz of both servers is polled twice a second.

A request that fails (5xx, connection error, timeout) is sent again, the same form with the same idempotency
key, as a browser reload would, after a short back-off, up to a limit. At the end the outbox is drained, every
process stopped, and the database, the outbox and the mail server's inbox checked: every confirmed EOI stored
exactly once and whole, none duplicated, every email queued, sent and received exactly once. The report
(soak/results/) says how many requests failed and were retried, how long each outage lasted and which checks
passed; the exit status is 1 when any failed.

Standard library and the project's own dependencies; run it with the venv's Python
(`.venv/bin/python soak/run.py --help`). soak/README.md says how to read the report.
"""

import argparse
import html.parser
import http.client
import json
import os
import platform
import random
import re
import secrets
import shlex
import shutil
import signal
import statistics
import subprocess
import sys
import threading
import time
from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from urllib.parse import urlencode, urlsplit

SOAK_DIR = Path(__file__).resolve().parent
BASE_DIR = SOAK_DIR.parent
# Run as a script, only soak/ is on the path: the project (and bench/, whose helpers are reused) is one up.
if str(BASE_DIR) not in sys.path:
    sys.path.insert(0, str(BASE_DIR))

from bench import run as bench  # noqa: E402
from soak.smtp import FakeSMTPServer  # noqa: E402

DATA_DIR = SOAK_DIR / "data"
RESULTS_DIR = SOAK_DIR / "results"

HOST = "127.0.0.1"
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/hubcatalog_soak"
# A Redis database of its own: the catalogue's cache keys hold a version number that another database's
# catalogue could share.
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/7"
DEFAULT_PORTS = "8141,8142"
DEFAULT_SMTP_PORT = 8143
PG_CLUSTER = "15 main"  # Debian's name for the cluster (pg_lsclusters) that holds the soak database
# The worker's own options, shortened from its defaults (first retry after 15 s, doubling up to an hour) so
# that a run of a few minutes sees several retries and drains soon after the mail server is back.
MAILWORKER_ARGS = "--poll 1 --first-delay 2 --max-delay 10"

ORGANISATION = "Soak test procurement office"
COUNTRY = "DE"
USERNAME = "soak-buyer-{number}"

# The chaos, as fractions of the planned load duration: the mail server goes down, hangs, comes back; then,
# with the mail server up and the worker sending the backlog, PostgreSQL restarts once.
MAIL_DOWN_AT, MAIL_HANG_AT, MAIL_UP_AT = 0.15, 0.35, 0.55
DATABASE_RESTART_AT = 0.70
KILLS_FROM = 0.05

HEALTHZ_INTERVAL = 0.5
# A load balancer's usual health-check timeout: a poll unanswered for this long is a hang. Slower answers than
# SLOW_HEALTHZ are counted too: under full load /healthz waits behind the requests queued before it.
HEALTHZ_TIMEOUT = 5.0
SLOW_HEALTHZ = 2.0
# After PostgreSQL accepts connections again, the servers notice at their next request (the connection's
# health check reconnects): answers within this long still count as the outage's.
OUTAGE_GRACE_SECONDS = 3.0
RETRY_FIRST_SECONDS = 0.5  # a browser reload after a failure: soon, then less and less eagerly
RETRY_CAP_SECONDS = 5.0
RETRYABLE_STATUSES = frozenset({500, 502, 503, 504})
SUBMITTED_PATH = re.compile(r"^/interests/(EOI-\d{4}-\d{5,})/submitted/$")
REFERENCE = re.compile(r"EOI-\d{4}-\d{5,}")
# The snapshot a line keeps of its listing (interests.models.InterestLine.take_snapshot); the price may be
# empty (a listing without one), the others never.
SNAPSHOT_FIELDS = (
    "listed_quantity",
    "listed_quantity_unit",
    "listed_lead_time_weeks",
    "listed_licence_status",
    "listed_availability",
)


# Options


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="soak/run.py",
        description="Chaos test of EOI submission: two app servers, worker kills, a PostgreSQL restart, a "
        "mail server that goes down and hangs; then every EOI and email checked.",
    )
    default = " (default: %(default)s)"
    parser.add_argument("--eois", type=int, default=2000, help="EOIs to submit" + default)
    parser.add_argument("--clients", type=int, default=32, help="buyers submitting at once" + default)
    parser.add_argument(
        "--duration",
        type=float,
        help="seconds over which the EOIs are due and the chaos is planned (default: 0.06 s per EOI, at "
        "least 45)",
    )
    parser.add_argument(
        "--kill-interval", type=float, default=4.0, help="seconds between gunicorn worker kills" + default
    )
    parser.add_argument(
        "--database-url",
        default=os.environ.get("SOAK_DATABASE_URL") or DEFAULT_DATABASE_URL,
        help="the soak's PostgreSQL database, dropped and made anew; its name must contain 'soak' "
        "(default: SOAK_DATABASE_URL, else %(default)s)",
    )
    parser.add_argument(
        "--redis-url",
        default=os.environ.get("SOAK_REDIS_URL") or DEFAULT_REDIS_URL,
        help="shared cache and sessions (default: SOAK_REDIS_URL, else %(default)s)",
    )
    parser.add_argument("--ports", default=DEFAULT_PORTS, help="the two app servers' ports" + default)
    parser.add_argument(
        "--smtp-port", type=int, default=DEFAULT_SMTP_PORT, help="the fake mail server" + default
    )
    parser.add_argument(
        "--email-timeout",
        type=int,
        default=5,
        help="DJANGO_EMAIL_TIMEOUT: how long the worker waits for a hung mail server" + default,
    )
    parser.add_argument(
        "--mailworker-args", default=MAILWORKER_ARGS, help="options of manage.py mailworker" + default
    )
    parser.add_argument(
        "--request-timeout", type=float, default=10.0, help="a client's timeout per request" + default
    )
    parser.add_argument(
        "--max-attempts", type=int, default=10, help="tries per request before a client gives up" + default
    )
    parser.add_argument(
        "--drain-timeout",
        type=float,
        default=180.0,
        help="seconds to wait after the load for the outbox to empty" + default,
    )
    parser.add_argument(
        "--products", type=int, default=300, help="generate_catalogue --products for the data" + default
    )
    parser.add_argument(
        "--pg-cluster",
        default=PG_CLUSTER,
        help="the PostgreSQL cluster to restart, as pg_ctlcluster names it" + default,
    )
    parser.add_argument(
        "--database-down-seconds",
        type=float,
        default=5.0,
        help="how long PostgreSQL stays stopped in its restart; 0: a plain restart, which takes it away for "
        "well under a second" + default,
    )
    parser.add_argument(
        "--skip-database-restart",
        action="store_true",
        help="no PostgreSQL restart (to work on the harness without disturbing others' tests); the report "
        "says so",
    )
    parser.add_argument("--seed", type=int, help="seed of the clients' choices (default: new each run)")
    args = parser.parse_args(argv)
    for name in ("eois", "clients", "max_attempts", "products"):
        if getattr(args, name) < 1:
            parser.error(f"--{name.replace('_', '-')} must be at least 1")
    if args.duration is None:
        # 2,000 EOIs in two minutes, some 17 a second: most of what two cores serve, so that the clients
        # pile up behind every outage. Small runs get room for the chaos's phases all the same.
        args.duration = max(45.0, args.eois * 0.06)
    if args.duration < 10:
        parser.error("--duration must be at least 10 seconds: the chaos needs room")
    args.ports = [int(port) for port in args.ports.split(",")]
    if len(args.ports) != 2 or len(set(args.ports)) != 2:
        parser.error("--ports takes two different ports, e.g. 8141,8142")
    if args.seed is None:
        args.seed = secrets.randbelow(2**31)
    return args


def is_soak_database(database_url: str) -> bool:
    """Only a database named for the soak is dropped and rebuilt."""
    return bench.is_postgresql(database_url) and "soak" in bench.database_name(database_url).lower()


def soak_environment(args: argparse.Namespace, secret_key: str) -> dict[str, str]:
    """What the site, the worker and this process run with: production settings on plain HTTP, the soak's
    database, Redis and folders, email over SMTP to the fake server. Both servers share the secret key, so
    that a session made on one is good on the other."""
    return {
        "DJANGO_SETTINGS_MODULE": "hubcatalog.settings",
        "DATABASE_URL": args.database_url,
        "REDIS_URL": args.redis_url,
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": secret_key,
        "DJANGO_ALLOWED_HOSTS": HOST,
        "DJANGO_SECURE_COOKIES": "0",  # plain HTTP: a Secure cookie would never come back
        "DJANGO_SERVE_MEDIA": "1",
        "DJANGO_STATIC_ROOT": str(DATA_DIR / "static"),
        "DJANGO_MEDIA_ROOT": str(DATA_DIR / "media"),
        "DJANGO_DOCUMENTS_ROOT": str(DATA_DIR / "documents"),
        "DJANGO_EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "DJANGO_EMAIL_HOST": HOST,
        "DJANGO_EMAIL_PORT": str(args.smtp_port),
        "DJANGO_EMAIL_TIMEOUT": str(args.email_timeout),
        "DJANGO_EMAIL_USE_TLS": "0",
        "HUBCATALOG_SITE_URL": f"http://{HOST}:{args.ports[0]}",
        # Its buyers submit far faster than people do: the rate limits would refuse most of it.
        "HUBCATALOG_RATE_LIMITS": "0",
    }


# The plan: pure helpers


def due_times(eois: int, duration: float) -> list[float]:
    """When each EOI may start, in seconds from the start of the load: spread evenly over the duration, so
    that the chaos meets EOIs in flight however fast the site is. A client that falls behind (an outage)
    catches up at full speed."""
    return [number * duration / eois for number in range(eois)]


def products_for(number: int, pool: list[int]) -> list[int]:
    """One to three distinct products for EOI number `number` (as many as the pool allows), spread over the
    pool so that EOIs reach different hubs, and so different coordinators."""
    count = min(1 + number % 3, len(pool))
    start = (number * 7) % len(pool)
    stride = max(1, len(pool) // 3)  # three strides stay within the pool: the products are distinct
    return [pool[(start + offset * stride) % len(pool)] for offset in range(count)]


@dataclass
class ChaosEvent:
    at: float  # planned, seconds from the start of the load
    what: str  # "mail down", "mail hang", "mail up", "database restart"


def chaos_plan(duration: float, restart_database: bool) -> list[ChaosEvent]:
    events = [
        ChaosEvent(round(duration * MAIL_DOWN_AT, 1), "mail down"),
        ChaosEvent(round(duration * MAIL_HANG_AT, 1), "mail hang"),
        ChaosEvent(round(duration * MAIL_UP_AT, 1), "mail up"),
    ]
    if restart_database:
        events.append(ChaosEvent(round(duration * DATABASE_RESTART_AT, 1), "database restart"))
    return sorted(events, key=lambda event: event.at)


def retry_delay(attempt: int, retry_after: float | None, rng: random.Random) -> float:
    """Seconds to wait before attempt `attempt + 1`: doubling from RETRY_FIRST_SECONDS, at least what the
    server's Retry-After asks up to RETRY_CAP_SECONDS (a person reloading does not wait a minute), with some
    jitter so that the clients do not come back in step."""
    delay = min(RETRY_CAP_SECONDS, RETRY_FIRST_SECONDS * 2 ** (attempt - 1))
    if retry_after:
        delay = max(delay, min(retry_after, RETRY_CAP_SECONDS))
    return delay * rng.uniform(0.8, 1.2)


def parse_retry_after(value: str | None) -> float | None:
    if not value:
        return None
    try:
        return max(float(value.strip()), 0.0)
    except ValueError:
        return None  # an HTTP date: the back-off alone decides


# The shortlist page's form: pure helpers


class InterestFormParser(html.parser.HTMLParser):
    """The fields of the shortlist page's form (id "interest-form") as a browser would send them untouched:
    every input's value, the checked boxes and radio buttons, each select's selected option; and the
    options of each select, the values of each radio group."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found = False
        self.inside = False
        self.values: dict[str, str] = {}
        self.options: dict[str, list[str]] = {}
        self.radios: dict[str, list[str]] = {}
        self.select: str | None = None
        self.selected_seen = False
        self.textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        attributes = {name: value if value is not None else "" for name, value in attrs}
        if tag == "form" and attributes.get("id") == "interest-form":
            self.found = self.inside = True
            return
        if not self.inside:
            return
        name = attributes.get("name")
        if tag == "input" and name:
            kind = attributes.get("type", "text").lower()
            if kind == "radio":
                self.radios.setdefault(name, []).append(attributes.get("value", "on"))
                if "checked" in attributes:
                    self.values[name] = attributes.get("value", "on")
            elif kind == "checkbox":
                if "checked" in attributes:
                    self.values[name] = attributes.get("value", "on")
            elif kind not in ("submit", "button", "reset", "image", "file"):
                self.values[name] = attributes.get("value", "")
        elif tag == "select" and name:
            self.select = name
            self.options[name] = []
            self.selected_seen = False
        elif tag == "option" and self.select:
            value = attributes.get("value", "")
            options = self.options[self.select]
            options.append(value)
            selected = "selected" in attributes
            # A browser sends the selected option, or the first when none is.
            if selected or (len(options) == 1 and not self.selected_seen):
                self.values[self.select] = value
            self.selected_seen = self.selected_seen or selected
        elif tag == "textarea" and name:
            self.textarea = name
            self.values[name] = ""

    def handle_endtag(self, tag):
        if tag == "form" and self.inside:
            self.inside = False
        elif tag == "select":
            self.select = None
        elif tag == "textarea":
            self.textarea = None

    def handle_data(self, data):
        if self.textarea:
            self.values[self.textarea] += data


def parse_interest_form(page: str) -> InterestFormParser | None:
    parser = InterestFormParser()
    parser.feed(page)
    parser.close()
    return parser if parser.found else None


LINE_PRODUCT = re.compile(r"^lines-(\d+)-product$")


def fill_interest_form(form: InterestFormParser, *, products: list[int], number: int, today: date) -> dict:
    """The form as this EOI's buyer fills it in: the lines of `products` included (each at one of its hubs,
    chosen by the EOI's number), any other product left on the shortlist (by an EOI given up, or stored
    while its answer was lost) left out, and the EOI's own fields. Raises ValueError when a product is not
    on the form or has no hub to choose."""
    data = dict(form.values)
    wanted = set(products)
    seen = set()
    for name, value in form.values.items():
        match = LINE_PRODUCT.match(name)
        if not match:
            continue
        prefix = f"lines-{match.group(1)}-"
        product = int(value)
        if product not in wanted:
            data.pop(prefix + "include", None)
            continue
        seen.add(product)
        hubs = [option for option in form.options.get(prefix + "listing", []) if option]
        if not hubs:
            raise ValueError(f"product {product} has no hub to choose on the form")
        data[prefix + "include"] = "on"
        data[prefix + "listing"] = hubs[number % len(hubs)]
        data[prefix + "quantity"] = str(1 + number % 5)
        data[prefix + "delivery_from"] = (today + timedelta(days=30)).isoformat()
        data[prefix + "delivery_until"] = (today + timedelta(days=120)).isoformat()
    missing = wanted - seen
    if missing:
        raise ValueError(f"products {sorted(missing)} are not on the shortlist form")
    data.update(
        {
            "end_user": f"Soak test, EOI {number}, 3rd Territorial Defence Brigade",
            "intended_use": "evaluation",
            "end_user_certificate": "in_preparation",
            "financing": "national_budget",
            "contact_name": data.get("contact_name") or "Soak Buyer",
            "contact_phone": data.get("contact_phone") or "+49 30 5550 0000",
            "message": "Submitted by make soak.",
            "declaration_accepted": "on",
        }
    )
    if not data.get("idempotency_key"):
        raise ValueError("the form has no idempotency key")
    return data


# Requests and EOIs as the clients saw them


@dataclass
class RequestRecord:
    t: float  # when it was sent, seconds from the start of the load
    seconds: float
    client: int
    eoi: int
    step: str  # "add", "form" or "submit"
    port: int
    attempt: int
    status: int | None
    error: str | None  # "timeout" or "connection error: <exception>"
    outcome: str  # "ok", or what went wrong: "503", "500", "timeout", "connection error", "unexpected 400"
    retry_after: float | None = None


@dataclass
class EoiRecord:
    number: int
    client: int
    products: list[int]
    due: float
    key: str | None = None
    posts: int = 0  # submissions of the form (the first and the retries)
    outcome: str = "pending"  # "confirmed", "gave up", "stopped"
    reference: str | None = None
    reason: str = ""
    started: float | None = None
    finished: float | None = None


def request_outcome(status: int | None, error: str | None, expected: int) -> str:
    if error:
        return "timeout" if error == "timeout" else "connection error"
    if status == expected:
        return "ok"
    if status in RETRYABLE_STATUSES:
        return str(status)
    return f"unexpected {status}"


def is_retryable(outcome: str) -> bool:
    return outcome in ("timeout", "connection error") or outcome in {str(code) for code in RETRYABLE_STATUSES}


def error_name(error: BaseException) -> str:
    if isinstance(error, TimeoutError):
        return "timeout"
    return f"connection error: {type(error).__name__}"


# Processes


class AppServer:
    """One gunicorn master with gunicorn.conf.py, in a session of its own so that stopping it stops its
    workers too; its log (one line per request) in soak/results/."""

    def __init__(self, port: int, environment: dict[str, str]):
        self.port = port
        self.environment = {**environment, "GUNICORN_BIND": f"{HOST}:{port}"}
        self.log_path = RESULTS_DIR / f"gunicorn-{port}.log"
        self.process: subprocess.Popen | None = None
        self.log = None

    def start(self) -> None:
        self.log = self.log_path.open("wb")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "--config", "gunicorn.conf.py", "hubcatalog.wsgi"],
            cwd=BASE_DIR,
            env=self.environment,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def wait_until_ready(self, limit: float = 60) -> None:
        deadline = time.monotonic() + limit
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(
                    f"gunicorn on {self.port} exited ({self.process.returncode}):\n{self.log_tail()}"
                )
            try:
                if http_request(self.port, "GET", "/healthz", timeout=2)[0] == 200:
                    return
            except (OSError, http.client.HTTPException):
                pass
            time.sleep(0.2)
        raise SystemExit(
            f"/healthz on {self.port} did not answer 200 within {limit:.0f} s:\n{self.log_tail()}"
        )

    def workers(self) -> list[int]:
        """The master's worker processes, now."""
        table = bench.process_table()
        return sorted(pid for pid, row in table.items() if row[0] == self.process.pid)

    def log_tail(self, lines: int = 30) -> str:
        if self.log:
            self.log.flush()
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])

    def stop(self) -> None:
        stop_process_group(self.process, grace=30)
        if self.log:
            self.log.close()


class MailWorker:
    """`manage.py mailworker`, kept running as a supervisor would: if it exits, that is recorded and it is
    started again (unless it keeps exiting at once, which means it cannot run at all)."""

    def __init__(self, arguments: list[str], environment: dict[str, str], clock):
        self.command = [sys.executable, "manage.py", "mailworker", *arguments]
        self.environment = environment
        self.clock = clock
        self.log_path = RESULTS_DIR / "mailworker.log"
        self.process: subprocess.Popen | None = None
        self.log = None
        self.exits: list[dict] = []  # {"t", "status", "ran_seconds"}
        self.gave_up = False
        self.stopping = threading.Event()
        self.thread: threading.Thread | None = None
        self.started_at = 0.0

    def start(self) -> None:
        self.log = self.log_path.open("wb")
        self._spawn()
        self.thread = threading.Thread(target=self._supervise, name="mailworker-supervisor", daemon=True)
        self.thread.start()

    def _spawn(self) -> None:
        self.started_at = time.monotonic()
        self.process = subprocess.Popen(
            self.command,
            cwd=BASE_DIR,
            env=self.environment,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def _supervise(self) -> None:
        quick_exits = 0
        while not self.stopping.wait(0.5):
            status = self.process.poll()
            if status is None:
                continue
            ran = time.monotonic() - self.started_at
            self.exits.append({"t": round(self.clock(), 2), "status": status, "ran_seconds": round(ran, 1)})
            quick_exits = quick_exits + 1 if ran < 3 else 0
            if quick_exits >= 3:
                self.gave_up = True  # it cannot even start: the report says so
                return
            time.sleep(1)
            if not self.stopping.is_set():
                self._spawn()

    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def stop(self) -> None:
        self.stopping.set()
        if self.thread:
            self.thread.join(timeout=5)
        stop_process_group(self.process, grace=15)
        if self.log:
            self.log.close()


def stop_process_group(process: subprocess.Popen | None, grace: float) -> None:
    if process is None or process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    except ProcessLookupError:
        pass


def http_request(port: int, method: str, path: str, *, timeout: float, headers=None, body: str | None = None):
    """(status, headers, body) of one request on a connection of its own (a killed worker breaks only the
    connections it held)."""
    connection = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.headers, response.read()
    finally:
        connection.close()


class PostgreSQL:
    """The cluster the soak database lives in: restarted once, watched with pg_isready."""

    def __init__(self, database_url: str, cluster: str, down_seconds: float):
        import dj_database_url

        config = dj_database_url.parse(database_url)
        self.host = config.get("HOST") or "127.0.0.1"
        self.port = str(config.get("PORT") or 5432)
        self.control = ["pg_ctlcluster", "--skip-systemctl-redirect", *cluster.split()]
        self.down_seconds = down_seconds

    def ready(self) -> bool:
        completed = subprocess.run(
            ["pg_isready", "-q", "-h", self.host, "-p", self.port, "-t", "1"], capture_output=True
        )
        return completed.returncode == 0

    def restart_script(self) -> str:
        """A plain restart takes PostgreSQL away for a fraction of a second, which a poll every half second
        may not even see; stopping it for a few seconds lets the outage be seen, retried and measured."""
        control = shlex.join(self.control)
        if self.down_seconds <= 0:
            return f"{control} restart"
        return f"{control} stop; sleep {self.down_seconds:g}; {control} start"

    def restart(self, clock) -> dict:
        """Restart the cluster and return once it accepts connections again, with the times (from `clock`)
        of the command, of the first and last failed pg_isready, and of the first success after them.

        The script runs in a session of its own: if this process dies meanwhile, PostgreSQL is still
        started again (others use the cluster too)."""
        started = clock()
        process = subprocess.Popen(
            ["sh", "-c", self.restart_script()],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        first_down = last_down = up_since = ready = finished = None
        deadline = time.monotonic() + self.down_seconds + 120
        while time.monotonic() < deadline:
            if finished is None and process.poll() is not None:
                finished = clock()
            up = self.ready()
            now = clock()
            if not up:
                first_down = first_down or now
                last_down, up_since = now, None
                time.sleep(0.05)
                continue
            up_since = up_since or now
            # Accepting connections again, and for good once the script has ended (pg_ctl returns a moment
            # after the server is up).
            if finished is not None:
                ready = up_since
                break
            time.sleep(0.05)
        output = process.communicate()[0].decode(errors="replace") if process.poll() is not None else ""
        return {
            "script": self.restart_script(),
            "started": round(started, 2),
            "command_finished": None if finished is None else round(finished, 2),
            "command_status": process.returncode,
            "command_output": output.strip()[-500:],
            "first_unreachable": None if first_down is None else round(first_down, 2),
            "last_unreachable": None if last_down is None else round(last_down, 2),
            "ready": None if ready is None else round(ready, 2),
        }

    def ensure_running(self) -> bool:
        """Never leave PostgreSQL stopped: start it if it does not answer."""
        for _attempt in range(50):
            if self.ready():
                return True
            time.sleep(0.2)
        print("!! PostgreSQL does not answer: starting it", flush=True)
        subprocess.run([*self.control, "start"], check=False)
        return self.ready()


# The data


def prepare_database(args: argparse.Namespace) -> None:
    """The soak's own database, made anew: migrated, a generated catalogue (hubs with a coordinator each,
    listings offered to the buyers' country), the demo accounts; static files collected for DEBUG off."""
    bench.create_postgresql_database(args.database_url, fresh=True)
    for folder in ("media", "documents"):
        shutil.rmtree(DATA_DIR / folder, ignore_errors=True)
    bench.manage("migrate", "--noinput", "--verbosity", "0")
    bench.manage("generate_catalogue", "--products", str(args.products), "--quiet")
    # After the generator, so that the demo coordinator gets a hub: a hub with two coordinators.
    bench.manage("seed_demo", "--force", quiet=True)
    bench.manage("collectstatic", "--noinput", "--verbosity", "0")


def prepare_buyers(count: int) -> tuple[list[tuple[str, str]], int]:
    """`count` buyers of the soak's own approved organisation, one per client, sharing one new password
    (hashed once: hashing is slow by design). Returns their (username, password) and the organisation's id."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password

    from partners.models import Buyer, PartnerOrganisation

    organisation, _created = PartnerOrganisation.objects.named(ORGANISATION, COUNTRY).get_or_create(
        defaults={
            "name": ORGANISATION,
            "country": COUNTRY,
            "kind": PartnerOrganisation.Kind.PROCUREMENT_AGENCY,
        }
    )
    if organisation.vetting_status != PartnerOrganisation.VettingStatus.APPROVED:
        organisation.set_vetting_status(PartnerOrganisation.VettingStatus.APPROVED)
    password = secrets.token_urlsafe(18)
    hashed = make_password(password)
    accounts = []
    for number in range(1, count + 1):
        username = USERNAME.format(number=number)
        user, _created = get_user_model().objects.update_or_create(
            username=username,
            defaults={
                "email": f"{username}@partners.example",
                "first_name": "Soak",
                "last_name": f"Buyer {number}",
                "password": hashed,
                "is_active": True,
            },
        )
        Buyer.objects.update_or_create(
            user=user,
            defaults={"organisation": organisation, "job_title": "Load test", "phone": "+49 30 555"},
        )
        accounts.append((username, password))
    return accounts, organisation.pk


def eligible_products(organisation_id: int) -> list[int]:
    from interests.submission import eligible_listings
    from partners.models import PartnerOrganisation

    organisation = PartnerOrganisation.objects.get(pk=organisation_id)
    return sorted(set(eligible_listings(organisation).values_list("product_id", flat=True)))


# The load


class Buyer:
    """One client: a buyer's browser with its own session, alternating between the two servers request by
    request (as a load balancer would send them), submitting EOIs one after another."""

    def __init__(self, soak: "Soak", number: int, username: str, password: str):
        self.soak = soak
        self.number = number
        self.username = username
        self.password = password
        self.cookies: dict[str, str] = {}
        self.turn = number  # which server the next request goes to
        self.rng = random.Random(soak.args.seed * 1000 + number)

    # HTTP

    def cookie_header(self) -> str:
        return "; ".join(f"{name}={value}" for name, value in sorted(self.cookies.items()))

    def send(self, method: str, path: str, body: str | None = None) -> tuple[int, int, object, bytes]:
        """(port, status, headers, body); raises OSError or HTTPException when the request fails."""
        port = self.soak.ports[self.turn % 2]
        self.turn += 1
        headers = {"Cookie": self.cookie_header()} if self.cookies else {}
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        status, answer_headers, content = http_request(
            port, method, path, timeout=self.soak.args.request_timeout, headers=headers, body=body
        )
        self.keep_cookies(answer_headers)
        return port, status, answer_headers, content

    def keep_cookies(self, headers) -> None:
        """The session and CSRF cookies only: the messages cookie would pile up messages nobody reads."""
        from http.cookies import SimpleCookie

        for header in headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                if name not in self.soak.cookie_names:
                    continue
                if morsel["max-age"] == "0" or morsel.value == "":
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value

    def log_in(self) -> None:
        """Before the load and its chaos: a failure here stops the soak."""
        self.send("GET", "/accounts/login/")
        form = {
            "csrfmiddlewaretoken": self.cookies.get(self.soak.cookie_names[1], ""),
            "username": self.username,
            "password": self.password,
            "next": "/interests/shortlist/",
        }
        _port, status, headers, _body = self.send("POST", "/accounts/login/", urlencode(form))
        if status != 302 or "/accounts/login/" in headers.get("Location", ""):
            raise SystemExit(f"Logging in as {self.username} failed: {status} {headers.get('Location', '')}")

    # One step, tried again on failure

    def step(self, eoi: EoiRecord, step: str, method: str, path: str, expected: int, body: str | None = None):
        """Send one request until it gets an answer that is not a failure worth retrying (5xx, connection
        error, timeout), at most --max-attempts times. Returns (outcome, status, headers, body) of the
        last attempt; outcome "stopped" when the soak ended meanwhile."""
        args = self.soak.args
        outcome, status, headers, content = "stopped", None, None, b""
        for attempt in range(1, args.max_attempts + 1):
            if self.soak.stop_clients.is_set():
                return "stopped", status, headers, content
            sent = self.soak.clock()
            error = None
            port = self.soak.ports[self.turn % 2]
            try:
                port, status, headers, content = self.send(method, path, body)
            except (OSError, http.client.HTTPException) as exception:
                error, status, headers, content = error_name(exception), None, None, b""
            outcome = request_outcome(status, error, expected)
            retry_after = parse_retry_after(headers.get("Retry-After")) if headers else None
            self.soak.record_request(
                RequestRecord(
                    t=round(sent, 3),
                    seconds=round(self.soak.clock() - sent, 4),
                    client=self.number,
                    eoi=eoi.number,
                    step=step,
                    port=port,
                    attempt=attempt,
                    status=status,
                    error=error,
                    outcome=outcome,
                    retry_after=retry_after,
                ),
                has_retry_after=bool(headers and headers.get("Retry-After")),
                body=content if status in RETRYABLE_STATUSES else b"",
            )
            if step == "submit":
                eoi.posts = attempt
            if not is_retryable(outcome) or attempt == args.max_attempts:
                break
            if self.soak.stop_clients.wait(retry_delay(attempt, retry_after, self.rng)):
                return "stopped", status, headers, content
        return outcome, status, headers, content

    # One EOI

    def submit(self, eoi: EoiRecord) -> None:
        eoi.started = round(self.soak.clock(), 3)
        try:
            self._submit(eoi)
        finally:
            eoi.finished = round(self.soak.clock(), 3)

    def _submit(self, eoi: EoiRecord) -> None:
        csrf = self.cookies.get(self.soak.cookie_names[1], "")
        for product in eoi.products:
            form = {"csrfmiddlewaretoken": csrf, "product": product, "next": "/interests/shortlist/"}
            outcome, _status, headers, _body = self.step(
                eoi, "add", "POST", "/interests/shortlist/add/", 302, urlencode(form)
            )
            if outcome == "ok" and urlsplit(headers.get("Location", "")).path != "/interests/shortlist/":
                outcome = f"redirected to {headers.get('Location')}"
            if outcome != "ok":
                return self.give_up(eoi, f"add: {outcome}")
        outcome, _status, _headers, content = self.step(eoi, "form", "GET", "/interests/shortlist/", 200)
        if outcome != "ok":
            return self.give_up(eoi, f"form: {outcome}")
        form = parse_interest_form(content.decode("utf-8", "replace"))
        if form is None:
            return self.give_up(eoi, "form: no EOI form on the shortlist page")
        try:
            data = fill_interest_form(form, products=eoi.products, number=eoi.number, today=self.soak.today)
        except ValueError as error:
            return self.give_up(eoi, f"form: {error}")
        eoi.key = data["idempotency_key"]
        outcome, status, headers, content = self.step(
            eoi, "submit", "POST", "/interests/shortlist/", 302, urlencode(data)
        )
        location = urlsplit(headers.get("Location", "")).path if headers else ""
        confirmed = SUBMITTED_PATH.match(location) if outcome == "ok" else None
        if confirmed:
            eoi.outcome, eoi.reference = "confirmed", confirmed.group(1)
            return None
        if outcome == "ok":
            outcome = f"redirected to {location}"
        elif status == 400:
            outcome += ": " + bench.form_errors(content)[:300]
        return self.give_up(eoi, f"submit: {outcome}")

    def give_up(self, eoi: EoiRecord, reason: str) -> None:
        eoi.outcome = "stopped" if reason.endswith("stopped") else "gave up"
        eoi.reason = reason

    def run(self) -> None:
        while (eoi := self.soak.next_eoi(self.number)) is not None:
            wait = eoi.due - self.soak.clock()
            if wait > 0 and self.soak.stop_clients.wait(wait):
                eoi.outcome, eoi.reason = "stopped", "the soak ended before it was due"
                return
            self.submit(eoi)


class Soak:
    """The load and its chaos, from the start of the load (time 0 of every figure) to the drained outbox."""

    def __init__(self, args, accounts, pool, servers, smtp, postgresql):
        from django.conf import settings

        self.args = args
        self.ports = [server.port for server in servers]
        self.servers = servers
        self.smtp = smtp
        self.postgresql = postgresql
        self.cookie_names = (settings.SESSION_COOKIE_NAME, settings.CSRF_COOKIE_NAME)
        self.today = datetime.now(UTC).date()
        self.started = time.monotonic()
        self.lock = threading.Lock()
        self.stop_clients = threading.Event()
        self.stop_watching = threading.Event()
        self.eois = [
            EoiRecord(number=number, client=0, products=products_for(number, pool), due=due)
            for number, due in enumerate(due_times(args.eois, args.duration))
        ]
        self.next_number = 0
        self.requests: list[RequestRecord] = []
        self.missing_retry_after = 0
        self.error_pages: Counter[str] = Counter()
        self.healthz: list[dict] = []
        self.kills: list[dict] = []
        self.events: list[dict] = []  # what the chaos did, when
        self.database_restart: dict | None = None
        self.restart_thread: threading.Thread | None = None
        self.chaos_rng = random.Random(args.seed)
        self.watchers: list[threading.Thread] = []
        self.buyers = [Buyer(self, number, *account) for number, account in enumerate(accounts, start=1)]
        self.load_finished: float | None = None

    def clock(self) -> float:
        return time.monotonic() - self.started

    def next_eoi(self, client: int) -> EoiRecord | None:
        with self.lock:
            if self.next_number >= len(self.eois) or self.stop_clients.is_set():
                return None
            eoi = self.eois[self.next_number]
            self.next_number += 1
        eoi.client = client
        return eoi

    def record_request(self, record: RequestRecord, *, has_retry_after: bool, body: bytes) -> None:
        with self.lock:
            self.requests.append(record)
            if record.status == 503 and not has_retry_after:
                self.missing_retry_after += 1
            if body:
                # What a failing page says, in short: a traceback would show here (it must not, DEBUG off).
                text = re.sub(r"<[^>]+>|\s+", " ", body.decode("utf-8", "replace")).strip()
                self.error_pages[f"{record.status}: {text[:160]}"] += 1

    def event(self, what: str, **details) -> None:
        entry = {"t": round(self.clock(), 2), "what": what, **details}
        with self.lock:
            self.events.append(entry)
        print(f"   t={entry['t']:7.1f} s  {what} {json.dumps(details) if details else ''}", flush=True)

    # Watching /healthz

    def poll_healthz(self, port: int) -> None:
        while not self.stop_watching.is_set():
            sent = self.clock()
            status, error = None, None
            try:
                status = http_request(port, "GET", "/healthz", timeout=HEALTHZ_TIMEOUT)[0]
            except (OSError, http.client.HTTPException) as exception:
                error = error_name(exception)
            seconds = self.clock() - sent
            with self.lock:
                self.healthz.append(
                    {
                        "t": round(sent, 3),
                        "seconds": round(seconds, 4),
                        "port": port,
                        "status": status,
                        "error": error,
                    }
                )
            self.stop_watching.wait(max(HEALTHZ_INTERVAL - seconds, 0.05))

    # The chaos

    def kill_a_worker(self, server: AppServer) -> None:
        workers = server.workers()
        if not workers:
            return  # all of them being replaced right now
        pid = self.chaos_rng.choice(workers)
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            return
        with self.lock:
            self.kills.append({"t": round(self.clock(), 3), "port": server.port, "pid": pid})

    def run_chaos(self, plan: list[ChaosEvent]) -> None:
        """Kill a worker every --kill-interval seconds while the clients run, alternating servers, and carry
        out the planned events at their times (all of them, even if the clients finished first)."""
        pending = list(plan)
        next_kill = self.args.duration * KILLS_FROM
        turn = 0
        while pending or self.load_finished is None:
            now = self.clock()
            if pending and pending[0].at <= now:
                self.carry_out(pending.pop(0))
                continue
            if self.load_finished is None and next_kill <= now:
                self.kill_a_worker(self.servers[turn % 2])
                turn += 1
                next_kill += self.args.kill_interval
                continue
            wake = min(
                [event.at for event in pending[:1]] + ([next_kill] if self.load_finished is None else [])
            )
            self.stop_watching.wait(min(max(wake - now, 0.01), 0.2))
            if self.stop_watching.is_set():
                break
        if self.restart_thread:
            self.restart_thread.join()

    def carry_out(self, event: ChaosEvent) -> None:
        if event.what.startswith("mail "):
            mode = event.what.removeprefix("mail ")
            self.smtp.set_mode(mode)
            self.event(event.what, planned=event.at)
        elif event.what == "database restart":
            # In a thread of its own, so that workers go on being killed during the outage.
            self.event("database restart: command sent", planned=event.at)
            self.restart_thread = threading.Thread(target=self.restart_database, name="restart", daemon=True)
            self.restart_thread.start()

    def restart_database(self) -> None:
        self.database_restart = self.postgresql.restart(self.clock)
        self.event("database restart: PostgreSQL accepts connections", **self.database_restart)

    # The whole load

    def log_in_everyone(self) -> None:
        with ThreadPoolExecutor(max_workers=min(8, len(self.buyers))) as pool:
            list(pool.map(lambda buyer: buyer.log_in(), self.buyers))

    def run(self, plan: list[ChaosEvent]) -> None:
        self.started = time.monotonic()
        self.watchers = [
            threading.Thread(target=self.poll_healthz, args=(port,), name=f"healthz-{port}", daemon=True)
            for port in self.ports
        ]
        chaos = threading.Thread(target=self.run_chaos, args=(plan,), name="chaos", daemon=True)
        for thread in [*self.watchers, chaos]:
            thread.start()
        # A hard stop, far beyond what an outage costs: a client stuck longer than this is a finding too.
        deadline = threading.Timer(self.args.duration * 2 + 120, self.stop_clients.set)
        deadline.daemon = True
        deadline.start()
        try:
            with ThreadPoolExecutor(max_workers=len(self.buyers), thread_name_prefix="buyer") as pool:
                futures = [pool.submit(buyer.run) for buyer in self.buyers]
                for future in futures:
                    future.result()
        except BaseException:
            # Interrupted (Ctrl-C, a signal, a bug): no more chaos, in particular no database restart.
            self.stop_clients.set()
            self.stop_watching.set()
            raise
        finally:
            deadline.cancel()
            self.load_finished = self.clock()
            self.event("load finished")
            for eoi in self.eois:
                if eoi.outcome == "pending":
                    eoi.outcome, eoi.reason = "stopped", "the soak ended before it was due"
        chaos.join()

    def stop_watchers(self) -> None:
        self.stop_watching.set()
        for thread in self.watchers:
            thread.join(timeout=HEALTHZ_TIMEOUT + 1)


# What the database and the outbox hold: read with the ORM after the load


def stored_interests(organisation_id: int) -> list[dict]:
    """The soak organisation's EOIs as plain data: reference, key, buyer's email, lines with their snapshot
    and their listing's product and hub, history."""
    from interests.models import ExpressionOfInterest

    interests = (
        ExpressionOfInterest.objects.filter(organisation_id=organisation_id)
        .select_related("submitted_by")
        .prefetch_related("lines__listing", "history")
        .order_by("pk")
    )
    rows = []
    for interest in interests:
        rows.append(
            {
                "pk": interest.pk,
                "reference": interest.reference,
                "key": str(interest.idempotency_key),
                "buyer_email": interest.submitted_by.email,
                "lines": [
                    {
                        "product": line.product_id,
                        "hub": line.hub_id,
                        "listing_product": line.listing.product_id,
                        "listing_hub": line.listing.hub_id,
                        **{name: getattr(line, name) for name in SNAPSHOT_FIELDS},
                    }
                    for line in interest.lines.all()
                ],
                "history": [
                    {"from": change.from_status, "to": change.to_status} for change in interest.history.all()
                ],
            }
        )
    return rows


def coordinator_emails() -> dict[int, set[str]]:
    """hub id → the emails of its active coordinators that have one, as interests.notifications picks them."""
    from django.contrib.auth import get_user_model

    found: dict[int, set[str]] = defaultdict(set)
    rows = (
        get_user_model()
        .objects.filter(coordinated_hubs__isnull=False, is_active=True)
        .exclude(email="")
        .values_list("coordinated_hubs", "email")
    )
    for hub, email in rows:
        found[hub].add(email)
    return dict(found)


def read_outbox() -> dict:
    """The outbox in one consistent snapshot (REPEATABLE READ): the worker moves a message from the queue to
    the log in one transaction, and two separate reads could see it in both places or in neither."""
    from django.db import connection, transaction
    from mailer.models import RESULT_FAILURE, RESULT_SUCCESS, Message, MessageLog

    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        queued = [
            {"subject": message.subject, "to": list(message.to_addresses), "deferred": message.priority == 4}
            for message in Message.objects.order_by("pk")
        ]
        sent = [
            {"subject": log.subject or "", "to": list(log.to_addresses or []), "message_id": log.message_id}
            for log in MessageLog.objects.filter(result=RESULT_SUCCESS).order_by("pk")
        ]
        failures = list(
            MessageLog.objects.filter(result=RESULT_FAILURE).values_list("log_message", flat=True)
        )
    return {"queued": queued, "sent": sent, "failures": failures}


def wait_for_empty_outbox(limit: float, clock, hopeless) -> tuple[float | None, int]:
    """Wait until the outbox (queued and deferred alike) is empty, or `limit` seconds, or until `hopeless()`
    (no mail worker runs); returns (when, in `clock` time, or None if it did not empty; what was left)."""
    from django.db import DatabaseError, connection
    from mailer.models import Message

    deadline = time.monotonic() + limit
    left = -1
    while time.monotonic() < deadline:
        try:
            left = Message.objects.count()
        except DatabaseError:
            connection.close()
            left = -1
        if left == 0:
            return clock(), 0
        if hopeless():
            break
        time.sleep(0.5)
    return None, left


# Checks: pure helpers


def interest_problems(row: dict, products: list[int] | None) -> list[str]:
    """What is wrong with one stored EOI: it must have its reference, its lines (the products its client
    submitted, when known) with their listing snapshot, and one first history row "submitted"."""
    problems = []
    if not row["reference"]:
        problems.append("no reference")
    if not row["lines"]:
        problems.append("no lines")
    elif products is not None and sorted(line["product"] for line in row["lines"]) != sorted(products):
        problems.append(
            f"lines for products {sorted(line['product'] for line in row['lines'])}, not {sorted(products)}"
        )
    for line in row["lines"]:
        empty = [name for name in SNAPSHOT_FIELDS if line[name] in (None, "")]
        if empty:
            problems.append(f"a line without its snapshot ({', '.join(empty)})")
        if (line["product"], line["hub"]) != (line["listing_product"], line["listing_hub"]):
            problems.append("a line whose product or hub is not its listing's")
    history = row["history"]
    if not history:
        problems.append("no history")
    elif (history[0]["from"], history[0]["to"]) != ("", "submitted"):
        problems.append(f"first history row {history[0]['from'] or '—'} → {history[0]['to']}")
    if sum(1 for change in history if change["to"] == "submitted") > 1:
        problems.append("more than one 'submitted' history row")
    return problems


def check_interests(eois: list[EoiRecord], stored: list[dict]) -> dict:
    """Compare what the clients were told with what the database holds."""
    by_key = {eoi.key: eoi for eoi in eois if eoi.key}
    stored_by_key: dict[str, list[dict]] = defaultdict(list)
    for row in stored:
        stored_by_key[row["key"]].append(row)
    references = Counter(row["reference"] for row in stored)
    result = {
        "missing": [],  # confirmed, not stored
        "wrong_reference": [],  # confirmed as one reference, stored as another
        "duplicated": [],  # a key or reference stored more than once
        "half_written": [],  # stored, but not whole
        "unknown": [],  # stored under a key no client sent
        "stored_unconfirmed": [],  # stored, but its client was never told
    }
    for eoi in eois:
        if eoi.outcome != "confirmed":
            continue
        rows = stored_by_key.get(eoi.key, [])
        if not rows:
            result["missing"].append({"eoi": eoi.number, "reference": eoi.reference, "key": eoi.key})
        elif rows[0]["reference"] != eoi.reference:
            result["wrong_reference"].append(
                {"eoi": eoi.number, "confirmed": eoi.reference, "stored": rows[0]["reference"]}
            )
    for key, rows in stored_by_key.items():
        if len(rows) > 1:
            result["duplicated"].append({"key": key, "references": [row["reference"] for row in rows]})
    for reference, count in references.items():
        if count > 1:
            result["duplicated"].append({"reference": reference, "stored": count})
    for row in stored:
        eoi = by_key.get(row["key"])
        problems = interest_problems(row, eoi.products if eoi else None)
        if problems:
            result["half_written"].append({"reference": row["reference"], "problems": problems})
        if eoi is None:
            result["unknown"].append({"reference": row["reference"], "key": row["key"]})
        elif eoi.outcome != "confirmed":
            result["stored_unconfirmed"].append(
                {
                    "reference": row["reference"],
                    "eoi": eoi.number,
                    "outcome": eoi.outcome,
                    "reason": eoi.reason,
                }
            )
    return result


def expected_emails(stored: list[dict], coordinators: dict[int, set[str]]) -> set[tuple[str, str]]:
    """(reference, recipient) of every email an EOI should cause: one to its buyer, one to each distinct
    coordinator (with an email) of the hubs of its lines."""
    expected = set()
    for row in stored:
        if row["buyer_email"]:
            expected.add((row["reference"], row["buyer_email"]))
        for hub in {line["hub"] for line in row["lines"]}:
            for email in coordinators.get(hub, ()):
                expected.add((row["reference"], email))
    return expected


def email_pairs(messages: list[dict], references: set[str]) -> Counter:
    """How often each (reference, recipient) occurs among messages (dicts with a subject and recipients
    under "to" or "rcpt_to"), counting only the EOIs in `references`."""
    counted: Counter = Counter()
    for message in messages:
        found = REFERENCE.search(message.get("subject") or "")
        if not found or found.group() not in references:
            continue
        for recipient in message.get("rcpt_to") or message.get("to") or []:
            counted[(found.group(), recipient.strip().lower())] += 1
    return counted


def compare_emails(expected: set[tuple[str, str]], counted: Counter) -> dict:
    expected = {(reference, recipient.lower()) for reference, recipient in expected}
    return {
        "expected": len(expected),
        "missing": sorted(pair for pair in expected if counted.get(pair, 0) == 0),
        "duplicated": sorted(
            (pair, count) for pair, count in counted.items() if count > 1 and pair in expected
        ),
        "unexpected": sorted(pair for pair in counted if pair not in expected),
    }


def emails_ok(comparison: dict) -> bool:
    return not (comparison["missing"] or comparison["duplicated"] or comparison["unexpected"])


def message_id_problems(sent: list[dict], received: list[dict], references: set[str]) -> dict:
    """Match the log's Message-IDs with the mail server's: each email logged as sent arrived once, and
    nothing arrived that the log does not hold (an email sent twice gets a new Message-ID each time)."""

    def ours(message):
        found = REFERENCE.search(message.get("subject") or "")
        return found and found.group() in references

    logged = Counter(message["message_id"] for message in sent if ours(message) and message["message_id"])
    arrived = Counter(message["message_id"] for message in received if ours(message))
    return {
        "logged_not_received": sorted(message_id for message_id in logged if message_id not in arrived),
        "received_not_logged": sorted(message_id for message_id in arrived if message_id not in logged),
        "received_twice": sorted(message_id for message_id, count in arrived.items() if count > 1),
    }


def outage_window(restart: dict | None, grace: float) -> tuple[float, float] | None:
    """The database outage, in load time: from the restart command until PostgreSQL accepts connections,
    plus `grace` for the servers to notice (their next request's health check reconnects)."""
    if not restart or restart.get("ready") is None:
        return None
    return restart["started"], restart["ready"] + grace


def explained_by_kill(poll: dict, kills: list[dict]) -> bool:
    """A connection broken by a worker that the chaos killed while it held it: the chaos's doing."""
    if not (poll.get("error") or "").startswith("connection error"):
        return False
    start, end = poll["t"] - 0.05, poll["t"] + poll["seconds"] + 0.05
    return any(kill["port"] == poll["port"] and start <= kill["t"] <= end for kill in kills)


def check_healthz(polls: list[dict], window: tuple[float, float] | None, kills: list[dict]) -> dict:
    """/healthz must answer 200 throughout, apart from the database outage (where 503 is the answer)."""
    outside_failures, killed, during = [], [], Counter()
    for poll in polls:
        inside = overlaps(poll["t"], poll["seconds"], window)
        kind = "200" if poll["status"] == 200 else (poll["error"] or str(poll["status"]))
        if kind.startswith("connection error"):
            kind = "connection error"
        if inside:
            during[kind] += 1
            continue
        if kind == "200":
            continue
        if explained_by_kill(poll, kills):
            killed.append(poll)
        else:
            outside_failures.append(poll)
    latencies = [poll["seconds"] for poll in polls if poll["status"] == 200]
    return {
        "polls": len(polls),
        "slow_polls": sum(1 for poll in polls if poll["seconds"] > SLOW_HEALTHZ),
        "failures_outside_outage": outside_failures,
        "broken_by_worker_kills": killed,
        "during_outage": dict(during),
        "latency_ms": {
            "p50": round(1000 * bench.percentile(latencies, 50), 1) if latencies else None,
            "p99": round(1000 * bench.percentile(latencies, 99), 1) if latencies else None,
            "max": round(1000 * max(latencies), 1) if latencies else None,
        },
    }


def healthz_recovery(polls: list[dict], ready: float | None, ports: list[int]) -> dict[int, float | None]:
    """Per server: when /healthz first answered 200 again after PostgreSQL was ready (load time)."""
    found: dict[int, float | None] = {}
    for port in ports:
        back = [
            poll["t"] + poll["seconds"] for poll in polls if poll["port"] == port and poll["status"] == 200
        ]
        after = [t for t in back if ready is not None and t >= ready]
        found[port] = round(min(after), 2) if after else None
    return found


def summarise_requests(requests: list[RequestRecord]) -> dict:
    by_step: dict[str, Counter] = defaultdict(Counter)
    failed: Counter = Counter()
    for record in requests:
        by_step[record.step][record.outcome] += 1
        if record.outcome != "ok":
            failed[record.outcome] += 1
    submit_times = [
        record.seconds for record in requests if record.step == "submit" and record.outcome == "ok"
    ]
    return {
        "sent": len(requests),
        "failed": sum(failed.values()),
        "failed_by_kind": dict(failed.most_common()),
        "retried": sum(1 for record in requests if record.attempt > 1),
        "by_step": {step: dict(counts) for step, counts in by_step.items()},
        "submit_latency_ms": {
            "p50": round(1000 * bench.percentile(submit_times, 50), 1) if submit_times else None,
            "p95": round(1000 * bench.percentile(submit_times, 95), 1) if submit_times else None,
            "max": round(1000 * max(submit_times), 1) if submit_times else None,
        },
    }


def requests_in(requests: list[RequestRecord], window: tuple[float, float] | None) -> Counter:
    if window is None:
        return Counter()
    return Counter(record.outcome for record in requests if overlaps(record.t, record.seconds, window))


def overlaps(start: float, seconds: float, window: tuple[float, float] | None) -> bool:
    """Whether a request that began at `start` and took `seconds` was under way during the window."""
    return window is not None and start <= window[1] and start + seconds >= window[0]


def mail_phases(events: list[dict], load_finished: float) -> dict:
    """The mail server's periods, from the chaos's events: (start, end, seconds) of down and hang."""
    times = {event["what"]: event["t"] for event in events if event["what"].startswith("mail ")}
    phases = {}
    for mode, following in (("down", "hang"), ("hang", "up")):
        start, end = times.get(f"mail {mode}"), times.get(f"mail {following}")
        if start is not None:
            end = end if end is not None else load_finished
            phases[mode] = {"from": start, "to": end, "seconds": round(end - start, 1)}
    if "mail up" in times:
        phases["up_again"] = times["mail up"]
    return phases


def hung_connections(connections: list[dict], started: float) -> dict:
    """How the worker dealt with the hanging server: connections held without an answer, how long, and
    who closed them (the worker giving up after its timeout, or the server when it came back)."""
    hung = [connection for connection in connections if connection["hung_seconds"] is not None]
    held = [connection["hung_seconds"] for connection in hung]
    return {
        "connections": len(hung),
        "closed_by_client": sum(1 for connection in hung if connection["closed_by"] == "client"),
        "closed_by_server": sum(1 for connection in hung if connection["closed_by"] == "server"),
        "held_seconds_median": round(statistics.median(held), 1) if held else None,
        "held_seconds_max": round(max(held), 1) if held else None,
        "first_at": round(min(connection["opened"] for connection in hung) - started, 1) if hung else None,
    }


@dataclass
class Check:
    name: str
    passed: bool | None  # None: not run (say why in detail)
    detail: str = ""


def failure_summary(failures: list[str]) -> dict[str, int]:
    """The mail worker's failure log entries grouped by their first words (the exception)."""
    return dict(Counter((text or "").split(":", 1)[0][:80] for text in failures).most_common(8))


# The report


def build_checks(data: dict) -> list[Check]:
    interests, emails, healthz = data["interests"], data["emails"], data["healthz"]
    eois = data["eois"]
    database = data["outages"]["database"]
    checks = [
        Check(
            "Every EOI was confirmed in the end (retries included)",
            eois["confirmed"] == eois["planned"],
            f"{eois['confirmed']} of {eois['planned']} confirmed; gave up: {eois['gave_up']}, "
            f"stopped: {eois['stopped']}",
        ),
        Check(
            "Every confirmed EOI is in the database, under its key and reference",
            not interests["missing"] and not interests["wrong_reference"],
            f"{len(interests['missing'])} missing, "
            f"{len(interests['wrong_reference'])} under another reference",
        ),
        Check(
            "No EOI is half-written (lines, snapshots, first history row)",
            not interests["half_written"],
            f"{len(interests['half_written'])} of {interests['stored']} stored EOIs",
        ),
        Check(
            "No EOI is duplicated; every stored EOI was submitted by a client",
            not interests["duplicated"] and not interests["unknown"],
            f"{len(interests['duplicated'])} duplicated, "
            f"{len(interests['unknown'])} under keys no client sent; "
            f"stored but unconfirmed (clients that gave up): {len(interests['stored_unconfirmed'])}",
        ),
    ]
    if emails.get("error"):
        checks.append(Check("Emails: the outbox could be read", False, emails["error"]))
    else:
        at_end = emails["at_end_of_load"]
        checks += [
            Check(
                "Every expected email was in the outbox exactly once at the end of the load (queued or sent)",
                emails_ok(at_end),
                email_detail(at_end),
            ),
            Check(
                "The outbox was empty once the mail server was back",
                emails["outbox_left"] == 0,
                f"{emails['outbox_left']} left after {data['mail']['drain']['limit']:.0f} s"
                if emails["outbox_left"]
                else f"empty {data['mail']['drain']['seconds_after_mail_up']} s after mail came back",
            ),
            Check(
                "Every expected email was logged as sent exactly once",
                emails_ok(emails["logged_sent"]),
                email_detail(emails["logged_sent"]),
            ),
            Check(
                "Every expected email reached the mail server exactly once",
                emails_ok(emails["received"]) and not any(emails["message_ids"].values()),
                email_detail(emails["received"]) + "; " + message_id_detail(emails["message_ids"]),
            ),
        ]
    checks += [
        Check(
            "The mail worker kept running",
            not data["mailworker"]["exits"] and not data["mailworker"]["gave_up"],
            f"exits: {data['mailworker']['exits'] or 'none'}"
            + ("; it could not start" if data["mailworker"]["gave_up"] else ""),
        ),
        Check(
            "/healthz answered 200 throughout, apart from the database outage",
            not healthz["failures_outside_outage"] and healthz["polls"] > 0,
            f"{healthz['polls']} polls; "
            f"{len(healthz['failures_outside_outage'])} failures outside the outage "
            f"({len(healthz['broken_by_worker_kills'])} more broken by worker kills)",
        ),
    ]
    if database.get("skipped"):
        checks.append(
            Check("PostgreSQL was restarted and came back", None, "skipped (--skip-database-restart)")
        )
    else:
        during = healthz["during_outage"]
        checks += [
            Check(
                "PostgreSQL was restarted and came back",
                database.get("ready") is not None and database.get("command_status") == 0,
                f"command status {database.get('command_status')}, unreachable for "
                f"{database['unreachable_seconds']} s",
            ),
            Check(
                "During the database outage /healthz answered 503 (no hang, no 500, no refused connection)",
                set(during) <= {"200", "503"} and during.get("503", 0) > 0,
                ", ".join(f"{count} × {kind}" for kind, count in sorted(during.items()))
                or "no polls in the outage",
            ),
        ]
    statuses = data["requests"]["failed_by_kind"]
    checks += [
        Check(
            "No request answered 500",
            statuses.get("500", 0) == 0,
            f"{statuses.get('500', 0)} answers 500; during the database outage: "
            + (
                ", ".join(f"{count} × {kind}" for kind, count in data["requests"]["during_outage"].items())
                or "none"
            ),
        ),
        Check(
            "Every 503 carried Retry-After",
            data["requests"]["missing_retry_after"] == 0,
            f"{statuses.get('503', 0)} answers 503, "
            f"{data['requests']['missing_retry_after']} without Retry-After",
        ),
    ]
    return checks


def message_id_detail(problems: dict) -> str:
    """What the Message-IDs say of repeats: the same Message-ID twice is one email sent again (mail readers
    show it once); one the log does not hold is a copy with an identity of its own (readers show both)."""
    return (
        f"by Message-ID: {len(problems['received_twice'])} received twice under the same Message-ID, "
        f"{len(problems['received_not_logged'])} received under one the log does not hold, "
        f"{len(problems['logged_not_received'])} logged as sent but never received"
    )


def email_detail(comparison: dict) -> str:
    text = (
        f"{comparison['expected']} expected: {len(comparison['missing'])} missing, "
        f"{len(comparison['duplicated'])} more than once, {len(comparison['unexpected'])} unexpected"
    )
    examples = comparison["missing"][:2] + [pair for pair, _count in comparison["duplicated"][:2]]
    return text + (f" (e.g. {', '.join(' to '.join(pair) for pair in examples)})" if examples else "")


def seconds(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f} s"


def markdown_report(report: dict) -> str:
    run, eois, requests = report["run"], report["eois"], report["requests"]
    outages, mail, healthz = report["outages"], report["mail"], report["healthz"]
    database, kills, hang = outages["database"], outages["worker_kills"], mail["hang"]
    gunicorn = run["gunicorn"]
    ports = ", ".join(map(str, run["ports"]))
    lines = [
        f"# Soak: {eois['planned']:,} EOIs from {run['clients']} clients",
        "",
        f"{run['date']}, commit {run['commit']}; `{run['command']}` ({run['total_seconds']:.0f} s in all, "
        f"load {run['load_seconds']:.0f} s)",
        "",
        "| setting | value |",
        "| --- | --- |",
        f"| machine | {run['cpu']}, {run['cores']} cores, Python {run['python']}, Django {run['django']} |",
        f"| servers | 2 × gunicorn on {ports}, each {gunicorn['workers']} workers × {gunicorn['threads']} "
        f"threads ({gunicorn['worker_class']}), DEBUG off |",
        f"| data | {run['database']} `{run['database_name']}`, {run['products']} generated products "
        f"({run['eligible_products']} open to the buyers' EOIs); Redis `{run['redis_url']}` |",
        f"| mail | fake SMTP server on {run['smtp_port']}; `mailworker {run['mailworker_args']}`, "
        f"DJANGO_EMAIL_TIMEOUT={run['email_timeout']} |",
        f"| clients | EOIs due evenly over {run['duration']:.0f} s; each request tried up to "
        f"{run['max_attempts']} times (back-off {RETRY_FIRST_SECONDS:g}–{RETRY_CAP_SECONDS:g} s), timeout "
        f"{run['request_timeout']:g} s |",
        "",
        "## Checks",
        "",
        "| check | result | detail |",
        "| --- | --- | --- |",
    ]
    for check in report["checks"]:
        result = {True: "passed", False: "**FAILED**", None: "not run"}[check["passed"]]
        lines.append(f"| {check['name']} | {result} | {check['detail'].replace('|', '/')} |")
    lines += [
        "",
        "## EOIs and requests",
        "",
        "| | count |",
        "| --- | ---: |",
        f"| EOIs planned | {eois['planned']:,} |",
        f"| EOIs attempted (form submitted at least once) | {eois['attempted']:,} |",
        f"| EOIs confirmed (302 to the confirmation page) | {eois['confirmed']:,} |",
        f"| … of them after more than one submission | {eois['confirmed_after_retry']:,} |",
        f"| EOIs given up / stopped | {eois['gave_up']:,} / {eois['stopped']:,} |",
        f"| EOIs stored but unconfirmed | {len(report['interests']['stored_unconfirmed']):,} |",
        f"| requests sent | {requests['sent']:,} |",
        f"| requests failed | {requests['failed']:,} |",
    ]
    for kind, count in requests["failed_by_kind"].items():
        lines.append(f"| … {kind} | {count:,} |")
    lines += [
        f"| requests retried (sent again after a failure) | {requests['retried']:,} |",
        f"| form submission latency p50 / p95 / max (successful) | "
        f"{latency_text(requests['submit_latency_ms'])} |",
        "",
        "## Chaos and outages",
        "",
        "Times in seconds from the start of the load.",
        "",
        "| what | when | how long |",
        "| --- | --- | --- |",
        f"| gunicorn workers killed (SIGKILL) | every {run['kill_interval']:g} s, {kills['first']}–"
        f"{kills['last']} | {kills['count']} kills ({by_port_text(kills['by_port'])}) |",
    ]
    if database.get("skipped"):
        lines.append("| PostgreSQL restart | skipped | — |")
    else:
        lines.append(
            f"| PostgreSQL restart (`{database['script']}`) | command at {database['started']}; pg_isready "
            f"failing {database['first_unreachable']}–{database['last_unreachable']}, succeeding at "
            f"{database['ready']}; /healthz 200 on both servers at {database['healthz_back']} | unreachable "
            f"{seconds(database['unreachable_seconds'])} (from the command to pg_isready succeeding); until "
            f"/healthz answered 200 again: {seconds(database['until_healthz_seconds'])} |"
        )
    for mode in ("down", "hang"):
        phase = mail["phases"].get(mode)
        if phase:
            lines.append(
                f"| mail server {mode} | {phase['from']}–{phase['to']} | {seconds(phase['seconds'])} |"
            )
    drain = mail["drain"]
    failures = ", ".join(f"{count} × {name}" for name, count in mail["failure_kinds"].items()) or "none"
    during = ", ".join(f"{count} × {kind}" for kind, count in sorted(healthz["during_outage"].items())) or "—"
    latency = healthz["latency_ms"]
    healthz_latency = (
        f"p50 {latency['p50']} ms, p99 {latency['p99']} ms, max {latency['max']} ms "
        f"({healthz['slow_polls']} answers slower than {SLOW_HEALTHZ:g} s)"
    )
    lines += [
        f"| outbox drained | {drain['empty_at']} | {seconds(drain['seconds_after_mail_up'])} after the mail "
        "server came back |",
        "",
        f"Mail: {mail['received']:,} messages received by the fake server "
        f"({mail['received_after_up']:,} after it came back); {mail['delivery_failures']:,} failed "
        f"deliveries logged by the worker ({failures}). While it hung: {hang['connections']} connections "
        f"held without an answer, given up by the worker {hang['closed_by_client']} times (held "
        f"{seconds(hang['held_seconds_median'])} at the median), closed by the server coming back "
        f"{hang['closed_by_server']} times.",
        "",
        f"/healthz: {healthz['polls']:,} polls of both servers (every {HEALTHZ_INTERVAL:g} s, timeout "
        f"{HEALTHZ_TIMEOUT:g} s), {healthz_latency}; failures outside the database outage: "
        f"{len(healthz['failures_outside_outage'])}, connections broken by a worker kill: "
        f"{len(healthz['broken_by_worker_kills'])}; during the outage: {during}.",
    ]
    notes = report.get("notes") or []
    if notes:
        lines += ["", "## Notes", "", *(f"- {note}" for note in notes)]
    return "\n".join(lines) + "\n"


def by_port_text(counts: dict) -> str:
    return ", ".join(f"{count} on {port}" for port, count in sorted(counts.items()))


def latency_text(latency: dict) -> str:
    return " / ".join(bench.milliseconds(latency[name]) for name in ("p50", "p95", "max"))


def write_report(report: dict) -> str:
    stamp = datetime.strptime(report["run"]["date"], "%Y-%m-%d %H:%M:%S UTC").strftime("%Y%m%dT%H%M%S")
    name = f"soak-{report['eois']['planned']}-{stamp}Z"
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    as_json = json.dumps(report, indent=2, ensure_ascii=False, default=str) + "\n"
    as_markdown = markdown_report(report)
    for stem in (name, f"latest-{report['eois']['planned']}"):
        (RESULTS_DIR / f"{stem}.json").write_text(as_json)
        (RESULTS_DIR / f"{stem}.md").write_text(as_markdown)
    return name


# The run


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    args = parse_args(argv)
    if not is_soak_database(args.database_url):
        raise SystemExit(
            f"The database {bench.database_name(args.database_url)!r} is not a PostgreSQL database named for "
            "the soak, which drops and rebuilds it: name one with 'soak' in it, e.g. "
            "--database-url postgres://postgres@127.0.0.1:5432/hubcatalog_soak"
        )
    for port in [*args.ports, args.smtp_port]:
        if not bench.port_is_free(port):
            raise SystemExit(f"Port {port} on {HOST} is in use: choose others with --ports / --smtp-port.")
    if shutil.which("pg_isready") is None:
        raise SystemExit("pg_isready is not installed (Debian: postgresql-client).")
    started = time.monotonic()
    environment = soak_environment(args, secrets.token_urlsafe(50))
    os.environ.update(environment)
    import django

    django.setup()
    from django.db import connections

    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    postgresql = PostgreSQL(args.database_url, args.pg_cluster, args.database_down_seconds)
    print(f"== Soak database: {bench.database_name(args.database_url)} (made anew)", flush=True)
    prepare_database(args)
    accounts, organisation_id = prepare_buyers(args.clients)
    pool = eligible_products(organisation_id)
    if not pool:
        raise SystemExit(f"No listing is open to {COUNTRY} buyers' expressions of interest in the soak data.")
    connections.close_all()  # nothing of this process stays open on the database during the chaos

    received_path = RESULTS_DIR / "smtp-received.jsonl"
    received_path.unlink(missing_ok=True)
    smtp = FakeSMTPServer(HOST, args.smtp_port, received_path)
    servers = [AppServer(port, os.environ.copy()) for port in args.ports]
    worker = None
    soak = None
    plan = chaos_plan(args.duration, restart_database=not args.skip_database_restart)
    code_before = bench.code_fingerprint()
    drain = {"limit": args.drain_timeout, "empty_at": None, "left": None}
    outbox_at_end: dict | None = None
    outbox_error = ""
    try:
        smtp.start("up")
        print(
            f"== Servers on {', '.join(map(str, args.ports))}, fake mail server on {args.smtp_port}",
            flush=True,
        )
        for server in servers:
            server.start()
        for server in servers:
            server.wait_until_ready()
        soak = Soak(args, accounts, pool, servers, smtp, postgresql)
        worker = MailWorker(shlex.split(args.mailworker_args), os.environ.copy(), soak.clock)
        worker.start()
        soak.log_in_everyone()
        print(
            f"== Load: {args.eois} EOIs due over {args.duration:.0f} s from {args.clients} clients; chaos: "
            + ", ".join(f"{event.what} at {event.at:g} s" for event in plan)
            + f", a worker killed every {args.kill_interval:g} s",
            flush=True,
        )
        soak.run(plan)
        try:
            outbox_at_end = read_outbox()
        except Exception as error:  # the report says what the outbox could not tell
            outbox_error = f"{type(error).__name__}: {error}"
        print("== Waiting for the outbox to drain", flush=True)
        try:
            drain["empty_at"], drain["left"] = wait_for_empty_outbox(
                args.drain_timeout, soak.clock, hopeless=lambda: worker.gave_up
            )
        except Exception as error:
            outbox_error = outbox_error or f"{type(error).__name__}: {error}"
        soak.event(
            "outbox empty" if drain["empty_at"] is not None else "outbox not empty", left=drain["left"]
        )
    finally:
        if worker:
            worker.stop()
        if soak:
            soak.stop_clients.set()
            soak.stop_watchers()
        for server in servers:
            server.stop()
        smtp.stop()
        postgresql_running = postgresql.ensure_running()
        connections.close_all()
    print("== Checking the database, the outbox and the mail server's inbox", flush=True)
    report = build_report(
        args, argv, soak, smtp, worker, organisation_id, pool, outbox_at_end, outbox_error, drain, started
    )
    notes = report["notes"]
    if not postgresql_running:
        notes.append("PostgreSQL did not answer after the run, and starting it failed: start it by hand.")
    if bench.code_fingerprint() != code_before:
        notes.append(
            "The code changed during the run (an edit, a commit or a new file): workers started afterwards "
            "(after a kill) ran the new code."
        )
    for server in servers:
        errors = bench.server_errors(server.log_path.read_text(errors="replace"))
        if errors:
            notes.append(
                f"gunicorn on {server.port} logged errors ({server.log_path.name}): " + "; ".join(errors[:5])
            )
    write_details(soak)
    name = write_report(report)
    print()
    print(markdown_report(report))
    print(
        f"Written: soak/results/{name}.json and .md; every request and EOI in "
        "soak/results/soak-requests.jsonl"
    )
    failed = [check for check in report["checks"] if check["passed"] is False]
    if failed:
        print(
            f"{len(failed)} checks failed: " + "; ".join(check["name"] for check in failed), file=sys.stderr
        )
        return 1
    return 0


def write_details(soak: "Soak") -> None:
    """Every request and EOI, for digging into a failure (ignored by git: thousands of lines)."""
    with (RESULTS_DIR / "soak-requests.jsonl").open("w") as details:
        for eoi in soak.eois:
            details.write(json.dumps({"eoi": asdict(eoi)}) + "\n")
        for record in soak.requests:
            details.write(json.dumps({"request": asdict(record)}) + "\n")
        for poll in soak.healthz:
            details.write(json.dumps({"healthz": poll}) + "\n")


def build_report(
    args, argv, soak, smtp, worker, organisation_id, pool, outbox_at_end, outbox_error, drain, started
):
    import django

    eois = soak.eois
    restart = soak.database_restart
    outage = outage_window(restart, grace=OUTAGE_GRACE_SECONDS)
    stored = stored_interests(organisation_id)
    interests = check_interests(eois, stored)
    interests["stored"] = len(stored)
    references = {row["reference"] for row in stored}
    expected = expected_emails(stored, coordinator_emails())
    inbox = smtp.snapshot()
    phases = mail_phases(soak.events, soak.load_finished)
    mail_up = phases.get("up_again")
    emails: dict = {}
    if outbox_at_end is None:
        emails["error"] = outbox_error or "the outbox was not read"
        after = {"queued": [], "sent": [], "failures": []}
    else:
        after = read_outbox()
        emails = {
            "expected": len(expected),
            "at_end_of_load": compare_emails(
                expected, email_pairs(outbox_at_end["queued"] + outbox_at_end["sent"], references)
            ),
            "queued_at_end_of_load": len(outbox_at_end["queued"]),
            "deferred_at_end_of_load": sum(1 for message in outbox_at_end["queued"] if message["deferred"]),
            "outbox_left": len(after["queued"]),
            "logged_sent": compare_emails(expected, email_pairs(after["sent"], references)),
            "received": compare_emails(expected, email_pairs(inbox["received"], references)),
            "message_ids": message_id_problems(after["sent"], inbox["received"], references),
        }
    healthz = check_healthz(soak.healthz, outage, soak.kills)
    back = healthz_recovery(soak.healthz, restart.get("ready") if restart else None, soak.ports)
    if restart:
        last_back = max((t for t in back.values() if t is not None), default=None)
        database = {
            **restart,
            "unreachable_seconds": round(restart["ready"] - restart["started"], 2)
            if restart["ready"]
            else None,
            "command_seconds": round(restart["command_finished"] - restart["started"], 2)
            if restart["command_finished"]
            else None,
            "healthz_back": last_back,
            "healthz_back_by_port": back,
            "until_healthz_seconds": round(last_back - restart["started"], 2) if last_back else None,
        }
    else:
        database = {"skipped": True}
    kills = soak.kills
    request_summary = summarise_requests(soak.requests)
    request_summary["missing_retry_after"] = soak.missing_retry_after
    request_summary["during_outage"] = dict(requests_in(soak.requests, outage))
    request_summary["error_pages"] = dict(soak.error_pages.most_common(10))
    confirmed = [eoi for eoi in eois if eoi.outcome == "confirmed"]
    gunicorn = bench.gunicorn_settings()
    report = {
        "run": {
            "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S UTC"),
            "commit": bench.git_commit(),
            "command": " ".join(["soak/run.py", *argv]),
            "cpu": bench.cpu_model(),
            "cores": os.cpu_count(),
            "python": platform.python_version(),
            "django": django.get_version(),
            "database": bench.database_description()[1],
            "database_name": bench.database_name(args.database_url),
            "redis_url": args.redis_url,
            "gunicorn": gunicorn,
            "ports": soak.ports,
            "smtp_port": args.smtp_port,
            "clients": args.clients,
            "duration": args.duration,
            "kill_interval": args.kill_interval,
            "email_timeout": args.email_timeout,
            "mailworker_args": args.mailworker_args,
            "request_timeout": args.request_timeout,
            "max_attempts": args.max_attempts,
            "products": args.products,
            "eligible_products": len(pool),
            "seed": args.seed,
            "load_seconds": round(soak.load_finished, 1),
            "total_seconds": round(time.monotonic() - started, 1),
        },
        "eois": {
            "planned": len(eois),
            "attempted": sum(1 for eoi in eois if eoi.posts > 0),
            "confirmed": len(confirmed),
            "confirmed_after_retry": sum(1 for eoi in confirmed if eoi.posts > 1),
            "gave_up": sum(1 for eoi in eois if eoi.outcome == "gave up"),
            "stopped": sum(1 for eoi in eois if eoi.outcome == "stopped"),
            "given_up_reasons": dict(
                Counter(eoi.reason for eoi in eois if eoi.outcome != "confirmed").most_common(10)
            ),
        },
        "requests": request_summary,
        "interests": interests,
        "emails": emails,
        "mail": {
            "phases": phases,
            "received": len(inbox["received"]),
            "received_after_up": sum(
                1
                for message in inbox["received"]
                if mail_up is not None and message["monotonic"] - soak.started >= mail_up
            ),
            "delivery_failures": len(after["failures"]),
            "failure_kinds": failure_summary(after["failures"]),
            "hang": hung_connections(inbox["connections"], soak.started),
            "connections": dict(Counter(connection["mode"] for connection in inbox["connections"])),
            "drain": {
                "limit": args.drain_timeout,
                "empty_at": None if drain["empty_at"] is None else round(drain["empty_at"], 1),
                "seconds_after_mail_up": None
                if drain["empty_at"] is None or mail_up is None
                else round(drain["empty_at"] - mail_up, 1),
                "left": drain["left"],
            },
        },
        "mailworker": {"exits": worker.exits if worker else [], "gave_up": bool(worker and worker.gave_up)},
        "healthz": healthz,
        "outages": {
            "database": database,
            "worker_kills": {
                "count": len(kills),
                "by_port": dict(Counter(str(kill["port"]) for kill in kills)),
                "first": round(kills[0]["t"], 1) if kills else None,
                "last": round(kills[-1]["t"], 1) if kills else None,
            },
        },
        "events": soak.events,
        "notes": [],
    }
    report["checks"] = [asdict(check) for check in build_checks(report)]
    if args.skip_database_restart:
        report["notes"].append("PostgreSQL was not restarted (--skip-database-restart): not a full soak.")
    if outage is None and not args.skip_database_restart:
        report["notes"].append("The PostgreSQL restart did not complete: see the events.")
    return report


if __name__ == "__main__":
    # Stopped by a signal (CI's time limit, kill), still stop the servers: finally clauses run on SystemExit.
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        sys.exit(130)
