"""Hub Catalogue settings, read from the environment.

Every value that differs between a laptop and production comes from an environment variable read through the
small typed helpers below; a malformed value stops start-up with ImproperlyConfigured instead of being
silently replaced by a default. With DEBUG off there is no insecure fallback for secrets.
"""

import json
import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_str(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    return default if value in (None, "") else value


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value in (None, ""):
        return default
    lowered = value.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (1/0, true/false, yes/no, on/off), not {value!r}.")


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value in (None, ""):
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}.") from None


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if value in (None, ""):
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


def env_json(name: str, default: dict) -> dict:
    value = os.environ.get(name)
    if value in (None, ""):
        return default
    try:
        parsed = json.loads(value)
    except json.JSONDecodeError as error:
        raise ImproperlyConfigured(f"{name} must be a JSON object: {error}.") from None
    if not isinstance(parsed, dict):
        raise ImproperlyConfigured(f"{name} must be a JSON object, not {type(parsed).__name__}.")
    return parsed


DEBUG = env_bool("DJANGO_DEBUG", default=False)

SECRET_KEY = env_str("DJANGO_SECRET_KEY") or (
    "insecure-development-key-used-only-with-DJANGO_DEBUG-on" if DEBUG else ""
)
# Without a key, commands that need none (migrate, makemigrations, check) still run, but the site does not
# start: hubcatalog/wsgi.py (gunicorn, runserver) refuses with this message, and Django refuses any use of an
# empty key (sessions, signing) with its own.
MISSING_SECRET_KEY = (
    ""
    if SECRET_KEY
    else "DJANGO_SECRET_KEY is not set. With DJANGO_DEBUG off Hub Catalogue refuses to start without a "
    "secret key: set DJANGO_SECRET_KEY to a long random string (for example the output of "
    "`python -c 'import secrets; print(secrets.token_urlsafe(50))'`)."
)

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", ["localhost", "127.0.0.1"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_countries",
    "django_filters",
    "mailer",
    "hubcatalog",
    "accounts",
    "products",
    "hubs",
    "partners",
    "interests",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "hubcatalog.middleware.content_security_policy",
]

ROOT_URLCONF = "hubcatalog.urls"
WSGI_APPLICATION = "hubcatalog.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "partners.context_processors.buyer",
            ],
        },
    },
]

# Database: an SQLite file by default (nothing to install), PostgreSQL when DATABASE_URL says so.
DATABASE_URL = env_str("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}")
try:
    DATABASES = {
        "default": dj_database_url.parse(DATABASE_URL, conn_max_age=600, conn_health_checks=True),
    }
except ValueError as error:
    raise ImproperlyConfigured(
        f"DATABASE_URL is not a database URL Hub Catalogue understands: {error}"
    ) from None

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Connections are kept, as on PostgreSQL: a new one starts with an empty page cache and runs the PRAGMAs
    # below again. WAL lets readers go on while one writer writes, and
    # IMMEDIATE transactions take the write lock up front, so a second writer waits (up to the timeout)
    # instead of failing halfway with "database is locked".
    DATABASES["default"]["CONN_MAX_AGE"] = 600
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = False
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Cache: local memory for one process; REDIS_URL for several processes or machines behind a load balancer.
REDIS_URL = env_str("REDIS_URL")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Django's own, loading a signed-in buyer's organisation with the user (one query per page instead of two).
AUTHENTICATION_BACKENDS = ["partners.backends.ModelBackendWithBuyer"]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Internationalisation: English is the source language; LocaleMiddleware picks the user's language.
LANGUAGE_CODE = "en"
LANGUAGES = [
    ("en", _("English")),
    ("uk", _("Ukrainian")),
    ("de", _("German")),
    ("fr", _("French")),
    ("pl", _("Polish")),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = env_str("DJANGO_TIME_ZONE", "Europe/Kyiv")
USE_TZ = True

# Files. Public media (product images and their renditions) go through the "default" storage, so an object
# store can replace the local folder by naming its backend in DJANGO_MEDIA_STORAGE_BACKEND. Documents
# (datasheets, manuals) live in a separate "documents" storage outside MEDIA_ROOT: no URL serves them
# directly, only a view that checks access.
STATIC_URL = "static/"
STATIC_ROOT = Path(env_str("DJANGO_STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = env_str("DJANGO_MEDIA_URL", "/media/")
MEDIA_ROOT = Path(env_str("DJANGO_MEDIA_ROOT", str(BASE_DIR / "media")))
# Serving MEDIA_ROOT from Django suits development and a single machine (`make serve`); production puts an
# object store or the web server in front instead.
SERVE_MEDIA = env_bool("DJANGO_SERVE_MEDIA", default=DEBUG)
DOCUMENTS_ROOT = Path(env_str("DJANGO_DOCUMENTS_ROOT", str(BASE_DIR / "private" / "documents")))

STORAGES = {
    "default": {
        "BACKEND": env_str("DJANGO_MEDIA_STORAGE_BACKEND", "django.core.files.storage.FileSystemStorage"),
        "OPTIONS": env_json("DJANGO_MEDIA_STORAGE_OPTIONS", {}),
    },
    "documents": {
        "BACKEND": env_str("DJANGO_DOCUMENTS_STORAGE_BACKEND", "django.core.files.storage.FileSystemStorage"),
        "OPTIONS": env_json("DJANGO_DOCUMENTS_STORAGE_OPTIONS", {"location": str(DOCUMENTS_ROOT)}),
    },
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        ),
    },
}

# Uploads: images above this size are refused before Pillow opens them; the pixel limit stops
# decompression bombs (small files that expand to huge bitmaps).
MAX_IMAGE_UPLOAD_BYTES = env_int("HUBCATALOG_MAX_IMAGE_UPLOAD_BYTES", 10 * 1024 * 1024)
MAX_IMAGE_PIXELS = env_int("HUBCATALOG_MAX_IMAGE_PIXELS", 40_000_000)
MAX_DOCUMENT_UPLOAD_BYTES = env_int("HUBCATALOG_MAX_DOCUMENT_UPLOAD_BYTES", 25 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# Email: every email is written to the outbox (django-mailer's queue) in the transaction that causes it, and
# the mail worker (`manage.py mailworker`) sends it through the real backend: the console in development,
# SMTP in production unless DJANGO_EMAIL_BACKEND says otherwise (accounts/email.py).
EMAIL_BACKEND = "accounts.outbox.OutboxBackend"
# The worker sends through the delivery backend, which remembers what the mail server accepted (so that a
# database outage at the wrong instant does not send an email twice) and hands each email to the real one.
MAILER_EMAIL_BACKEND = "accounts.outbox.DeliveryBackend"
EMAIL_DELIVERY_BACKEND = env_str(
    "DJANGO_EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
# Several workers may share the outbox: each email is locked in the database while one sends it.
MAILER_USE_FILE_LOCK = False
MAILER_ERROR_HANDLER = "accounts.mail_errors.defer_on_delivery_failure"
# A mail server that accepts the connection and never answers holds the worker this long, never a request.
EMAIL_TIMEOUT = env_int("DJANGO_EMAIL_TIMEOUT", 20)
EMAIL_HOST = env_str("DJANGO_EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("DJANGO_EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("DJANGO_EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("DJANGO_EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("DJANGO_EMAIL_USE_TLS", default=False)
DEFAULT_FROM_EMAIL = env_str("DJANGO_DEFAULT_FROM_EMAIL", "Hub Catalogue <no-reply@hubcatalog.invalid>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Expressions of interest not decided within this many days show as overdue to hub staff.
EOI_REVIEW_DAYS = env_int("HUBCATALOG_EOI_REVIEW_DAYS", 30)

# How long a cached catalogue page part lives (products/caching.py); 0 turns that caching off. Long enough to
# be worth it, short enough that entries of superseded catalogue versions do not linger.
CATALOGUE_CACHE_SECONDS = env_int("HUBCATALOG_CATALOGUE_CACHE_SECONDS", 15 * 60)

# The site's public address, which links in emails start with (accounts.email.site_url). Required with DEBUG
# off: the site refuses to start without it (hubcatalog/wsgi.py). In development without it, links name the
# address a request came to.
SITE_URL = env_str("HUBCATALOG_SITE_URL", "").rstrip("/")
if SITE_URL and not SITE_URL.startswith(("https://", "http://")):
    raise ImproperlyConfigured(
        f"HUBCATALOG_SITE_URL must be the site's address starting with https:// or http://, not {SITE_URL!r}."
    )
MISSING_SITE_URL = (
    ""
    if SITE_URL or DEBUG
    else "HUBCATALOG_SITE_URL is not set. With DJANGO_DEBUG off Hub Catalogue refuses to start without its "
    "public address, which the links in its emails start with: set HUBCATALOG_SITE_URL, for example to "
    "https://catalogue.example.org."
)

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "catalogue"
LOGOUT_REDIRECT_URL = "landing"
PASSWORD_RESET_TIMEOUT = 3 * 24 * 3600  # the login link an approved buyer receives stays valid for 3 days

# Security headers. The site runs behind a TLS-terminating proxy in production.
# Everything from this site only: no inline <script>, no style= attributes, no on…= handlers, no CDN.
# Bootstrap draws its form controls' icons as data: images.
CONTENT_SECURITY_POLICY = env_str(
    "DJANGO_CONTENT_SECURITY_POLICY",
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'",
)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("DJANGO_SECURE_COOKIES", default=not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
if env_bool("DJANGO_BEHIND_TLS_PROXY", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("DJANGO_LOG_LEVEL", "INFO")},
}
