"""One settings module, read from the environment.

Nothing set: a development configuration on a SQLite file under ./data. Production sets DEBUG=0,
SECRET_KEY, ALLOWED_HOSTS and usually DATABASE_URL=postgres://...
"""

import os
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
        "OPTIONS": {
            # WAL lets readers go on while a station writes; IMMEDIATE takes the write lock at the
            # start of a transaction, so two concurrent posts queue instead of failing midway.
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        },
    }


DATABASES = {"default": database_config()}
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

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
}

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

# Sign-in throttling (accounts/signin.py): failures per account, and per address (a shelter's
# workstations often share one public address, hence the higher limit).
HMIS_LOGIN_MAX_FAILURES = env_int("HMIS_LOGIN_MAX_FAILURES", 10)
HMIS_LOGIN_MAX_FAILURES_PER_ADDRESS = env_int("HMIS_LOGIN_MAX_FAILURES_PER_ADDRESS", 50)
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
# === End of security section =====================================================================
