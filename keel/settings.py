"""Keel settings, read from environment variables with safe production defaults.

Variables: KEEL_DEBUG, KEEL_SECRET_KEY, KEEL_ALLOWED_HOSTS, KEEL_CSRF_TRUSTED_ORIGINS,
DATABASE_URL, KEEL_REDIS_URL, KEEL_EMAIL_URL-style settings (see docs/deployment.md).
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("KEEL_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool) -> bool:
    """Read a boolean environment variable ("1", "true", "yes", "on" are true)."""
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    """Read a comma-separated list from the environment."""
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("KEEL_DEBUG", False)


def _local_secret_key() -> str:
    """Return the secret key kept in var/secret_key, creating it on first use (local installs only)."""
    path = VAR_DIR / "secret_key"
    if not path.exists():
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_urlsafe(64))
    return path.read_text().strip()


SECRET_KEY = os.environ.get("KEEL_SECRET_KEY") or _local_secret_key()
if len(SECRET_KEY) < 50:
    raise ImproperlyConfigured("KEEL_SECRET_KEY must be at least 50 characters long.")

# A deployment names its hosts; without KEEL_ALLOWED_HOSTS Keel runs as a local install on
# 127.0.0.1 over plain HTTP. KEEL_HTTPS controls the HTTPS hardening (on for deployments).
ALLOWED_HOSTS = env_list("KEEL_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
HTTPS = env_bool("KEEL_HTTPS", "KEEL_ALLOWED_HOSTS" in os.environ)
CSRF_TRUSTED_ORIGINS = env_list("KEEL_CSRF_TRUSTED_ORIGINS")

AUTH_USER_MODEL = "orgs.User"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "ninja",  # serves the API docs (Swagger UI) from its own static files, not a CDN
    "django_tasks",
    "django_tasks_db",
    "keel.core",
    "keel.orgs",
    "keel.portfolio",
    "keel.schedule",
    "keel.resources",
    "keel.timesheets",
    "keel.finance",
    "keel.benefits",
    "keel.governance",
    "keel.gates",
    "keel.changes",
    "keel.statusreports",
    "keel.compliance",
    "keel.notifications",
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

ROOT_URLCONF = "keel.urls"
WSGI_APPLICATION = "keel.wsgi.application"
ASGI_APPLICATION = "keel.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "keel" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "keel.core.context_processors.keel",
            ],
        },
    }
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'keel.sqlite3'}"),
        conn_max_age=int(os.environ.get("KEEL_DB_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers proceed while one writer commits; IMMEDIATE avoids lock upgrades mid-transaction.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

_redis = os.environ.get("KEEL_REDIS_URL")
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": _redis}
        if _redis
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

TASKS = {
    "default": {
        "BACKEND": os.environ.get("KEEL_TASK_BACKEND", "django_tasks_db.DatabaseBackend"),
    }
}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en"
TIME_ZONE = os.environ.get("KEEL_TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("KEEL_STATIC_ROOT", VAR_DIR / "static"))
# WhiteNoise serves from STATIC_ROOT (after collectstatic) and warns when the folder is missing.
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "keel" / "static"]
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
MEDIA_ROOT = VAR_DIR / "media"

EMAIL_BACKEND = os.environ.get(
    "KEEL_EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if HTTPS
    else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_HOST = os.environ.get("KEEL_EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("KEEL_EMAIL_PORT", "25"))
DEFAULT_FROM_EMAIL = os.environ.get("KEEL_DEFAULT_FROM_EMAIL", "keel@localhost")

# Security: strict by default; development (KEEL_DEBUG=1) relaxes what needs HTTPS.
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_SSL_REDIRECT = HTTPS
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = int(os.environ.get("KEEL_HSTS_SECONDS", "31536000" if HTTPS else "0"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

KEEL_PAGE_SIZE = 25
KEEL_DEMO_PASSWORD = os.environ.get("KEEL_DEMO_PASSWORD", "keel-demo-2026")
# The largest project file an import accepts (upload page and API), in megabytes.
KEEL_IMPORT_MAX_MB = int(os.environ.get("KEEL_IMPORT_MAX_MB", "100"))
# A queued or running import or leveling that has not moved for this many minutes lost its worker: it is failed.
KEEL_JOB_STALE_MINUTES = int(os.environ.get("KEEL_JOB_STALE_MINUTES", "30"))
# The address people reach Keel at, for links in e-mails sent by background jobs (no request to read it from).
KEEL_BASE_URL = os.environ.get("KEEL_BASE_URL", "http://127.0.0.1:8000").rstrip("/")
# A benefit is at risk when its latest measurement misses this share of the planned gain (units may set their own).
KEEL_BENEFITS_AT_RISK_PERCENT = os.environ.get("KEEL_BENEFITS_AT_RISK_PERCENT", "10")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("KEEL_LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
