"""One settings module, read from the environment.

Nothing set: a development configuration on a SQLite file under ./data. Production sets DEBUG=0,
SECRET_KEY, ALLOWED_HOSTS and usually DATABASE_URL=postgres://...
"""

import os
from datetime import time
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false (1/0, yes/no, on/off), not {raw!r}")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {raw!r}") from None


def env_time(name: str, default: str) -> time:
    raw = os.environ.get(name) or default
    try:
        return time.fromisoformat(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a time of day (HH:MM), not {raw!r}") from None


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


DEBUG = env_bool("DEBUG", True)
DATA_DIR = Path(env_str("HMIS_DATA_DIR", str(Path.cwd() / "data"))).resolve()

SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    # Development only: a fixed, obviously insecure key so sessions survive restarts.
    SECRET_KEY = "dev-insecure-key-do-not-use-in-production"  # noqa: S105

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    # Django Ninja's templates and static files: /api/docs serves Swagger UI locally, no CDN.
    "ninja",
    # Two-factor sign-in (accounts/twofactor.py): authenticator apps and recovery codes.
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "hmis",
    "hmis.accounts",
    "hmis.projects",
    "hmis.clients",
    "hmis.services",
    "hmis.batches",
    "hmis.audit",
    "hmis.hudcsv",
    "hmis.reports",
    "hmis.api",
    # Background jobs (django-tasks, database backend): `hmis worker` runs them.
    "django_tasks",
    "django_tasks_db",
    "hmis.jobs",
    "hmis.schedules",
    "hmis.monitoring",
    "hmis.backups",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "hmis.urls"
WSGI_APPLICATION = "hmis.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]


def database_config() -> dict:
    url = env_str("DATABASE_URL")
    if url:
        try:
            config = dj_database_url.parse(url, conn_max_age=env_int("DB_CONN_MAX_AGE", 60))
        except Exception as error:  # dj_database_url raises several types for a bad URL
            raise ImproperlyConfigured(f"DATABASE_URL is not a database URL: {error}") from None
        if config.get("ENGINE") == "django.db.backends.postgresql":
            config["CONN_HEALTH_CHECKS"] = True
        return config
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": DATA_DIR / "hmis.sqlite3",
        # Persistent connections: a scan does not pay for opening the file and its PRAGMAs.
        "CONN_MAX_AGE": env_int("DB_CONN_MAX_AGE", 60),
        "OPTIONS": {
            # WAL lets readers go on while a station writes; IMMEDIATE takes the write lock at the
            # start of a transaction, so two concurrent posts queue instead of failing midway.
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        },
    }


DATABASES = {"default": database_config()}
# A database still locked after the busy timeout answers 503 with Retry-After, not 500 (first, so
# that it also covers the middleware that writes), nor 400 when it is the session that could not
# be saved (hmis/database_busy.py).
MIDDLEWARE.insert(0, "hmis.database_busy.DatabaseBusyMiddleware")
MIDDLEWARE[MIDDLEWARE.index("django.contrib.sessions.middleware.SessionMiddleware")] = (
    "hmis.database_busy.SessionMiddleware"
)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-us"
TIME_ZONE = env_str("TIME_ZONE", "America/Chicago")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
MEDIA_URL = "media/"
MEDIA_ROOT = DATA_DIR / "media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
# Serve static files straight from the app folders, so `hmis serve` needs no collectstatic step.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

# The scanning desk: how many days back "Recent clients" looks.
HMIS_RECENT_CLIENT_DAYS = env_int("HMIS_RECENT_CLIENT_DAYS", 7)
# Organization name printed on community cards when a client's agency has none.
HMIS_AGENCY_NAME = env_str("HMIS_AGENCY_NAME", "")
# Characters a barcode scanner adds before or after a card code (set in its configuration), ignored
# when a scan is read.
HMIS_SCANNER_PREFIX = env_str("HMIS_SCANNER_PREFIX", "")
HMIS_SCANNER_SUFFIX = env_str("HMIS_SCANNER_SUFFIX", "")
# How many days back the desk's Batch Date and Date Service Provided may go; older dates need an
# account that *may back-date*.
HMIS_BACKDATE_DAYS = env_int("HMIS_BACKDATE_DAYS", 90)

# Background jobs: queued in the database (no extra server), run by `hmis worker` processes.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
# Where jobs keep their files (uploads, results, live progress); share it between app servers.
HMIS_JOBS_DIR = DATA_DIR / "jobs"
# Finished jobs' files are deleted after this many days.
HMIS_JOB_FILES_DAYS = env_int("HMIS_JOB_FILES_DAYS", 7)
# A report CSV (dashboard, demographics, funders) of a period longer than this many days is
# prepared by a job instead of in the request (hmis/reports/downloads.py).
HMIS_REPORT_JOB_DAYS = env_int("HMIS_REPORT_JOB_DAYS", 92)

# Recurring work (hmis/schedules): the local time after which each day's nightly work runs, how
# many missed days are caught up after downtime, how long nightly exports and stored scan answers
# are kept.
HMIS_SCHEDULE_AT = env_time("HMIS_SCHEDULE_AT", "02:00")
HMIS_SCHEDULE_CATCH_UP_DAYS = env_int("HMIS_SCHEDULE_CATCH_UP_DAYS", 7)
HMIS_NIGHTLY_EXPORT = env_bool("HMIS_NIGHTLY_EXPORT", True)
HMIS_NIGHTLY_EXPORT_DIR = Path(env_str("HMIS_NIGHTLY_EXPORT_DIR", str(DATA_DIR / "exports")))
HMIS_NIGHTLY_EXPORT_DAYS = env_int("HMIS_NIGHTLY_EXPORT_DAYS", 30)
HMIS_SCAN_ANSWER_DAYS = env_int("HMIS_SCAN_ANSWER_DAYS", 30)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
}

# Health, metrics and logs (hmis/monitoring). /healthz fails when no worker was seen this long or
# the data folder has less room than this; /metrics answers only these addresses (or networks).
HMIS_HEALTH_WORKER_SECONDS = env_int("HMIS_HEALTH_WORKER_SECONDS", 300)
HMIS_HEALTH_MIN_FREE_MB = env_int("HMIS_HEALTH_MIN_FREE_MB", 500)
HMIS_METRICS_ALLOWED_IPS = env_list("HMIS_METRICS_ALLOWED_IPS", ["127.0.0.1", "::1"])
HMIS_LOG_FORMAT = env_str("HMIS_LOG_FORMAT", "text")
if HMIS_LOG_FORMAT not in ("text", "json"):
    raise ImproperlyConfigured(f"HMIS_LOG_FORMAT must be text or json, not {HMIS_LOG_FORMAT!r}")
# One log line per request (method, path without query string, status, time): on with JSON logs.
HMIS_LOG_REQUESTS = env_bool("HMIS_LOG_REQUESTS", HMIS_LOG_FORMAT == "json")
MIDDLEWARE.append("hmis.monitoring.middleware.RequestMonitoringMiddleware")
LOGGING["filters"] = {"request_context": {"()": "hmis.monitoring.logs.RequestContextFilter"}}
LOGGING["handlers"]["console"]["filters"] = ["request_context"]
if HMIS_LOG_FORMAT == "json":
    LOGGING["formatters"] = {"json": {"()": "hmis.monitoring.logs.JsonLinesFormatter"}}
    LOGGING["handlers"]["console"]["formatter"] = "json"

# === Security (owned by the security engineer; see README "Security") ===========================
# Sessions: stored in the database; idle timeout, absolute limit, one session per user
# (accounts/sessions.py, accounts/middleware.py).
HMIS_SESSION_IDLE_SECONDS = env_int("HMIS_SESSION_IDLE_MINUTES", 30) * 60
HMIS_SESSION_ABSOLUTE_SECONDS = env_int("HMIS_SESSION_ABSOLUTE_HOURS", 12) * 3600
SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_COOKIE_AGE = HMIS_SESSION_ABSOLUTE_SECONDS
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
# After MessageMiddleware: an ended session leaves its reason as a message for the sign-in page.
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.contrib.messages.middleware.MessageMiddleware") + 1,
    "hmis.accounts.middleware.SessionPolicyMiddleware",
)
# After the session policy: django-otp marks a session verified by a second factor, and
# administrators whose session is not are sent to two-factor sign-in or its set-up.
MIDDLEWARE.insert(
    MIDDLEWARE.index("hmis.accounts.middleware.SessionPolicyMiddleware") + 1,
    "django_otp.middleware.OTPMiddleware",
)
MIDDLEWARE.insert(
    MIDDLEWARE.index("django_otp.middleware.OTPMiddleware") + 1,
    "hmis.accounts.middleware.TwoFactorMiddleware",
)
# The name an authenticator app shows beside the account.
OTP_TOTP_ISSUER = env_str("HMIS_AGENCY_NAME") or "HMIS"

# Sign-in throttling (accounts/signin.py): failures per account and address pair (slowed down
# after a few, then locked), and per address and per account for browsers that never signed in
# to the account (a shelter's workstations often share one public address, hence the higher limit).
HMIS_LOGIN_MAX_FAILURES = env_int("HMIS_LOGIN_MAX_FAILURES", 10)
HMIS_LOGIN_SLOWDOWN_AFTER = env_int("HMIS_LOGIN_SLOWDOWN_AFTER", 3)
HMIS_LOGIN_MAX_FAILURES_PER_ADDRESS = env_int("HMIS_LOGIN_MAX_FAILURES_PER_ADDRESS", 50)
HMIS_LOGIN_MAX_FAILURES_PER_ACCOUNT = env_int("HMIS_LOGIN_MAX_FAILURES_PER_ACCOUNT", 50)
HMIS_LOGIN_LOCK_MINUTES = env_int("HMIS_LOGIN_LOCK_MINUTES", 15)
# Reverse proxies in front of the app whose X-Forwarded-For may be trusted (0: use REMOTE_ADDR).
HMIS_TRUSTED_PROXY_COUNT = env_int("HMIS_TRUSTED_PROXY_COUNT", 0)

# Transport and browser protections. Production (DEBUG off) gets them all by default; a deployment
# whose proxy terminates TLS sets HMIS_BEHIND_TLS_PROXY=1 so Django trusts X-Forwarded-Proto.
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEBUG)
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", not DEBUG)
if env_bool("HMIS_BEHIND_TLS_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Scripts only from our own static files: no inline <script>, no eval (htmx runs with
# htmx.config.allowEval = false). Inline styles stay allowed for htmx's indicator style.
HMIS_CONTENT_SECURITY_POLICY = env_str(
    "HMIS_CONTENT_SECURITY_POLICY",
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: blob:; object-src 'none'; base-uri 'self'; form-action 'self'; "
    "frame-ancestors 'none'",
)
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1,
    "hmis.accounts.middleware.ContentSecurityPolicyMiddleware",
)

# SSN encryption at rest (clients/ssn.py): one or more Fernet keys, comma-separated, newest first
# (older keys still decrypt, for rotation). Required in production before any SSN is stored.
HMIS_FIELD_ENCRYPTION_KEY = env_str("HMIS_FIELD_ENCRYPTION_KEY")
# Development (DEBUG on at start-up) may fall back to a key derived from SECRET_KEY.
HMIS_FIELD_ENCRYPTION_KEY_REQUIRED = not DEBUG
if HMIS_FIELD_ENCRYPTION_KEY:
    from cryptography.fernet import Fernet

    for _key in HMIS_FIELD_ENCRYPTION_KEY.split(","):
        try:
            Fernet(_key.strip())
        except (ValueError, TypeError):
            raise ImproperlyConfigured(
                "HMIS_FIELD_ENCRYPTION_KEY must be Fernet keys (32 url-safe base64 bytes), "
                "comma-separated; make one with: python -c 'from cryptography.fernet import "
                "Fernet; print(Fernet.generate_key().decode())'"
            ) from None

# Data retention (clients/retention.py): clients untouched this long are de-identified.
HMIS_RETENTION_YEARS = env_int("HMIS_RETENTION_YEARS", 7)

# Logs never carry an SSN-shaped number in plain text.
LOGGING.setdefault("filters", {})["redact_ssn"] = {"()": "hmis.audit.logfilters.RedactSsnFilter"}
LOGGING["handlers"]["console"].setdefault("filters", []).append("redact_ssn")
# Uploads and imports (hmis/uploads.py, hudcsv/limits.py): a request body larger than
# HMIS_UPLOAD_MAX_MB is refused with 413 before it is read; an import reads at most this much.
HMIS_UPLOAD_MAX_MB = env_int("HMIS_UPLOAD_MAX_MB", 100)
HMIS_IMPORT_MAX_UNCOMPRESSED_MB = env_int("HMIS_IMPORT_MAX_UNCOMPRESSED_MB", 2048)
HMIS_IMPORT_MAX_RATIO = env_int("HMIS_IMPORT_MAX_RATIO", 100)
HMIS_IMPORT_MAX_ROWS_PER_FILE = env_int("HMIS_IMPORT_MAX_ROWS_PER_FILE", 5_000_000)
HMIS_IMPORT_MAX_SECONDS = env_int("HMIS_IMPORT_MAX_SECONDS", 1800)
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1,
    "hmis.uploads.RequestSizeLimitMiddleware",
)
MIDDLEWARE.insert(
    MIDDLEWARE.index("hmis.uploads.RequestSizeLimitMiddleware") + 1,
    "hmis.inputs.RefuseNulCharactersMiddleware",
)

# API client look-ups (search, by ID) per user and per token (api/ratelimit.py).
HMIS_API_LOOKUPS_PER_MINUTE = env_int("HMIS_API_LOOKUPS_PER_MINUTE", 120)
HMIS_API_LOOKUPS_PER_HOUR = env_int("HMIS_API_LOOKUPS_PER_HOUR", 4000)

# === End of security section =====================================================================

# --- Email (set-password links for new users; accounts/managing.py) ---------------------------
# Django's own email settings, read from the environment. With EMAIL_HOST unset no email is sent:
# the administrator copies the one-time link from the page instead.
EMAIL_HOST = env_str("EMAIL_HOST")
EMAIL_PORT = env_int("EMAIL_PORT", 587)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "hmis@localhost")
