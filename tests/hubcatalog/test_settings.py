"""Settings come from the environment and fail closed: a bad or missing value stops start-up, loudly.

Each case starts a fresh Python process, since settings are read once per process.
"""

import os
import secrets
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

PROJECT_ROOT = Path(__file__).resolve().parents[2]
SETTINGS_VARIABLES = ("DJANGO_", "DATABASE_URL", "REDIS_URL", "HUBCATALOG_")


def run_python(code: str, **environment) -> subprocess.CompletedProcess:
    base = {key: value for key, value in os.environ.items() if not key.startswith(SETTINGS_VARIABLES)}
    base["DJANGO_SETTINGS_MODULE"] = "hubcatalog.settings"
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        cwd=PROJECT_ROOT,
        env={**base, **environment},
        capture_output=True,
        text=True,
        timeout=60,
    )


def load_settings(**environment) -> subprocess.CompletedProcess:
    return run_python("import django; django.setup(); print('started')", **environment)


def start_site(**environment) -> subprocess.CompletedProcess:
    """Load the WSGI application, as gunicorn and runserver do."""
    return run_python("from hubcatalog.wsgi import application; print('started')", **environment)


def test_it_refuses_to_start_without_a_secret_key_when_debug_is_off():
    result = start_site(DJANGO_DEBUG="0")
    assert result.returncode != 0
    assert "ImproperlyConfigured: DJANGO_SECRET_KEY is not set" in result.stderr


def test_debug_is_off_unless_asked_for():
    result = start_site()
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY is not set" in result.stderr


def test_it_starts_with_a_secret_key_and_its_public_address():
    result = start_site(
        DJANGO_SECRET_KEY="x" * 50,
        DJANGO_ALLOWED_HOSTS="catalogue.example",
        HUBCATALOG_SITE_URL="https://catalogue.example",
    )
    assert result.returncode == 0, result.stderr
    assert "started" in result.stdout


def test_it_refuses_to_start_without_its_public_address_when_debug_is_off():
    result = start_site(DJANGO_SECRET_KEY="x" * 50, DJANGO_ALLOWED_HOSTS="catalogue.example")
    assert result.returncode != 0
    assert "ImproperlyConfigured: HUBCATALOG_SITE_URL is not set" in result.stderr


def test_in_development_it_starts_without_a_public_address():
    assert start_site(DJANGO_DEBUG="1").returncode == 0


def test_a_public_address_that_is_no_address_stops_start_up_naming_it():
    result = run_python(
        "from django.conf import settings; settings.SITE_URL", HUBCATALOG_SITE_URL="catalogue"
    )
    assert result.returncode != 0
    assert "HUBCATALOG_SITE_URL must be the site's address" in result.stderr


def test_commands_that_need_no_key_run_without_one():
    result = subprocess.run(
        [sys.executable, "manage.py", "makemigrations", "--check", "--dry-run"],
        cwd=PROJECT_ROOT,
        env={key: value for key, value in os.environ.items() if not key.startswith(SETTINGS_VARIABLES)},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert "No changes detected" in result.stdout


def test_nothing_signs_with_an_empty_key():
    result = run_python(
        "import django; django.setup(); from django.core import signing; signing.dumps('x')", DJANGO_DEBUG="0"
    )
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_it_starts_in_development_without_a_secret_key():
    result = load_settings(DJANGO_DEBUG="1")
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("DJANGO_DEBUG", "maybe", "DJANGO_DEBUG must be a boolean"),
        ("HUBCATALOG_MAX_IMAGE_PIXELS", "lots", "HUBCATALOG_MAX_IMAGE_PIXELS must be a whole number"),
        ("HUBCATALOG_SESSION_MAX_HOURS", "12h", "HUBCATALOG_SESSION_MAX_HOURS must be a whole number"),
        ("DJANGO_MEDIA_STORAGE_OPTIONS", "[1, 2]", "DJANGO_MEDIA_STORAGE_OPTIONS must be a JSON object"),
        ("DATABASE_URL", "mongodb://localhost/catalogue", "DATABASE_URL is not a database URL"),
    ],
)
def test_a_malformed_value_stops_start_up_with_a_message_naming_it(variable, value, message):
    result = load_settings(**{"DJANGO_SECRET_KEY": "x" * 50, variable: value})
    assert result.returncode != 0
    assert message in result.stderr


def test_postgresql_is_selected_by_database_url_with_persistent_checked_connections():
    result = run_python(
        """
        from django.conf import settings
        database = settings.DATABASES["default"]
        print(database["ENGINE"], database["NAME"], database["CONN_MAX_AGE"], database["CONN_HEALTH_CHECKS"])
        """,
        DJANGO_DEBUG="1",
        DATABASE_URL="postgres://catalogue:secret@db.internal:5432/hubcatalog",
    )
    assert result.stdout.split() == ["django.db.backends.postgresql", "hubcatalog", "600", "True"]


def test_sqlite_connections_are_kept_between_requests_too():
    result = run_python(
        """
        from django.conf import settings
        database = settings.DATABASES["default"]
        print(database["ENGINE"], database["CONN_MAX_AGE"], database["CONN_HEALTH_CHECKS"])
        """,
        DJANGO_DEBUG="1",
        DATABASE_URL="sqlite:////tmp/kept.sqlite3",
    )
    assert result.stdout.split() == ["django.db.backends.sqlite3", "600", "False"]


def test_redis_url_selects_the_redis_cache():
    result = run_python(
        "from django.conf import settings; print(settings.CACHES['default']['BACKEND'])",
        DJANGO_DEBUG="1",
        REDIS_URL="redis://127.0.0.1:6379/1",
    )
    assert result.stdout.strip() == "django.core.cache.backends.redis.RedisCache"


def test_an_object_store_can_replace_the_media_folder():
    result = run_python(
        "from django.conf import settings; print(settings.STORAGES['default'])",
        DJANGO_DEBUG="1",
        DJANGO_MEDIA_STORAGE_BACKEND="storages.backends.s3.S3Storage",
        DJANGO_MEDIA_STORAGE_OPTIONS='{"bucket_name": "catalogue-media"}',
    )
    assert "'BACKEND': 'storages.backends.s3.S3Storage'" in result.stdout
    assert "'bucket_name': 'catalogue-media'" in result.stdout


def test_sqlite_runs_in_wal_mode_and_a_second_writer_waits_instead_of_failing(tmp_path):
    """Two threads each read, then write, in one transaction. With deferred transactions the second one's
    upgrade from reader to writer fails at once with "database is locked"; with IMMEDIATE it waits."""
    result = run_python(
        """
        import threading, time
        import django
        django.setup()
        from django.db import connection, transaction

        with connection.cursor() as cursor:
            cursor.execute("PRAGMA journal_mode")
            print("journal_mode", cursor.fetchone()[0])
            cursor.execute("CREATE TABLE tally (n integer)")
        connection.close()

        errors = []

        def write(pause):
            try:
                with transaction.atomic(), connection.cursor() as cursor:
                    cursor.execute("SELECT count(*) FROM tally")
                    time.sleep(pause)
                    cursor.execute("INSERT INTO tally VALUES (1)")
            except Exception as error:
                errors.append(repr(error))
            finally:
                connection.close()

        threads = [threading.Thread(target=write, args=(0.4,)), threading.Thread(target=write, args=(0,))]
        for thread in threads:
            thread.start()
            time.sleep(0.1)
        for thread in threads:
            thread.join()
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM tally")
            print("rows", cursor.fetchone()[0])
        print("errors", errors)
        """,
        DJANGO_DEBUG="1",
        DATABASE_URL=f"sqlite:///{tmp_path / 'concurrent.sqlite3'}",
    )
    assert result.returncode == 0, result.stderr
    assert "journal_mode wal" in result.stdout
    assert "rows 2" in result.stdout
    assert "errors []" in result.stdout


def production_environment() -> dict[str, str]:
    """The environment README.md's "Running in production" sets (with a real-looking secret key)."""
    return {
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "catalogue.example.org",
        "DJANGO_BEHIND_TLS_PROXY": "1",
        "HUBCATALOG_SITE_URL": "https://catalogue.example.org",
        "DATABASE_URL": "postgres://hubcatalog:secret@db.internal:5432/hubcatalog",
        "REDIS_URL": "redis://cache.internal:6379/0",
        "DJANGO_EMAIL_HOST": "smtp.internal",
        "DJANGO_EMAIL_PORT": "587",
        "DJANGO_EMAIL_USE_TLS": "1",
    }


def test_the_production_environment_passes_djangos_deploy_check_without_a_warning():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=PROJECT_ROOT,
        env={
            **{key: value for key, value in os.environ.items() if not key.startswith(SETTINGS_VARIABLES)},
            **production_environment(),
        },
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


def test_behind_the_tls_proxy_https_is_required_for_a_year_with_subdomains_and_secure_cookies():
    result = run_python(
        """
        from django.conf import settings
        print(settings.SECURE_SSL_REDIRECT, settings.SECURE_HSTS_SECONDS,
              settings.SECURE_HSTS_INCLUDE_SUBDOMAINS, settings.SECURE_HSTS_PRELOAD,
              settings.SESSION_COOKIE_SECURE, settings.CSRF_COOKIE_SECURE, settings.SECURE_REDIRECT_EXEMPT)
        """,
        **production_environment(),
        DJANGO_SECURE_COOKIES="0",
    )
    assert result.stdout.split() == ["True", "31536000", "True", "False", "True", "True", "['^healthz$']"]


def test_hsts_preloading_is_the_operators_choice():
    result = run_python(
        """
        from django.conf import settings
        print(settings.SECURE_HSTS_PRELOAD, settings.SILENCED_SYSTEM_CHECKS)
        """,
        **production_environment(),
        DJANGO_HSTS_PRELOAD="1",
    )
    assert result.stdout.split() == ["True", "[]"]


def test_without_the_proxy_plain_http_is_served_as_it_comes():
    """`make serve` on a laptop: no TLS in front, so no redirect to it."""
    result = run_python(
        "from django.conf import settings; print(settings.SECURE_SSL_REDIRECT, settings.SECURE_HSTS_SECONDS)",
        DJANGO_SECRET_KEY="x" * 50,
    )
    assert result.stdout.split() == ["False", "0"]
