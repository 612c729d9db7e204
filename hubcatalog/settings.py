"""Hub Catalogue settings, read from the environment.

Every value that differs between a laptop and production comes from an environment variable read through the
small typed helpers below; a malformed value stops start-up with ImproperlyConfigured instead of being
silently replaced by a default. With DEBUG off there is no insecure fallback for secrets.
"""

import json
import os
from datetime import timedelta
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
    # Before the admin: translatable catalogue content (<app>/translation.py), edited side by side there.
    "modeltranslation",
    # Django's admin with a site that also asks staff for their second factor (hubcatalog/admin.py).
    "hubcatalog.apps.HubCatalogAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_countries",
    "django_filters",
    "mailer",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "hubcatalog",
    "accounts",
    "audit",
    "products",
    "hubs",
    "partners",
    "interests",
]

MIDDLEWARE = [
    # First, so that every response gets the site's headers: static files, redirects to HTTPS
    # (hubcatalog/middleware.py).
    "hubcatalog.middleware.security_headers",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # 400 for control characters (NUL…) in the path, query string or form fields, before any query.
    "hubcatalog.hostile_input.refuse_control_characters",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "accounts.two_factor.require_staff_verification",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Ends sessions that idled, grew too old or belong to a suspended organisation's buyer (after messages,
    # which say why).
    "accounts.sessions.session_limits",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Answers a sign-in paused by too many wrong passwords (accounts/lockout.py); last, as django-axes asks.
    "axes.middleware.AxesMiddleware",
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
                "hubcatalog.context_processors.header_counts",
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

# First django-axes, which refuses a paused sign-in before any password is checked; then Django's own,
# loading a signed-in buyer's organisation with the user (one query per page instead of two).
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "partners.backends.ModelBackendWithBuyer"]

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
# The catalogue's content (category names, summaries, descriptions, …) has a column per language
# (django-modeltranslation); English is the one every text has, shown where a translation is missing.
MODELTRANSLATION_DEFAULT_LANGUAGE = "en"
MODELTRANSLATION_FALLBACK_LANGUAGES = ("en",)
USE_I18N = True
TIME_ZONE = env_str("DJANGO_TIME_ZONE", "Europe/Kyiv")
USE_TZ = True
# Dates, times and numbers per language (24-hour clock, the time zone shown): hubcatalog/formats/<language>.
FORMAT_MODULE_PATH = "hubcatalog.formats"

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
LOGIN_REDIRECT_URL = "signed_in"  # accounts.views.signed_in: staff to the admin, buyers to the catalogue
LOGOUT_REDIRECT_URL = "landing"
PASSWORD_RESET_TIMEOUT = 3 * 24 * 3600  # the login link an approved buyer receives stays valid for 3 days

# Staff (superusers, hub coordinators, catalogue editors) confirm their sign-in with an authenticator app or a
# recovery code (accounts/two_factor.py). Off by default only with DEBUG on, so that `make demo` stays simple.
STAFF_TWO_FACTOR = env_bool("HUBCATALOG_STAFF_TWO_FACTOR", default=not DEBUG)
OTP_TOTP_ISSUER = "Hub Catalogue"
# The admin pages of django-otp's devices show no secret keys or QR codes, even to superusers.
OTP_ADMIN_HIDE_SENSITIVE_DATA = True

# Security headers. The site runs behind a TLS-terminating proxy in production.
# Everything from this site only: no inline <script>, no style= attributes, no on…= handlers, no CDN.
# Bootstrap draws its form controls' icons as data: images.
CONTENT_SECURITY_POLICY = env_str(
    "DJANGO_CONTENT_SECURITY_POLICY",
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'",
)
# None of the browser features a catalogue has no use for (hubcatalog.middleware sends it, static files too).
PERMISSIONS_POLICY = env_str(
    "DJANGO_PERMISSIONS_POLICY",
    "accelerometer=(), autoplay=(), camera=(), display-capture=(), geolocation=(), gyroscope=(), hid=(), "
    "magnetometer=(), microphone=(), midi=(), payment=(), publickey-credentials-get=(), screen-wake-lock=(), "
    "serial=(), usb=(), xr-spatial-tracking=()",
)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
# Behind the TLS proxy every request is HTTPS: plain HTTP is redirected, browsers are told to use nothing else
# for a year (HSTS, subdomains included) and cookies travel over HTTPS only. The load balancer's health check
# (/healthz) may still come over plain HTTP. HSTS preloading is a commitment browsers keep for months after it
# is withdrawn, so it is off until the operator asks for it; Django's deploy check warns of it (W021) only to
# suggest it, and is silenced while it is off.
BEHIND_TLS_PROXY = env_bool("DJANGO_BEHIND_TLS_PROXY", default=False)
SESSION_COOKIE_SECURE = BEHIND_TLS_PROXY or env_bool("DJANGO_SECURE_COOKIES", default=not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
if BEHIND_TLS_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = True
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SECURE_HSTS_SECONDS = env_int("DJANGO_HSTS_SECONDS", 365 * 24 * 3600)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("DJANGO_HSTS_PRELOAD", default=False)
    if not SECURE_HSTS_PRELOAD:
        SILENCED_SYSTEM_CHECKS = ["security.W021"]

# Sessions end after this long without a request, this long after logging in whatever the activity, when the
# browser closes, and at once when a buyer's organisation is suspended (accounts/sessions.py).
SESSION_IDLE_MINUTES = env_int("HUBCATALOG_SESSION_IDLE_MINUTES", 60)
SESSION_MAX_HOURS = env_int("HUBCATALOG_SESSION_MAX_HOURS", 12)
SESSION_COOKIE_AGE = SESSION_MAX_HOURS * 3600
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

# Where a request comes from (hubcatalog.ratelimit.client_address): behind the TLS proxy, the address that
# HUBCATALOG_TRUSTED_PROXY_COUNT proxies appended to X-Forwarded-For; otherwise the connection's own, and the
# header, which any client can send, is ignored.
TRUSTED_PROXY_COUNT = env_int("HUBCATALOG_TRUSTED_PROXY_COUNT", 1) if BEHIND_TLS_PROXY else 0
if TRUSTED_PROXY_COUNT < 0:
    raise ImproperlyConfigured("HUBCATALOG_TRUSTED_PROXY_COUNT must be 0 or more.")

# Sign-in throttling (django-axes), on the site's login and the admin's alike: after this many wrong passwords
# in a row for one username from one address, signing in to it from there pauses for the cool-off, and each
# try during the pause starts it again. Keyed by both, so that no one can lock a buyer out from elsewhere.
# Attempts are kept in the database, which every app server shares; superusers see them in the admin and lift
# a pause there or with `manage.py axes_reset_username <username>`. A new password set through the emailed
# link lifts it too (accounts/lockout.py).
LOGIN_FAILURE_LIMIT = env_int("HUBCATALOG_LOGIN_FAILURE_LIMIT", 5)
LOGIN_COOLOFF_MINUTES = env_int("HUBCATALOG_LOGIN_COOLOFF_MINUTES", 15)
if LOGIN_FAILURE_LIMIT < 1 or LOGIN_COOLOFF_MINUTES < 1:
    raise ImproperlyConfigured(
        "HUBCATALOG_LOGIN_FAILURE_LIMIT and HUBCATALOG_LOGIN_COOLOFF_MINUTES must be 1 or more."
    )
AXES_FAILURE_LIMIT = LOGIN_FAILURE_LIMIT
AXES_COOLOFF_TIME = timedelta(minutes=LOGIN_COOLOFF_MINUTES)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# The audit log (audit/) records every sign-in and failure with its address; axes' own lines would repeat it.
AXES_VERBOSE = False
AXES_CLIENT_IP_CALLABLE = "hubcatalog.ratelimit.client_address"
AXES_LOCKOUT_CALLABLE = "accounts.lockout.locked_out"
# The username tried, cut to what axes can store (hubcatalog/hostile_input.py).
AXES_USERNAME_CALLABLE = "hubcatalog.hostile_input.axes_username"

# Rate limits (hubcatalog/ratelimit.py), counted per signed-in user and per address in the default cache:
# with REDIS_URL all app servers count together. 0 turns one off; HUBCATALOG_RATE_LIMITS=0 turns all off (the
# load tests in bench/ and soak/ do, as they submit far faster than people).
RATE_LIMITS_ENABLED = env_bool("HUBCATALOG_RATE_LIMITS", default=True)
RATE_LIMITS = {
    # Requests for access, per address and hour: the form is public.
    "access_request": {"per_address": env_int("HUBCATALOG_ACCESS_REQUESTS_PER_HOUR", 5), "window": 3600},
    # Expressions of interest submitted, per buyer and per address (an organisation's buyers may share one).
    "interest_submission": {
        "per_user": env_int("HUBCATALOG_EOI_SUBMISSIONS_PER_HOUR", 20),
        "per_address": env_int("HUBCATALOG_EOI_SUBMISSIONS_PER_HOUR_PER_ADDRESS", 60),
        "window": 3600,
    },
    # The search box's suggestions as one types, per buyer and per address, each minute.
    "search_suggestions": {
        "per_user": env_int("HUBCATALOG_SUGGESTIONS_PER_MINUTE", 120),
        "per_address": env_int("HUBCATALOG_SUGGESTIONS_PER_MINUTE_PER_ADDRESS", 600),
        "window": 60,
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("DJANGO_LOG_LEVEL", "INFO")},
}
