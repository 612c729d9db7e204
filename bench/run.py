"""`make bench`: the site run as in production, measured with wrk against a static file of the catalogue
page's size served in the same run.

1. The bench database: an SQLite file of its own (bench/data/bench-N.sqlite3), or the PostgreSQL database that
   DATABASE_URL names (its name must contain "bench"). Migrated, grown to N published products by
   `manage.py generate_catalogue` unless it holds them already, and given the demo accounts (`seed_demo`).
2. Static files collected into bench/data/static/, plus bench/baseline.html: an HTML file exactly as large as
   the catalogue page.
3. The scenarios planned from the data (which category, value, product, hub; thousands of distinct filter
   combinations and search words for the cold ones), and each one's SQL queries counted in this process with
   Django's test client, as the same buyer, on the same database.
4. gunicorn started with gunicorn.conf.py (DEBUG off, whitenoise), the buyers logged in over HTTP, wrk run
   once per scenario, gunicorn stopped whatever happens.
5. bench/results/bench-N-<database>-<time>.json and .md, copied to latest-<database>-N.* when every scenario
   ran; the Markdown table printed. The exit status is 1 when any scenario had errors (and with
   --check-targets when a target of the issue is missed).

Standard library and the project's own dependencies only; run it with the project's venv
(`.venv/bin/python bench/run.py --help`). bench/README.md says how to read the results.
"""

import argparse
import hashlib
import json
import os
import platform
import random
import re
import resource
import runpy
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
import uuid
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from http.client import HTTPConnection
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urlsplit

BENCH_DIR = Path(__file__).resolve().parent
BASE_DIR = BENCH_DIR.parent
DATA_DIR = BENCH_DIR / "data"
SCRATCH_DIR = DATA_DIR / "scratch"
STATIC_ROOT = DATA_DIR / "static"
RESULTS_DIR = BENCH_DIR / "results"

# The static file every page is compared with, inside the collected static files (whitenoise serves it).
BASELINE_NAME = "bench/baseline.html"
BASELINE_URL = "/static/" + BASELINE_NAME

DEMO_BUYER = "buyer"  # seed_demo's buyer of an approved organisation in Germany
DEMO_BUYER_PASSWORD = "buyer-demo-2026"
# EOIs are submitted by buyers of an organisation of their own, so that they never fill the demo buyer's
# "My expressions of interest" page, which is measured too (an EOI cannot be deleted: its history is
# append-only).
EOI_ORGANISATION = "Bench load-test procurement office"
EOI_COUNTRY = "DE"
EOI_USERNAME = "bench-eoi-{number}"

HOST = "127.0.0.1"
QUERY_SAMPLES = 20  # cold scenarios: the mean number of queries over this many of their paths
QUERY_SAMPLE_SECONDS = 60  # … unless they take longer than this (at least three are counted)
SAMPLED_PRODUCTS = 5000  # products read to plan the cold paths (their specifications, makers, words)
COLD_PATHS = 20000  # distinct paths written per cold scenario: more than a run can send
EOI_PRODUCTS = 2000
IDLE_CPU = 0.05  # cores: gunicorn counts as idle below this
IDLE_LIMIT_SECONDS = 90
OTHER_CPU_NOTE = 0.25  # cores used by other processes during a run that the report points out

# The targets: PostgreSQL, 100,000 products, 2 cores, gunicorn.conf.py's settings.
# scenario → (least ratio to the static file, greatest p95 in ms)
TARGETS = {
    "catalogue-filters": (0.25, None),
    "product": (0.25, None),
    "search": (0.20, None),
    "catalogue-filters-cold": (0.02, 150),
    "search-cold": (0.02, 150),
}

# PostgreSQL's title for a process that helps a backend run one query in parallel.
PARALLEL_WORKER = re.compile(r"parallel worker for PID (\d+)")

# Lines of a Python traceback in a log that are not the exception itself.
NOT_AN_EXCEPTION = ("Traceback", "During handling", "The above exception", "[", "127.0.0.1")

# A word of the product texts worth searching for: letters only, at least three of them.
SEARCH_WORD = re.compile(r"[^\W\d_]{3,}")


@dataclass
class Scenario:
    key: str  # its name for --scenarios
    label: str  # its row in the table
    kind: str  # "static", "warm", "cold" or "eoi"
    path: str = ""  # static and warm: the one URL; cold: an example
    paths: list[str] = field(default_factory=list)  # cold: the distinct paths wrk sends
    query_paths: list[str] = field(default_factory=list)  # cold: other paths like them, to count queries
    queries: float | None = None
    query_detail: dict = field(default_factory=dict)


# Options


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="bench/run.py",
        description="Benchmark the site run as in production (gunicorn, DEBUG off, whitenoise) with wrk.",
    )
    default = " (default: %(default)s)"
    parser.add_argument(
        "--products", type=int, default=10000, help="published products in the database" + default
    )
    parser.add_argument("--duration", type=int, default=15, help="seconds of load per scenario" + default)
    parser.add_argument(
        "--connections",
        type=int,
        default=16,
        help="wrk connections for the static file and warm pages" + default,
    )
    parser.add_argument(
        "--cold-connections", type=int, default=8, help="wrk connections for cold pages" + default
    )
    parser.add_argument(
        "--eoi-connections",
        type=int,
        default=4,
        help="connections submitting EOIs, each a buyer of its own" + default,
    )
    parser.add_argument("--threads", type=int, default=2, help="wrk threads" + default)
    parser.add_argument(
        "--warmup",
        type=int,
        help="seconds of unmeasured load before each static or warm run (default: a third of --duration)",
    )
    parser.add_argument(
        "--wait-for-quiet",
        type=int,
        default=0,
        metavar="SECONDS",
        help="before each run, wait up to this long for other processes to leave the machine's CPU alone"
        + default,
    )
    parser.add_argument(
        "--timeout",
        type=int,
        default=10,
        help="wrk's --timeout in seconds: slower answers count as errors" + default,
    )
    parser.add_argument(
        "--database-url",
        default=os.environ.get("DATABASE_URL") or None,
        help="the bench database, whose name must contain 'bench' (default: DATABASE_URL, else "
        "bench/data/bench-N.sqlite3)",
    )
    parser.add_argument(
        "--skip-data",
        action="store_true",
        help="measure the database as it is: no generate_catalogue (migrate and seed_demo still run)",
    )
    parser.add_argument(
        "--fresh",
        action="store_true",
        help="delete the bench database first and build it anew (after migrations were rewritten, say)",
    )
    parser.add_argument(
        "--scenarios",
        help=f"a comma-separated subset of {', '.join(SCENARIO_KEYS)} (the static file always runs)",
    )
    parser.add_argument(
        "--seed",
        type=int,
        help="seed for choosing the cold paths (default: a new one each run, so that no cache keeps answers "
        "from the last run)",
    )
    parser.add_argument("--data-seed", type=int, default=2026, help="generate_catalogue's --seed" + default)
    parser.add_argument("--port", type=int, default=8123, help="gunicorn's port on 127.0.0.1" + default)
    parser.add_argument(
        "--check-targets",
        action="store_true",
        help="exit 1 when a target of the issue is missed (meant for PostgreSQL with 100,000 products)",
    )
    args = parser.parse_args(argv)
    if args.fresh and args.skip_data:
        parser.error("--fresh builds the data anew, --skip-data uses it as it is: choose one")
    if args.warmup is None:
        args.warmup = max(1, round(args.duration / 3))
    for name in ("products", "duration", "connections", "cold_connections", "eoi_connections", "threads"):
        if getattr(args, name) < 1:
            parser.error(f"--{name.replace('_', '-')} must be at least 1")
    if args.scenarios:
        unknown = set(args.scenarios.split(",")) - set(SCENARIO_KEYS)
        if unknown:
            parser.error(
                f"unknown scenarios: {', '.join(sorted(unknown))}; known: {', '.join(SCENARIO_KEYS)}"
            )
    return args


SCENARIO_KEYS = [
    "catalogue",
    "catalogue-filters",
    "search",
    "product",
    "compare",
    "hubs",
    "hub",
    "interests",
    "catalogue-filters-cold",
    "search-cold",
    "eoi",
]


# The environment: the bench database, and the site's production settings


def database_name(database_url: str) -> str:
    import dj_database_url

    name = dj_database_url.parse(database_url)["NAME"] or ""
    return Path(str(name)).name


def is_bench_database(database_url: str) -> bool:
    """Only a database named for the bench is written to: the bench adds products, accounts and EOIs."""
    return "bench" in database_name(database_url).lower()


def is_postgresql(database_url: str) -> bool:
    return urlsplit(database_url).scheme in ("postgres", "postgresql", "pgsql")


def site_environment(database_url: str, port: int) -> dict[str, str]:
    """What the site runs with here: production settings, on plain HTTP to 127.0.0.1, with the bench's own
    database and folders. REDIS_URL, WEB_CONCURRENCY and GUNICORN_THREADS pass through from the caller."""
    return {
        "DJANGO_SETTINGS_MODULE": "hubcatalog.settings",
        "DATABASE_URL": database_url,
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": HOST,
        # Plain HTTP: a cookie marked Secure would never be sent back.
        "DJANGO_SECURE_COOKIES": "0",
        "DJANGO_SERVE_MEDIA": "1",
        "DJANGO_STATIC_ROOT": str(STATIC_ROOT),
        "DJANGO_MEDIA_ROOT": str(DATA_DIR / "media"),
        "DJANGO_DOCUMENTS_ROOT": str(DATA_DIR / "documents"),
        # A submitted EOI emails the buyer and the hubs' coordinators: the emails are rendered, then dropped,
        # as there is no mail server here.
        "DJANGO_EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
        "HUBCATALOG_SITE_URL": f"http://{HOST}:{port}",
        # It measures the site under far more requests than people send: the rate limits would refuse them.
        "HUBCATALOG_RATE_LIMITS": "0",
        "GUNICORN_BIND": f"{HOST}:{port}",
    }


def gunicorn_settings() -> dict:
    """gunicorn.conf.py's effective values in this environment, read the way gunicorn reads them."""
    values = runpy.run_path(str(BASE_DIR / "gunicorn.conf.py"))
    settings = {
        name: values.get(name)
        for name in ("bind", "workers", "threads", "timeout", "max_requests", "max_requests_jitter")
    }
    # gunicorn runs its threaded worker when asked for more than one thread.
    settings["worker_class"] = values.get("worker_class") or (
        "gthread" if settings["threads"] > 1 else "sync"
    )
    return settings


# The data


def manage(*arguments: str, quiet: bool = False) -> None:
    """Run a management command in a process of its own, in this environment (os.environ is the site's)."""
    print(f"$ manage.py {' '.join(arguments)}", flush=True)
    if quiet:
        completed = subprocess.run(
            [sys.executable, "manage.py", *arguments], cwd=BASE_DIR, capture_output=True, text=True
        )
        if completed.returncode != 0:
            print(completed.stdout + completed.stderr, file=sys.stderr)
            raise SystemExit(f"manage.py {arguments[0]} failed (exit status {completed.returncode}).")
        return
    subprocess.run([sys.executable, "manage.py", *arguments], cwd=BASE_DIR, check=True)


def create_postgresql_database(database_url: str, *, fresh: bool) -> None:
    """Create the bench's PostgreSQL database when it does not exist yet (dropping it first when fresh)."""
    import dj_database_url
    import psycopg
    from psycopg import sql

    config = dj_database_url.parse(database_url)
    connection_options = {
        "dbname": "postgres",
        "host": config.get("HOST") or None,
        "port": config.get("PORT") or None,
        "user": config.get("USER") or None,
        "password": config.get("PASSWORD") or None,
    }
    name = sql.Identifier(config["NAME"])
    with psycopg.connect(autocommit=True, **connection_options) as connection:
        if fresh:
            print(f"Dropping the PostgreSQL database {config['NAME']}", flush=True)
            connection.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(name))
        exists = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [config["NAME"]]
        ).fetchone()
        if not exists:
            print(f"Creating the PostgreSQL database {config['NAME']}", flush=True)
            connection.execute(sql.SQL("CREATE DATABASE {}").format(name))


def delete_sqlite_database(database_url: str) -> None:
    import dj_database_url

    path = Path(dj_database_url.parse(database_url)["NAME"])
    print(f"Deleting {path}", flush=True)
    for stale in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        stale.unlink(missing_ok=True)


def published_products() -> int:
    from products.models import Product

    return Product.objects.published().count()


def prepare_database(args: argparse.Namespace, database_url: str) -> None:
    if is_postgresql(database_url):
        create_postgresql_database(database_url, fresh=args.fresh)
    else:
        DATA_DIR.mkdir(parents=True, exist_ok=True)
        if args.fresh:
            delete_sqlite_database(database_url)
    manage("migrate", "--noinput", "--verbosity", "0")
    if not args.skip_data:
        held = published_products()
        if held > args.products:
            raise SystemExit(
                f"The bench database {database_name(database_url)} holds {held} published products, "
                f"more than the {args.products} asked for. Use another database for this size (e.g. "
                f"postgres://postgres@127.0.0.1:5432/hubcatalog_bench_{args.products}), ask for "
                f"--products {held}, or measure it as it is with --skip-data."
            )
        if held < args.products:
            manage("generate_catalogue", "--products", str(args.products), "--seed", str(args.data_seed))
        else:
            print(f"The bench database already holds {held} published products: reusing it.", flush=True)
    # After the generator, so that the coordinator gets a hub and the buyers' organisations their hubs. Its
    # public passwords are no risk in a bench database.
    manage("seed_demo", "--force", quiet=True)


def collect_static() -> None:
    manage("collectstatic", "--noinput", "--verbosity", "0")


def static_baseline_body(size: int) -> bytes:
    """An HTML page of exactly `size` bytes: the static file that every page is measured against."""
    head = (
        b'<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><title>Static baseline</title></head>'
        b"<body>\n"
    )
    tail = b"</body></html>\n"
    line = (
        b"<p>A static file as large as the catalogue page, served by whitenoise, to measure pages by.</p>\n"
    )
    if size <= len(head) + len(tail):
        return (head + tail)[:size]
    lines, room = divmod(size - len(head) - len(tail), len(line))
    return head + line * lines + b" " * room + tail


def write_static_baseline(size: int) -> Path:
    path = STATIC_ROOT / BASELINE_NAME
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(static_baseline_body(size))
    # whitenoise would serve precompressed copies to clients that accept them; remove stale ones.
    for stale in (path.with_name(path.name + ".gz"), path.with_name(path.name + ".br")):
        stale.unlink(missing_ok=True)
    return path


# Planning the scenarios: pure helpers


def decimal_text(value: Decimal) -> str:
    """A decimal as a form field takes it: "12.5", "1500", never "1.5E+3"."""
    text = format(value.normalize(), "f")
    return "0" if text in ("-0", "") else text


def median_value(values: list[Decimal]) -> Decimal:
    ordered = sorted(values)
    return ordered[(len(ordered) - 1) // 2]


@dataclass
class CategoryChoices:
    """What a cold filter path can combine within one category: its numeric filterable attributes with values
    seen in its products (attribute slug → values), and the makers of its products."""

    slug: str
    spec_values: dict[str, list[Decimal]]
    manufacturers: list[str]


def shuffled(items: list, rng: random.Random) -> list:
    rng.shuffle(items)
    return items


def third_filter(category: CategoryChoices, hubs: list[str], countries: list[str], rng: random.Random):
    """A filter beside the category and the specification bound: one of the catalogue's other filters."""
    kinds = ["available", "combat_proven", "authorised", "trl_min", "lead_time_max"]
    if hubs:
        kinds.append("hub")
    if countries:
        kinds.append("country")
    if category.manufacturers:
        kinds.append("manufacturer")
    kind = rng.choice(kinds)
    if kind in ("available", "combat_proven", "authorised"):
        return kind, "yes"
    if kind == "trl_min":
        return kind, str(rng.randint(1, 9))
    if kind == "lead_time_max":
        return kind, str(rng.randint(1, 52))
    if kind == "hub":
        return kind, rng.choice(hubs)
    if kind == "country":
        return kind, rng.choice(countries)
    return kind, rng.choice(category.manufacturers)


def filter_paths(
    categories: list[CategoryChoices], hubs: list[str], countries: list[str], count: int, rng: random.Random
) -> list[str]:
    """Up to `count` distinct catalogue paths with three filters each: a category, one bound of one of its
    numeric specifications (a value seen in its products) and one other filter, in random order."""
    usable = [category for category in categories if any(category.spec_values.values())]
    if not usable:
        return []
    paths: dict[str, None] = {}  # distinct, in a repeatable order for a given seed (unlike a set)
    for _attempt in range(count * 20):
        if len(paths) >= count:
            break
        category = rng.choice(usable)
        attribute = rng.choice([slug for slug, values in category.spec_values.items() if values])
        value = rng.choice(category.spec_values[attribute])
        bound = rng.choice(["min", "max"])
        query = [
            ("category", category.slug),
            (f"spec_{attribute}_{bound}", decimal_text(value)),
            third_filter(category, hubs, countries, rng),
        ]
        paths["/catalogue/?" + urlencode(query)] = None
    return shuffled(list(paths), rng)


def search_words(text: str, stop_words: frozenset[str]) -> list[str]:
    return [
        word
        for word in (match.group().lower() for match in SEARCH_WORD.finditer(text))
        if word not in stop_words
    ]


def typo(word: str, rng: random.Random) -> str:
    """The word with one slip of the keyboard after its first letter: a letter dropped, doubled, replaced, or
    two neighbours swapped."""
    position = rng.randrange(1, len(word) - 1)
    kind = rng.choice(["drop", "double", "replace", "swap"])
    if kind == "swap" and word[position] == word[position + 1]:
        kind = "drop"  # swapping the two m's of "jammer" would change nothing
    if kind == "drop":
        return word[:position] + word[position + 1 :]
    if kind == "double":
        return word[:position] + word[position] + word[position:]
    if kind == "replace":
        letter = rng.choice([letter for letter in "abcdefghijklmnopqrstuvwxyz" if letter != word[position]])
        return word[:position] + letter + word[position + 1 :]
    return word[:position] + word[position + 1] + word[position] + word[position + 2 :]


def search_paths(texts: list[str], stop_words: frozenset[str], count: int, rng: random.Random) -> list[str]:
    """Up to `count` distinct search paths made of the products' own words: half a single word, a quarter a
    word with a typo, a quarter two words of one product."""
    documents = [words for words in (search_words(text, stop_words) for text in texts) if words]
    vocabulary = sorted({word for words in documents for word in words})
    long_words = [word for word in vocabulary if len(word) >= 5]
    if not vocabulary:
        return []
    queries: dict[str, None] = {}
    for _attempt in range(count * 20):
        if len(queries) >= count:
            break
        roll = rng.random()
        if roll < 0.5:
            query = rng.choice(vocabulary)
        elif roll < 0.75 and long_words:
            query = typo(rng.choice(long_words), rng)
        else:
            words = rng.choice(documents)
            query = " ".join(rng.sample(words, 2)) if len(set(words)) > 1 else words[0]
        queries["/catalogue/?" + urlencode({"q": query})] = None
    # Single words run out first in a small vocabulary: shuffled, every stretch of the list has the same mix.
    return shuffled(list(queries), rng)


def eoi_form_template(delivery_from: date, delivery_until: date, country: str) -> str:
    """The shortlist's form for one product, urlencoded, with {csrf}, {key}, {product} and {listing} left to
    fill in (interests/forms.py: the formset's management form and line, then the EOI's own fields)."""
    fields = [
        ("csrfmiddlewaretoken", "{csrf}"),
        ("idempotency_key", "{key}"),
        ("lines-TOTAL_FORMS", "1"),
        ("lines-INITIAL_FORMS", "1"),
        ("lines-MIN_NUM_FORMS", "0"),
        ("lines-MAX_NUM_FORMS", "1"),
        ("lines-0-product", "{product}"),
        ("lines-0-include", "on"),
        ("lines-0-listing", "{listing}"),
        ("lines-0-quantity", "2"),
        ("lines-0-delivery_from", delivery_from.isoformat()),
        ("lines-0-delivery_until", delivery_until.isoformat()),
        ("end_user", "Bench load test, 1st Territorial Defence Brigade"),
        ("intended_use", "evaluation"),
        ("delivery_country", country),
        ("end_user_certificate", "in_preparation"),
        ("financing", "national_budget"),
        ("contact_name", "Bench Buyer"),
        ("contact_phone", "+49 30 5550 0000"),
        ("message", "Submitted by make bench."),
        ("declaration_accepted", "on"),
    ]
    return urlencode(fields, safe="{}")


def fill_eoi_form(template: str, *, csrf: str, key: str, product: int, listing: int) -> str:
    return (
        template.replace("{csrf}", csrf)
        .replace("{key}", key)
        .replace("{product}", str(product))
        .replace("{listing}", str(listing))
    )


# Planning the scenarios: from the bench database. Django is set up in main(), once the environment says which
# database and settings, so the project's modules are imported inside the functions that use them.


def demo_buyer_organisation():
    from partners.models import Buyer

    try:
        return (
            Buyer.objects.select_related("organisation", "user").get(user__username=DEMO_BUYER).organisation
        )
    except Buyer.DoesNotExist:
        raise SystemExit(f"No buyer {DEMO_BUYER!r} in the bench database: seed_demo did not run.") from None


def category_choices(sample_ids: list[int]) -> list[CategoryChoices]:
    """For every category with sampled products in it or below it: its numeric filterable attributes (its
    own and its ancestors') with the values the sampled products have, and their makers."""
    from products.models import Category, Product, SpecAttribute, SpecValue

    categories = list(Category.objects.order_by("pk"))
    children: dict[int | None, list[int]] = {}
    for category in categories:
        children.setdefault(category.parent_id, []).append(category.pk)

    def subtree(pk: int) -> set[int]:
        found, stack = set(), [pk]
        while stack:
            current = stack.pop()
            found.add(current)
            stack.extend(children.get(current, []))
        return found

    numeric = [SpecAttribute.ValueType.NUMBER, SpecAttribute.ValueType.RANGE]
    values = SpecValue.objects.filter(
        product_id__in=sample_ids, attribute__is_filterable=True, attribute__value_type__in=numeric
    ).values_list("product__category_id", "attribute_id", "number")
    by_category_attribute: dict[tuple[int, int], list[Decimal]] = {}
    for category_id, attribute_id, number in values:
        if number is not None:
            by_category_attribute.setdefault((category_id, attribute_id), []).append(number)
    makers: dict[int, set[str]] = {}
    for category_id, maker in Product.objects.filter(pk__in=sample_ids).values_list(
        "category_id", "manufacturer__slug"
    ):
        makers.setdefault(category_id, set()).add(maker)

    choices = []
    for category in categories:
        below = subtree(category.pk)
        if not any(pk in makers for pk in below):
            continue
        attributes = category.spec_attributes().filter(is_filterable=True, value_type__in=numeric)
        spec_values = {
            attribute.slug: sorted(
                number for pk in below for number in by_category_attribute.get((pk, attribute.pk), [])
            )
            for attribute in attributes
        }
        choices.append(
            CategoryChoices(
                slug=category.slug,
                spec_values=spec_values,
                manufacturers=sorted({maker for pk in below for maker in makers.get(pk, set())}),
            )
        )
    return choices


def product_texts(sample_ids: list[int]) -> list[str]:
    from products.models import Product

    # The English and the Ukrainian summary: buyers search in both, so the cold searches do too.
    rows = Product.objects.filter(pk__in=sample_ids).values_list(
        "name", "manufacturer__name", "summary_en", "summary_uk"
    )
    return [" ".join(text for text in row if text) for row in rows]


def warm_filter_choice(organisation) -> tuple[str, str, str, Decimal] | None:
    """The warm "three filters" page: the leaf category with the most published products that has a numeric
    filterable attribute, its attribute with the most values, and that attribute's median value.
    Returns (category slug, attribute slug, spec parameter, value)."""
    from django.db.models import Count

    from products.models import Category, Product, SpecAttribute, SpecValue

    numeric = [SpecAttribute.ValueType.NUMBER, SpecAttribute.ValueType.RANGE]
    leaves = Category.objects.filter(children__isnull=True)
    counts = (
        Product.objects.visible_to(organisation)
        .filter(category__in=leaves)
        .values("category_id")
        .annotate(products=Count("pk"))
        .order_by("-products", "category_id")
    )
    for row in counts:
        category = Category.objects.get(pk=row["category_id"])
        attributes = category.spec_attributes().filter(is_filterable=True, value_type__in=numeric)
        best = None
        for attribute in attributes:
            values = list(
                SpecValue.objects.filter(
                    attribute=attribute, product__category=category, number__isnull=False
                ).values_list("number", flat=True)
            )
            if values and (best is None or len(values) > len(best[1])):
                best = (attribute, values)
        if best:
            attribute, values = best
            return category.slug, attribute.slug, f"spec_{attribute.slug}_min", median_value(values)
    return None


def warm_filter_matches(organisation, category_slug: str, attribute_slug: str, value: Decimal) -> int:
    """How many products the warm "three filters" page finds, asked of the models rather than the page."""
    from hubs.models import Listing
    from products.models import Category, Product

    category = Category.objects.get(slug=category_slug)
    attribute = category.spec_attributes().get(slug=attribute_slug)
    available = Listing.objects.visible_to(organisation).available().values("product_id")
    return (
        Product.objects.visible_to(organisation)
        .in_category(category)
        .with_spec_between(attribute, minimum=value)
        .filter(pk__in=available)
        .count()
    )


def plan_scenarios(args: argparse.Namespace, rng: random.Random) -> tuple[list[Scenario], dict]:
    """The scenarios, and what the run must set up for them (compared products, EOI lines)."""
    from django.db.models import Count

    from hubs.models import Hub, Listing
    from products.models import Product
    from products.search import search_products
    from products.words import STOP_WORDS

    organisation = demo_buyer_organisation()
    published = Product.objects.visible_to(organisation)
    if not published.exists():
        raise SystemExit("The bench database has no published products.")
    visible_listings = Listing.objects.visible_to(organisation)
    setup: dict = {}

    warm_filter = warm_filter_choice(organisation)
    if warm_filter is None:
        raise SystemExit("No leaf category has a product with a numeric filterable specification.")
    category_slug, attribute_slug, spec_parameter, value = warm_filter
    filters_path = "/catalogue/?" + urlencode(
        [("category", category_slug), (spec_parameter, decimal_text(value)), ("available", "yes")]
    )
    in_category = published.filter(category__slug=category_slug).order_by("pk")
    with_listing = in_category.filter(pk__in=visible_listings.available().values("product_id"))
    product = with_listing.first() or in_category.first()
    setup["compared"] = list(in_category.values_list("pk", flat=True)[:3])
    busiest_hub = (
        visible_listings.values("hub__slug").annotate(listings=Count("pk")).order_by("-listings", "hub__slug")
    ).first()
    hub_slug = busiest_hub["hub__slug"] if busiest_hub else Hub.objects.active().order_by("name").first().slug

    all_ids = list(published.values_list("pk", flat=True))
    sample_ids = rng.sample(all_ids, min(SAMPLED_PRODUCTS, len(all_ids)))
    hubs = list(Hub.objects.active().values_list("slug", flat=True))
    countries = sorted({str(code) for code in Hub.objects.active().values_list("country", flat=True)})
    cold_filters = filter_paths(
        category_choices(sample_ids), hubs, countries, COLD_PATHS + QUERY_SAMPLES, rng
    )
    cold_searches = search_paths(product_texts(sample_ids), STOP_WORDS, COLD_PATHS + QUERY_SAMPLES, rng)

    scenarios = [
        Scenario("catalogue", "Catalogue", "warm", "/catalogue/"),
        Scenario("catalogue-filters", "Catalogue, three filters", "warm", filters_path),
        Scenario("search", "Search “jammer”", "warm", "/catalogue/?q=jammer"),
        Scenario("product", "Product page", "warm", f"/catalogue/{product.slug}/"),
        Scenario("compare", f"Compare ({len(setup['compared'])} products)", "warm", "/catalogue/compare/"),
        Scenario("hubs", "Hubs", "warm", "/hubs/"),
        Scenario("hub", "Hub page", "warm", f"/hubs/{hub_slug}/"),
        Scenario("interests", "My expressions of interest", "warm", "/interests/"),
        Scenario(
            "catalogue-filters-cold",
            "Catalogue, three filters (cold)",
            "cold",
            paths=cold_filters[QUERY_SAMPLES:],
            query_paths=cold_filters[:QUERY_SAMPLES],
        ),
        Scenario(
            "search-cold",
            "Search (cold)",
            "cold",
            paths=cold_searches[QUERY_SAMPLES:],
            query_paths=cold_searches[:QUERY_SAMPLES],
        ),
        Scenario("eoi", "EOI submission", "eoi", "/interests/shortlist/"),
    ]
    for scenario in scenarios:
        if scenario.kind == "cold":
            if not scenario.paths:
                raise SystemExit(
                    f"Could not make any path for {scenario.label}: is the bench database empty?"
                )
            scenario.path = scenario.paths[0]
    if args.scenarios:
        chosen = set(args.scenarios.split(","))
        scenarios = [scenario for scenario in scenarios if scenario.key in chosen]
    setup["data"] = {
        "published_products": len(all_ids),
        "warm_filter": {
            "category": category_slug,
            "attribute": attribute_slug,
            "min": decimal_text(value),
            "matches": warm_filter_matches(organisation, category_slug, attribute_slug, value),
        },
        "search_jammer_matches": search_products(published, "jammer").count(),
        "product": product.slug,
        "hub": hub_slug,
        "compared_products": setup["compared"],
        "demo_buyer_eois": organisation.expressions_of_interest.count(),
        "cold_filter_paths": len(cold_filters) - QUERY_SAMPLES,
        "cold_search_paths": len(cold_searches) - QUERY_SAMPLES,
    }
    return scenarios, setup


def give_demo_buyer_interests() -> int:
    """Give the demo buyer's organisation as many EOIs as the busiest generated organisation has, submitted
    the way the site submits them; returns how many were added. generate_catalogue leaves the demo
    organisations alone, and "My expressions of interest" should show what a busy buyer sees, not an empty
    page."""
    from django.db.models import Count
    from django.utils import timezone

    from interests.models import ExpressionOfInterest
    from interests.submission import eligible_listings, submit_interest
    from partners.models import Buyer

    buyer = Buyer.objects.select_related("organisation", "user").get(user__username=DEMO_BUYER)
    organisation = buyer.organisation
    busiest = (
        ExpressionOfInterest.objects.exclude(organisation=organisation)
        .exclude(organisation__name=EOI_ORGANISATION)  # the bench's own, which grows with every run
        .values("organisation")
        .annotate(interests=Count("pk"))
        .order_by("-interests")
        .first()
    )
    wanted = busiest["interests"] if busiest else 0
    held = organisation.expressions_of_interest.count()
    listings = list(eligible_listings(organisation).order_by("pk")[:200])
    if held >= wanted or not listings:
        return 0
    today = timezone.localdate()
    for number in range(held, wanted):
        submit_interest(
            buyer=buyer,
            organisation=organisation,
            details={
                "end_user": "Bench: 2nd Logistics Battalion",
                "intended_use": "training",
                "intended_use_other": "",
                "delivery_country": organisation.country.code,
                "end_user_certificate": "available",
                "financing": "national_budget",
                "financing_other": "",
                "contact_name": buyer.user.get_full_name() or DEMO_BUYER,
                "contact_phone": "+49 30 5550 0001",
                "message": "",
                "declaration_accepted": True,
            },
            lines=[
                {
                    "listing": listings[number % len(listings)],
                    "quantity": 1 + number % 5,
                    "delivery_from": today + timedelta(days=60),
                    "delivery_until": today + timedelta(days=180),
                }
            ],
            # The same key for the same number: a rerun finds the EOI instead of adding another.
            idempotency_key=uuid.uuid5(uuid.NAMESPACE_URL, f"hubcatalog-bench-demo-buyer-{number}"),
        )
    return wanted - held


def prepare_eoi_buyers(count: int) -> list[tuple[str, str]]:
    """`count` buyers of the bench's own approved organisation in Germany, each with a new random password
    (returned), and empty shortlists: one per EOI connection."""
    from django.contrib.auth import get_user_model

    from hubs.models import Hub
    from interests.models import ShortlistItem
    from partners.models import Buyer, PartnerOrganisation

    organisation, _created = PartnerOrganisation.objects.named(EOI_ORGANISATION, EOI_COUNTRY).get_or_create(
        defaults={
            "name": EOI_ORGANISATION,
            "country": EOI_COUNTRY,
            "kind": PartnerOrganisation.Kind.PROCUREMENT_AGENCY,
        }
    )
    if organisation.vetting_status != PartnerOrganisation.VettingStatus.APPROVED:
        organisation.set_vetting_status(PartnerOrganisation.VettingStatus.APPROVED)
    organisation.hubs.set(Hub.objects.active().filter(country=EOI_COUNTRY))
    accounts = []
    for number in range(1, count + 1):
        username = EOI_USERNAME.format(number=number)
        user, _created = get_user_model().objects.get_or_create(
            username=username, defaults={"email": f"{username}@hubcatalog.example", "first_name": "Bench"}
        )
        password = secrets.token_urlsafe(18)
        user.set_password(password)
        user.is_active = True
        user.save()
        Buyer.objects.update_or_create(
            user=user, defaults={"organisation": organisation, "job_title": "Load test"}
        )
        ShortlistItem.objects.filter(user=user).delete()
        accounts.append((username, password))
    return accounts


def eoi_lines(rng: random.Random) -> list[tuple[int, int]]:
    """(product, listing) pairs the bench's buyers may express interest in, in random order."""
    from interests.submission import eligible_listings
    from partners.models import PartnerOrganisation

    organisation = PartnerOrganisation.objects.named(EOI_ORGANISATION, EOI_COUNTRY).get()
    pairs = list(eligible_listings(organisation).order_by("pk").values_list("product_id", "pk"))
    rng.shuffle(pairs)
    return pairs[:EOI_PRODUCTS]


def clear_eoi_shortlists() -> None:
    from interests.models import ShortlistItem

    ShortlistItem.objects.filter(user__username__startswith="bench-eoi-").delete()


# Counting queries and the catalogue page's size, in this process


def test_client(username: str):
    from django.contrib.auth import get_user_model
    from django.test import Client

    client = Client(HTTP_HOST=HOST, raise_request_exception=False)
    client.force_login(get_user_model().objects.get(username=username))
    return client


def counted(client, method: str, path: str, data=None) -> tuple[int, int, int]:
    """(status, SQL queries, bytes) of one request through Django's test client."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as context:
        if method == "GET":
            response = client.get(path)
        else:
            response = client.post(path, data, content_type="application/x-www-form-urlencoded")
    return response.status_code, len(context.captured_queries), len(response.content)


def catalogue_page_size() -> int:
    status, _queries, size = counted(test_client(DEMO_BUYER), "GET", "/catalogue/")
    if status != 200:
        raise SystemExit(f"The catalogue answered {status} to the demo buyer in this process.")
    return size


def count_queries(scenarios: list[Scenario], setup: dict, eoi: dict) -> list[str]:
    """Each scenario's SQL queries per request, as the same buyer on the same database. Warm pages are asked
    twice and the second request counted; cold ones are the mean over paths like theirs that wrk will not send
    (with a shared cache, counting a path here would answer it for wrk). Returns problems found."""
    problems = []
    client = test_client(DEMO_BUYER)
    client.post("/catalogue/compare/toggle/", {"action": "clear"})
    for pk in setup["compared"]:
        client.post("/catalogue/compare/toggle/", {"product": pk, "action": "add"})
    for scenario in scenarios:
        if scenario.kind == "warm":
            client.get(scenario.path)
            status, queries, _size = counted(client, "GET", scenario.path)
            scenario.queries = queries
            if status != 200:
                problems.append(f"{scenario.label}: {scenario.path} answered {status} in this process")
        elif scenario.kind == "cold":
            started, counts = time.monotonic(), []
            for path in scenario.query_paths:
                status, queries, _size = counted(client, "GET", path)
                counts.append(queries)
                if status != 200:
                    problems.append(f"{scenario.label}: {path} answered {status} in this process")
                if len(counts) >= 3 and time.monotonic() - started > QUERY_SAMPLE_SECONDS:
                    break
            scenario.queries = statistics.mean(counts)
            scenario.query_detail = {"paths_counted": len(counts), "min": min(counts), "max": max(counts)}
        elif scenario.kind == "eoi":
            problems.extend(count_eoi_queries(scenario, eoi))
    return problems


def count_eoi_queries(scenario: Scenario, eoi: dict) -> list[str]:
    """One submission through the test client, step by step, with the form wrk will send: it proves the form
    right before wrk sends it thousands of times."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    if not eoi["lines"]:
        return [f"{scenario.label}: no listing is open to {EOI_COUNTRY} buyers' expressions of interest"]
    product, listing = eoi["lines"][0]
    client = test_client(EOI_USERNAME.format(number=1))
    add = counted(client, "POST", "/interests/shortlist/add/", urlencode({"product": product}))
    form = counted(client, "GET", "/interests/shortlist/")
    # The test client checks no CSRF token; wrk's requests carry the real one.
    body = fill_eoi_form(eoi["form"], csrf="", key=str(uuid.uuid4()), product=product, listing=listing)
    with CaptureQueriesContext(connection) as context:
        response = client.post(
            "/interests/shortlist/", body, content_type="application/x-www-form-urlencoded"
        )
    clear_eoi_shortlists()
    scenario.queries = len(context.captured_queries)
    scenario.query_detail = {"add": add[1], "form": form[1], "submit": scenario.queries}
    if response.status_code != 302 or "/submitted/" not in response.get("Location", ""):
        return [
            f"{scenario.label}: the form wrk would send was refused in this process (status "
            f"{response.status_code}): {form_errors(response.content)}"
        ]
    return []


def form_errors(html: bytes) -> str:
    """The error messages of a re-rendered form, roughly, for a message to whoever runs the bench."""
    text = html.decode("utf-8", "replace")
    found = re.findall(
        r'class="[^"]*(?:invalid-feedback|alert-danger|errorlist)[^"]*"[^>]*>(.*?)</', text, re.S
    )
    cleaned = [re.sub(r"<[^>]+>|\s+", " ", item).strip() for item in found]
    return "; ".join(item for item in cleaned if item)[:1000] or "(no error message found)"


# The server


def port_is_free(port: int) -> bool:
    with socket.socket() as probe:
        # As gunicorn does: connections of the last run waiting in TIME_WAIT do not make the port busy.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((HOST, port))
        except OSError:
            return False
    return True


def server_log_path(products: int, database_url: str) -> Path:
    """gunicorn's log of the last run of this size on this database (ignored by git)."""
    vendor = "postgresql" if is_postgresql(database_url) else "sqlite"
    return RESULTS_DIR / f"gunicorn-{products}-{vendor}.log"


def server_errors(log: str) -> list[str]:
    """What went wrong on the server, from gunicorn's log: each exception behind an "Internal Server Error"
    (its first line, as Django's log gives it) and worker timeouts, most frequent first, with counts."""
    found: Counter[str] = Counter()
    lines = log.splitlines()
    for number, line in enumerate(lines):
        if "WORKER TIMEOUT" in line:
            found["gunicorn: worker timeout (a request took longer than gunicorn's timeout)"] += 1
        if not line.startswith("Internal Server Error:"):
            continue
        for following in lines[number + 1 :]:
            if following.startswith("Internal Server Error:"):
                break  # a traceback with no exception line: the next error begins
            if following and not following[0].isspace() and not following.startswith(NOT_AN_EXCEPTION):
                found[following.strip()[:300]] += 1
                break
    return [f"{count} × {message}" for message, count in found.most_common()]


class Server:
    """gunicorn with gunicorn.conf.py, in a session of its own so that stopping it stops its workers too."""

    def __init__(self, port: int, log_path: Path):
        self.port = port
        self.log_path = log_path
        self.process = None
        self.log = None

    def start(self) -> None:
        RESULTS_DIR.mkdir(parents=True, exist_ok=True)
        # gunicorn.conf.py logs every request to stdout: to a file here, not the terminal.
        self.log = self.log_path.open("wb")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "--config", "gunicorn.conf.py", "hubcatalog.wsgi"],
            cwd=BASE_DIR,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def wait_until_ready(self, limit: float = 60) -> None:
        deadline = time.monotonic() + limit
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"gunicorn exited with status {self.process.returncode}:\n{self.log_tail()}")
            try:
                status, _headers, _body = Browser(self.port).request("GET", "/healthz")
                if status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise SystemExit(f"/healthz did not answer 200 within {limit:.0f} s:\n{self.log_tail()}")

    def wait_until_idle(self, interval: float = 0.5) -> float:
        """Wait until the workers are idle, and return how long that took: requests that wrk gave up on at the
        end of a scenario are still being answered, and would slow the next scenario down."""
        started = time.monotonic()
        before = site_cpu_seconds(self.process.pid, process_table())
        while time.monotonic() - started < IDLE_LIMIT_SECONDS:
            time.sleep(interval)
            after = site_cpu_seconds(self.process.pid, process_table())
            if max(after - before, 0) / interval < IDLE_CPU:
                break
            before = after
        return time.monotonic() - started

    def log_tail(self, lines: int = 30) -> str:
        if self.log:
            self.log.flush()
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        try:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
        except ProcessLookupError:
            pass
        finally:
            if self.log:
                self.log.close()


def process_table() -> dict[int, tuple[int, int, int, str]]:
    """pid → (parent pid, CPU ticks of its own, CPU ticks of its children that ended, command line)."""
    table = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            command = (stat.parent / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except (OSError, IndexError):
            continue  # a process that ended meanwhile
        own = int(fields[11]) + int(fields[12])  # utime, stime
        children = int(fields[13]) + int(fields[14])  # cutime, cstime: children that ended and were reaped
        table[int(stat.parent.name)] = (int(fields[1]), own, children, command)
    return table


def site_cpu_seconds(server_pid: int, table: dict) -> float:
    """CPU time used so far by gunicorn: its master, its workers, and the workers that ended (recycled after
    max_requests), which the master's reaped-children time holds."""
    ticks = 0
    for pid, (parent, own, children, _command) in table.items():
        if pid == server_pid:
            ticks += own + children
        elif parent == server_pid:
            ticks += own
    return ticks / os.sysconf("SC_CLK_TCK")


class CpuMeter:
    """Where the machine's CPU went during a run: gunicorn (its workers included, those that ended too),
    PostgreSQL serving the bench database, wrk, and everything else. On a shared machine "other" says how
    much the figures were disturbed."""

    def __init__(self, server_pid: int, database: str):
        self.server_pid = server_pid
        self.database_marker = f" {database} " if database else None
        self.tick = os.sysconf("SC_CLK_TCK")

    def sample(self) -> dict:
        with open("/proc/stat") as stat:
            values = [int(value) for value in stat.readline().split()[1:]]
        # user, nice, system, (idle, iowait,) irq, softirq, steal
        busy = values[0] + values[1] + values[2] + sum(values[5:8])
        table = process_table()
        database = self.database_ticks(table) if self.database_marker else 0
        child_usage = resource.getrusage(resource.RUSAGE_CHILDREN)
        return {
            "time": time.monotonic(),
            "busy": busy / self.tick,
            "site": site_cpu_seconds(self.server_pid, table),
            "database": database / self.tick,
            # wrk, once it ended (gunicorn has not ended yet, so it is not in here)
            "wrk": child_usage.ru_utime + child_usage.ru_stime,
        }

    def database_ticks(self, table: dict) -> int:
        """PostgreSQL's CPU for the bench: the bench database's backends, their parallel query workers, and
        the server's children that ended (parallel workers live for one query; a backend of another
        database that ends during the run is counted here too)."""
        servers = Counter(
            parent for parent, _own, _children, command in table.values() if command.startswith("postgres: ")
        )
        postmaster = servers.most_common(1)[0][0] if servers else None
        backends = {
            pid
            for pid, (_parent, _own, _children, command) in table.items()
            if command.startswith("postgres: ") and self.database_marker in command
        }
        ticks = 0
        for pid, (_parent, own, children, command) in table.items():
            worker_of = PARALLEL_WORKER.search(command) if command.startswith("postgres: ") else None
            if pid in backends or (worker_of and int(worker_of.group(1)) in backends):
                ticks += own
            elif pid == postmaster:
                ticks += children
        return ticks

    @staticmethod
    def cores(before: dict, after: dict) -> dict:
        """Average cores used between two samples, by whom."""
        seconds = after["time"] - before["time"]
        used = {
            name: max(after[name] - before[name], 0) / seconds for name in ("busy", "site", "database", "wrk")
        }
        other = max(used["busy"] - used["site"] - used["database"] - used["wrk"], 0)
        return {
            "site": round(used["site"], 2),
            "database": round(used["database"], 2),
            "wrk": round(used["wrk"], 2),
            "other": round(other, 2),
        }


class Browser:
    """Just enough of a browser to log in and set up a session before wrk runs: it keeps cookies, and does
    not follow redirects."""

    def __init__(self, port: int):
        self.port = port
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, form: dict | None = None):
        connection = HTTPConnection(HOST, self.port, timeout=120)
        headers = {}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            content = response.read()
        finally:
            connection.close()
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                if morsel["max-age"] == "0" or morsel.value == "":
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value
        return response.status, response.headers, content

    def csrf_token(self) -> str:
        from django.conf import settings

        return self.cookies.get(settings.CSRF_COOKIE_NAME, "")

    def post(self, path: str, form: dict):
        return self.request("POST", path, {"csrfmiddlewaretoken": self.csrf_token(), **form})

    def log_in(self, username: str, password: str) -> None:
        self.request("GET", "/accounts/login/")
        status, headers, _body = self.post(
            "/accounts/login/", {"username": username, "password": password, "next": "/catalogue/"}
        )
        if status != 302 or headers.get("Location") != "/catalogue/":
            raise SystemExit(f"Logging in as {username} failed: {status} {headers.get('Location', '')}")
        status, headers, _body = self.request("GET", "/catalogue/")
        if status != 200:
            location = headers.get("Location", "")
            raise SystemExit(f"After logging in as {username} the catalogue answered {status} {location}")

    def cookie_header(self) -> str:
        """The session and CSRF cookies only: a messages cookie sent with every request would show its
        message on every page."""
        from django.conf import settings

        names = (settings.SESSION_COOKIE_NAME, settings.CSRF_COOKIE_NAME)
        return "; ".join(f"{name}={self.cookies[name]}" for name in names if name in self.cookies)


def compare_products(browser: Browser, product_ids: list[int]) -> None:
    """Put the products in the buyer's comparison (it lives in the session)."""
    browser.post("/catalogue/compare/toggle/", {"action": "clear", "next": "/catalogue/compare/"})
    for pk in product_ids:
        status, _headers, _body = browser.post(
            "/catalogue/compare/toggle/", {"product": pk, "action": "add", "next": "/catalogue/compare/"}
        )
        if status != 302:
            raise SystemExit(f"Adding product {pk} to the comparison answered {status}.")
    browser.request("GET", "/catalogue/compare/")  # shows, and so uses up, the messages


# wrk


def wrk_version() -> str:
    completed = subprocess.run(["wrk", "--version"], capture_output=True, text=True)
    return (completed.stdout + completed.stderr).splitlines()[0].split(" Copyright")[0].strip()


def parse_wrk_output(output: str) -> dict:
    """The JSON that the scripts' done() prints on a line of its own after "BENCH_RESULT "."""
    for line in output.splitlines():
        if line.startswith("BENCH_RESULT "):
            return json.loads(line.removeprefix("BENCH_RESULT "))
    raise ValueError("wrk printed no BENCH_RESULT line:\n" + output[-2000:])


def run_wrk(
    url: str,
    script: str,
    *,
    connections: int,
    threads: int,
    duration: int,
    timeout: int,
    headers: tuple[str, ...] = (),
    script_args: tuple[str, ...] = (),
) -> dict:
    command = [
        "wrk",
        f"--threads={min(threads, connections)}",
        f"--connections={connections}",
        f"--duration={duration}s",
        f"--timeout={timeout}s",
        f"--script={BENCH_DIR / script}",
    ]
    for header in headers:
        command += ["--header", header]
    command += [url, "--", *script_args]
    completed = subprocess.run(command, capture_output=True, text=True, timeout=duration + timeout + 120)
    if completed.returncode != 0:
        raise RuntimeError(f"wrk failed ({completed.returncode}):\n{completed.stdout}{completed.stderr}")
    return parse_wrk_output(completed.stdout)


# Results: pure helpers


def percentile(values: list[float], percent: float) -> float | None:
    """The nearest-rank percentile: the smallest value with at least `percent` % of the values at or below."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * percent // 100))  # ceil without floats
    return ordered[int(rank) - 1]


def summarise(raw: dict, *, expected: set[str]) -> dict:
    """A scenario's figures from the wrk script's JSON: rates, latencies in ms, errors, bytes."""
    seconds = raw["duration_us"] / 1e6
    requests = raw["requests"]
    statuses = {str(status): count for status, count in (raw.get("statuses") or {}).items()}
    unexpected = sum(count for status, count in statuses.items() if status not in expected)
    errors = {
        "connect": raw["errors"]["connect"],
        "read": raw["errors"]["read"],
        "write": raw["errors"]["write"],
        "timeout": raw["errors"]["timeout"],
        "unexpected_status": unexpected,
    }
    latency = raw["latency_us"]
    return {
        "seconds": round(seconds, 3),
        "requests": requests,
        "requests_per_second": requests / seconds if seconds else 0.0,
        "latency_ms": {
            name: (latency[name] / 1000 if requests else None) for name in ("p50", "p90", "p95", "p99", "max")
        },
        "errors": {**errors, "total": sum(errors.values())},
        "statuses": statuses,
        "bytes_per_response": round(raw["bytes"] / requests) if requests else None,
    }


def summarise_eoi(raw: dict) -> dict:
    """The EOI scenario: its rate is submitted EOIs per second, its latencies the form submission's; each
    step's figures are kept too. wrk's own figures (all steps mixed) stay under "all_requests"."""
    overall = summarise(raw, expected={"200", "302"})
    extra = raw["extra"]
    steps = {}
    for step in ("add", "form", "submit"):
        times = list((extra.get("step_ms") or {}).get(step) or [])
        steps[step] = {
            "ok": (extra.get("step_ok") or {}).get(step, 0),
            "failed": (extra.get("step_failed") or {}).get(step, 0),
            "latency_ms": {
                "p50": percentile(times, 50),
                "p90": percentile(times, 90),
                "p95": percentile(times, 95),
                "p99": percentile(times, 99),
                "max": max(times) if times else None,
            },
        }
    failed_steps = sum((extra.get("step_failed") or {}).values())
    socket_errors = sum(overall["errors"][name] for name in ("connect", "read", "write", "timeout"))
    submitted = steps["submit"]["ok"]
    return {
        "seconds": overall["seconds"],
        "requests": submitted,
        "requests_per_second": submitted / overall["seconds"] if overall["seconds"] else 0.0,
        "latency_ms": steps["submit"]["latency_ms"],
        "errors": {
            "connect": overall["errors"]["connect"],
            "read": overall["errors"]["read"],
            "write": overall["errors"]["write"],
            "timeout": overall["errors"]["timeout"],
            "failed_steps": failed_steps,
            "total": socket_errors + failed_steps,
        },
        "failures": extra.get("failures") or {},
        "steps": steps,
        "statuses": overall["statuses"],
        "bytes_per_response": overall["bytes_per_response"],
        "all_requests": {
            "requests": overall["requests"],
            "requests_per_second": overall["requests_per_second"],
            "latency_ms": overall["latency_ms"],
        },
    }


def evaluate_targets(rows: list[dict]) -> list[dict]:
    """The issue's targets, for the scenarios that ran."""
    found = []
    for row in rows:
        if row["key"] not in TARGETS:
            continue
        least_ratio, most_p95 = TARGETS[row["key"]]
        ratio = row.get("ratio") or 0.0
        found.append(
            {
                "scenario": row["key"],
                "what": f"ratio ≥ {least_ratio}",
                "measured": round(ratio, 4),
                "met": ratio >= least_ratio,
            }
        )
        if most_p95 is not None:
            p95 = row["latency_ms"]["p95"]
            found.append(
                {
                    "scenario": row["key"],
                    "what": f"p95 ≤ {most_p95} ms",
                    "measured": None if p95 is None else round(p95, 1),
                    "met": p95 is not None and p95 <= most_p95,
                }
            )
    return found


def milliseconds(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value:.0f} ms" if value >= 100 else f"{value:.1f} ms"


def rate(value: float) -> str:
    return f"{value:,.0f}" if value >= 100 else f"{value:.1f}"


def target_text(key: str, targets: list[dict]) -> str:
    mine = [target for target in targets if target["scenario"] == key]
    return ", ".join(f"{target['what']}: {'yes' if target['met'] else 'no'}" for target in mine)


def markdown_table(rows: list[dict], targets: list[dict]) -> str:
    header = (
        "| page | req/s | ratio to static | p50 | p95 | p99 | errors | queries | bytes | target |\n"
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |"
    )
    lines = [header]
    for row in rows:
        queries = row.get("queries")
        # wrk leaves answers slower than --timeout out of its percentiles: with timeouts, lower bounds.
        at_least = "≥ " if row["errors"].get("timeout") else ""
        cells = [
            row["label"],
            rate(row["requests_per_second"]),
            "—" if row.get("ratio") is None else f"{row['ratio']:.3f}",
            *(
                at_least + milliseconds(value) if value is not None else "—"
                for value in (row["latency_ms"]["p50"], row["latency_ms"]["p95"], row["latency_ms"]["p99"])
            ),
            str(row["errors"]["total"]),
            "—" if queries is None else (f"{queries:.1f}" if queries % 1 else f"{queries:.0f}"),
            "—" if row["bytes_per_response"] is None else f"{row['bytes_per_response']:,}",
            target_text(row["key"], targets),
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def other_cpu(rows: list[dict]) -> str:
    """How much CPU other processes took during the runs, as CpuMeter measured it."""
    others = [row["cpu_cores"]["other"] for row in rows if row.get("cpu_cores")]
    if not others:
        return "no measure of CPU"
    return f"{statistics.mean(others):.2f} cores on average, {max(others):.2f} at most"


def markdown_report(report: dict) -> str:
    settings = report["settings"]
    gunicorn = settings["gunicorn"]
    static = report["static"]
    data = report["data"]
    warm = data["warm_filter"]
    lines = [
        f"# Benchmark: {report['products']:,} products on {settings['database']}",
        "",
        f"{report['date']}, commit {report['commit']}; `{report['command']}`",
        "",
        "| setting | value |",
        "| --- | --- |",
        f"| machine | {settings['cpu']}, {settings['cores']} cores, Python {settings['python']}, "
        f"Django {settings['django']} |",
        f"| gunicorn | {gunicorn['workers']} workers × {gunicorn['threads']} threads "
        f"({gunicorn['worker_class']}), timeout {gunicorn['timeout']} s, "
        f"max_requests {gunicorn['max_requests']} |",
        f"| cache | {settings['cache']} |",
        f"| load | {settings['wrk']}, {settings['threads']} threads; {settings['connections']} connections "
        f"(static, warm), {settings['cold_connections']} (cold), {settings['eoi_connections']} (EOI); "
        f"{settings['duration']} s each, timeout {settings['timeout']} s |",
        f"| static file | {static['bytes']:,} bytes: {rate(static['first'])} req/s first, "
        f"{rate(static['last'])} last, {rate(static['mean'])} mean (the denominator) |",
        f"| data | {data['published_products']:,} published products; three filters: category "
        f"{warm['category']}, {warm['attribute']} ≥ {warm['min']}, available now ({warm['matches']:,} "
        f"products); “jammer”: {data['search_jammer_matches']:,} products; product {data['product']}; "
        f"hub {data['hub']}; {data['demo_buyer_eois']} EOIs on the buyer's page (as many as the busiest "
        "generated organisation has) |",
        f"| cold paths | {data['cold_filter_paths']:,} filter combinations, {data['cold_search_paths']:,} "
        f"searches (seed {report['seed']}) |",
        f"| other load | other processes on the machine: {other_cpu(report['scenarios'])} during the runs |",
        "",
        markdown_table(report["scenarios"], report["targets"]),
        "",
        "req/s: completed requests per second (EOI submission: EOIs submitted per second). Ratio: req/s "
        "over the static file's mean. Latencies: wrk's (EOI: the form submission's); with timeouts they are "
        "lower bounds (≥), as wrk leaves answers slower than its timeout out. Errors: socket errors, "
        "timeouts and unexpected statuses. Queries: SQL queries per request, counted in-process (cold: mean "
        "over paths like the ones sent; EOI: the submission). Bytes: per response, headers included.",
    ]
    notes = report.get("notes") or []
    if notes:
        lines += ["", "Notes:", "", *(f"- {note}" for note in notes)]
    return "\n".join(lines) + "\n"


# Describing the run


def code_fingerprint() -> str:
    """A digest of the code the site runs (Python, templates, translations): the commit, the uncommitted
    changes, the untracked files' times. gunicorn recycles its workers (max_requests), and a new worker loads
    the code as it is on disk then."""

    def git(*arguments: str) -> bytes:
        return subprocess.run(["git", *arguments], cwd=BASE_DIR, capture_output=True).stdout

    digest = hashlib.sha256(git("rev-parse", "HEAD"))
    site_code = ("--", "*.py", "templates", "locale", ":(exclude)bench", ":(exclude)tests")
    digest.update(git("diff", "HEAD", *site_code))
    for name in git("ls-files", "--others", "--exclude-standard", *site_code).decode().splitlines():
        try:
            digest.update(f"{name} {(BASE_DIR / name).stat().st_mtime_ns}".encode())
        except OSError:
            digest.update(f"{name} gone".encode())
    return digest.hexdigest()


def git_commit() -> str:
    def git(*arguments):
        completed = subprocess.run(["git", *arguments], cwd=BASE_DIR, capture_output=True, text=True)
        return completed.stdout.strip() if completed.returncode == 0 else ""

    commit = git("rev-parse", "--short", "HEAD") or "unknown"
    return f"{commit} with uncommitted changes" if git("status", "--porcelain") else commit


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def database_description() -> tuple[str, str]:
    """(vendor, "SQLite 3.40.1" or "PostgreSQL 15.8")."""
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SHOW server_version")
            return "postgresql", f"PostgreSQL {cursor.fetchone()[0].split()[0]}"
        cursor.execute("SELECT sqlite_version()")
        return connection.vendor, f"SQLite {cursor.fetchone()[0]}"


def command_line(argv: list[str]) -> str:
    return " ".join(["bench/run.py", *argv])


# The run


@contextmanager
def timed(timings: dict, name: str):
    started = time.monotonic()
    try:
        yield
    finally:
        timings[name] = round(time.monotonic() - started, 1)


class Load:
    """gunicorn under wrk, one scenario at a time, all as the same logged-in buyer."""

    def __init__(self, args: argparse.Namespace, server: Server, cookie: str, eoi: dict, database: str):
        self.args = args
        self.server = server
        self.meter = CpuMeter(server.process.pid, database)
        self.cpu = {}  # the last measured run's CpuMeter.cores()
        self.base_url = f"http://{HOST}:{args.port}"
        self.cookie_header = f"Cookie: {cookie}"
        self.eoi = eoi  # the EOI buyers' accounts, the (product, listing) pairs, the form
        self.notes: list[str] = []

    def measure(self, scenario: Scenario, label: str | None = None) -> dict:
        quiet_wait = self.wait_for_quiet()
        if scenario.kind in ("static", "warm"):
            result = self.fixed_url(scenario.path)
        elif scenario.kind == "cold":
            result = self.cold_paths(scenario)
        else:
            result = self.eoi_submissions()
        # Requests that wrk gave up on at the end are still being answered: wait, so that they do not slow
        # the next scenario down.
        result["cpu_cores"] = self.cpu
        result["quiet_wait_seconds"] = round(quiet_wait, 1)
        result["idle_wait_seconds"] = round(self.server.wait_until_idle(), 1)
        row = {
            "key": scenario.key,
            "label": label or scenario.label,
            "kind": scenario.kind,
            "path": scenario.path,
            "queries": scenario.queries,
            "query_detail": scenario.query_detail,
            **result,
        }
        print(
            f"   {row['label']}: {rate(row['requests_per_second'])} req/s, "
            f"p95 {milliseconds(row['latency_ms']['p95'])}, {row['errors']['total']} errors",
            flush=True,
        )
        return row

    def wait_for_quiet(self) -> float:
        """With --wait-for-quiet: wait until other processes use less than OTHER_CPU_NOTE cores, at most that
        many seconds; returns the seconds waited."""
        started = time.monotonic()
        said = False
        while time.monotonic() - started < self.args.wait_for_quiet:
            before = self.meter.sample()
            time.sleep(1)
            other = CpuMeter.cores(before, self.meter.sample())["other"]
            if other < OTHER_CPU_NOTE:
                break
            if not said:
                print(f"   (other processes use {other:.2f} cores: waiting for them)", flush=True)
                said = True
        waited = time.monotonic() - started
        if said:
            print(f"   (waited {waited:.0f} s)", flush=True)
        return waited

    def wrk(self, script: str, path: str, connections: int, duration: int, **options) -> dict:
        before = self.meter.sample()
        raw = run_wrk(
            self.base_url + path,
            script,
            connections=connections,
            threads=options.pop("threads", self.args.threads),
            duration=duration,
            timeout=self.args.timeout,
            **options,
        )
        self.cpu = CpuMeter.cores(before, self.meter.sample())
        return raw

    def fixed_url(self, path: str) -> dict:
        connections = self.args.connections
        if self.args.warmup:
            self.wrk("get.lua", path, connections, self.args.warmup, headers=(self.cookie_header,))
            self.server.wait_until_idle()
        raw = self.wrk("get.lua", path, connections, self.args.duration, headers=(self.cookie_header,))
        return {**summarise(raw, expected={"200"}), "connections": connections}

    def cold_paths(self, scenario: Scenario) -> dict:
        connections = self.args.cold_connections
        threads = min(self.args.threads, connections)
        paths_file = SCRATCH_DIR / f"{scenario.key}.txt"
        paths_file.write_text("\n".join(scenario.paths) + "\n")
        raw = self.wrk(
            "paths.lua",
            "/catalogue/",
            connections,
            self.args.duration,
            threads=threads,
            headers=(self.cookie_header,),
            script_args=(str(paths_file), str(threads)),
        )
        result = summarise(raw, expected={"200"})
        result.update(connections=connections, sent=raw["extra"]["sent"])
        result["distinct_paths"] = raw["extra"]["distinct_paths"]
        if result["sent"] > result["distinct_paths"]:
            self.notes.append(
                f"{scenario.label}: {result['sent']} requests sent for {result['distinct_paths']} distinct "
                "paths, so some were repeated (a cache could answer those)."
            )
        return result

    def eoi_submissions(self) -> dict:
        """Log each EOI connection in as a buyer of its own, then let eoi.lua submit EOIs through them."""
        sessions = []
        for username, password in self.eoi["accounts"]:
            browser = Browser(self.args.port)
            browser.log_in(username, password)
            sessions.append(f"{browser.cookie_header()}\t{browser.csrf_token()}")
        clear_eoi_shortlists()
        sessions_file = SCRATCH_DIR / "eoi-sessions.txt"
        sessions_file.write_text("\n".join(sessions) + "\n")
        lines_file = SCRATCH_DIR / "eoi-lines.txt"
        lines_file.write_text("".join(f"{product}\t{listing}\n" for product, listing in self.eoi["lines"]))
        form_file = SCRATCH_DIR / "eoi-form.txt"
        form_file.write_text(self.eoi["form"])
        connections = len(sessions)
        raw = self.wrk(
            "eoi.lua",
            "/interests/shortlist/",
            connections,
            self.args.duration,
            threads=connections,  # one connection per thread: each thread is one buyer
            script_args=(
                str(sessions_file),
                str(lines_file),
                str(form_file),
                secrets.token_hex(4),  # the submission keys' prefix, new each run
                str(connections),
            ),
        )
        clear_eoi_shortlists()
        return {**summarise_eoi(raw), "connections": connections}


def run_load(
    args: argparse.Namespace,
    database_url: str,
    scenarios: list[Scenario],
    setup: dict,
    eoi: dict,
    log_path: Path,
) -> tuple[list, list]:
    """Start gunicorn, log the buyer in, measure the static file, the scenarios, the static file again;
    stop gunicorn whatever happens. Returns the rows (static first and last) and notes."""
    from django.db import connections

    connections.close_all()  # nothing of this process stays open on the database while wrk runs
    SCRATCH_DIR.mkdir(parents=True, exist_ok=True)
    server = Server(args.port, log_path)
    log_name = server.log_path.relative_to(BASE_DIR)
    print(f"== gunicorn on http://{HOST}:{args.port} (log: {log_name})", flush=True)
    try:
        server.start()
        server.wait_until_ready()
        buyer = Browser(args.port)
        buyer.log_in(DEMO_BUYER, DEMO_BUYER_PASSWORD)
        compare_products(buyer, setup["compared"])
        database = database_name(database_url) if is_postgresql(database_url) else ""
        load = Load(args, server, buyer.cookie_header(), eoi, database)
        static = Scenario("static", "Static file", "static", BASELINE_URL)
        print("== Load", flush=True)
        rows = [load.measure(static, "Static file (first)")]
        rows += [load.measure(scenario) for scenario in scenarios]
        rows.append(load.measure(static, "Static file (last)"))
    finally:
        server.stop()
        connections.close_all()
    notes = load.notes
    errors = server_errors(server.log_path.read_text(errors="replace"))
    if errors:
        notes.append(f"The server logged errors ({log_name}): " + "; ".join(errors[:5]))
    return rows, notes


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    args = parse_args(argv)
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed: apt-get install wrk")
    if not port_is_free(args.port):
        raise SystemExit(f"Port {args.port} on {HOST} is in use: choose another with --port.")
    database_url = args.database_url or f"sqlite:///{DATA_DIR / f'bench-{args.products}.sqlite3'}"
    if not is_bench_database(database_url):
        raise SystemExit(
            f"The database {database_name(database_url)!r} does not look like a bench database, and the "
            "bench writes products, accounts and expressions of interest into it. Name one for the bench, "
            "e.g. DATABASE_URL=postgres://postgres@127.0.0.1:5432/hubcatalog_bench"
        )
    # This process is configured like the site, so that it counts queries on the same database and settings.
    os.environ.update(site_environment(database_url, args.port))
    sys.path.insert(0, str(BASE_DIR))
    import django

    django.setup()
    from django.utils import timezone

    seed = args.seed if args.seed is not None else secrets.randbelow(2**31)
    rng = random.Random(seed)
    timings: dict[str, float] = {}
    started = time.monotonic()

    print(f"== Bench database: {database_name(database_url)}", flush=True)
    with timed(timings, "data"):
        prepare_database(args, database_url)
        collect_static()
    with timed(timings, "plan"):
        demo_interests_added = give_demo_buyer_interests()
        scenarios, setup = plan_scenarios(args, rng)
        setup["data"]["demo_buyer_eois_added"] = demo_interests_added
        today = timezone.localdate()
        eoi = {"accounts": [], "lines": [], "form": ""}
        if any(scenario.kind == "eoi" for scenario in scenarios):
            eoi["accounts"] = prepare_eoi_buyers(args.eoi_connections)
            eoi["lines"] = eoi_lines(rng)
            eoi["form"] = eoi_form_template(
                today + timedelta(days=30), today + timedelta(days=120), EOI_COUNTRY
            )
        page_size = catalogue_page_size()
        write_static_baseline(page_size)
    print("== Counting queries per request (in-process)", flush=True)
    with timed(timings, "queries"):
        problems = count_queries(scenarios, setup, eoi)
        for problem in problems:
            print(f"!! {problem}", flush=True)
    if not eoi["lines"]:
        scenarios = [scenario for scenario in scenarios if scenario.kind != "eoi"]
    with timed(timings, "load"):
        log_path = server_log_path(args.products, database_url)
        code_before = code_fingerprint()
        rows, notes = run_load(args, database_url, scenarios, setup, eoi, log_path)
        if code_fingerprint() != code_before:
            notes.append(
                "The code changed during the run (a commit, an edit or a new file): workers that gunicorn "
                "recycled afterwards ran the new code, so the figures mix two versions."
            )
    timings["total"] = round(time.monotonic() - started, 1)

    report = build_report(args, argv, seed, setup, page_size, rows, [*problems, *notes], timings)
    name = write_report(report)
    print()
    print(markdown_report(report))
    print(f"Written: bench/results/{name}.json and .md ({timings['total']:.0f} s in all)")
    return exit_status(report, args, problems, log_path)


def build_report(args, argv, seed, setup, page_size, rows, notes, timings) -> dict:
    import django
    from django.conf import settings

    vendor, database = database_description()
    first, last = rows[0], rows[-1]
    static_mean = (first["requests_per_second"] + last["requests_per_second"]) / 2
    for row in rows:
        row["ratio"] = row["requests_per_second"] / static_mean if static_mean else None
    data = setup["data"]
    notes = list(notes)
    disturbed = [row for row in rows if row["cpu_cores"].get("other", 0) >= OTHER_CPU_NOTE]
    if disturbed:
        worst = max(disturbed, key=lambda row: row["cpu_cores"]["other"])
        notes.append(
            f"Other processes on the machine used {OTHER_CPU_NOTE} cores or more during "
            f"{len(disturbed)} of {len(rows)} runs (at most {worst['cpu_cores']['other']} cores, during "
            f"{worst['label']}): those figures are lower than the machine can do."
        )
    if data["demo_buyer_eois"] == 0 and any(row["key"] == "interests" for row in rows):
        notes.append("The demo buyer's organisation has no expressions of interest: its page lists none.")
    if data["published_products"] != args.products:
        notes.append(
            f"{args.products:,} products were asked for; the database holds "
            f"{data['published_products']:,} published ones."
        )
    return {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S UTC"),
        "all_scenarios": not args.scenarios,
        "commit": git_commit(),
        "command": command_line(argv),
        "products": args.products,
        "seed": seed,
        "settings": {
            "database": database,
            "database_vendor": vendor,
            "cpu": cpu_model(),
            "cores": os.cpu_count(),
            "python": platform.python_version(),
            "django": django.get_version(),
            "gunicorn": gunicorn_settings(),
            "cache": "Redis" if "redis" in settings.CACHES["default"]["BACKEND"].lower() else "local memory",
            "wrk": wrk_version(),
            "threads": args.threads,
            "connections": args.connections,
            "cold_connections": args.cold_connections,
            "eoi_connections": args.eoi_connections,
            "duration": args.duration,
            "warmup": args.warmup,
            "timeout": args.timeout,
        },
        "static": {
            "bytes": page_size,
            "path": BASELINE_URL,
            "first": first["requests_per_second"],
            "last": last["requests_per_second"],
            "mean": static_mean,
        },
        "data": data,
        "scenarios": rows,
        "targets": evaluate_targets(rows),
        "notes": notes,
        "timings_seconds": timings,
    }


def write_report(report: dict) -> str:
    """bench/results/bench-N-<vendor>-<time>.json and .md, copied to latest-<vendor>-N.* when every scenario
    ran; returns the name."""
    vendor, products = report["settings"]["database_vendor"], report["products"]
    stamp = datetime.strptime(report["date"], "%Y-%m-%d %H:%M:%S UTC").strftime("%Y%m%dT%H%M%S")
    name = f"bench-{products}-{vendor}-{stamp}Z"
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    as_json = json.dumps(report, indent=2, ensure_ascii=False) + "\n"
    as_markdown = markdown_report(report)
    stems = [name, f"latest-{vendor}-{products}"] if report["all_scenarios"] else [name]
    for stem in stems:
        (RESULTS_DIR / f"{stem}.json").write_text(as_json)
        (RESULTS_DIR / f"{stem}.md").write_text(as_markdown)
    return name


def exit_status(report: dict, args: argparse.Namespace, problems: list[str], log_path: Path) -> int:
    """1 when a scenario had errors or the in-process checks found a problem (so that CI fails), or with
    --check-targets when a target is missed; else 0."""
    status = 0
    failing = [row["label"] for row in report["scenarios"] if row["errors"]["total"]]
    if failing or problems:
        print(
            f"Errors in: {', '.join(failing) or 'the in-process checks'}. Server log: {log_path}",
            file=sys.stderr,
        )
        status = 1
    if args.check_targets:
        for target in report["targets"]:
            if not target["met"]:
                print(
                    f"Target missed: {target['scenario']}, {target['what']} ({target['measured']})",
                    file=sys.stderr,
                )
                status = 1
    return status


if __name__ == "__main__":
    # Stopped by a signal (CI's time limit, kill), still stop gunicorn: the finally clauses run on SystemExit.
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        sys.exit(130)
