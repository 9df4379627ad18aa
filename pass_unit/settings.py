"""Settings for pass-unit, read from the environment (django-environ).

Every value can come from the process environment or an optional `.env` file
at the project root; `.env.example` documents them.
"""

import sys
from datetime import timedelta
from pathlib import Path

import environ
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env(
    DEBUG=(bool, False),
    ALLOWED_HOSTS=(list, ["127.0.0.1", "localhost"]),
    PASS_UNIT_NAME=(str, "PASS — Hôpital de démonstration"),
    SESSION_IDLE_MINUTES=(int, 30),
    SECURE_SSL=(bool, False),
)
environ.Env.read_env(BASE_DIR / ".env")

DEBUG = env("DEBUG")
# The "django-insecure-" prefix makes `check --deploy` flag this key (security.W009) if production forgets SECRET_KEY.
SECRET_KEY = env("SECRET_KEY", default="django-insecure-dev-only-key-change-me-" + "x" * 20)
ALLOWED_HOSTS = env("ALLOWED_HOSTS")
PASS_UNIT_NAME = env("PASS_UNIT_NAME")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "django.contrib.humanize",
    "axes",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_countries",  # ISO 3166 countries with their French names (country of birth, nationality)
    "django_tasks_db",  # background tasks stored in PostgreSQL (`manage.py db_worker` runs them)
    "pass_unit",
    "patients",
    "rcp",
    "budget",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # First: every audit row written while serving the request knows the client's address.
    "pass_unit.audit.ClientAddressMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # Pushes the idle expiry back at most once a minute instead of saving the session on every request.
    "pass_unit.sessions.IdleExpiryMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: it turns lock-outs into the lock-out page.
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Lock-out after repeated failed logins on one account (django-axes).
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
# Per account (whatever the address), so rotating addresses does not help an attacker.
AXES_LOCKOUT_PARAMETERS = ["username", ["ip_address", "username"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked.html"
AXES_VERBOSE = False

ROOT_URLCONF = "pass_unit.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "pass_unit.context_processors.unit",
            ],
        },
    },
]

WSGI_APPLICATION = "pass_unit.wsgi.application"

# Database: DATABASE_URL when set, otherwise the project's embedded PostgreSQL.
# Least privilege (README, "Two database roles"): in production DATABASE_URL names the runtime role
# (`manage.py create_runtime_role`), and DATABASE_OWNER_URL the owner of the schema; the commands that
# change the schema or delete audit rows (OWNER_COMMANDS), or any process run with PASS_UNIT_AS_OWNER=1,
# connect as the owner instead.
OWNER_COMMANDS = {"migrate", "purge_audit", "create_runtime_role", "backup_db", "restore_db", "createcachetable"}


def _management_command() -> str:
    if len(sys.argv) > 1 and Path(sys.argv[0]).name in {"manage.py", "django-admin", "__main__.py"}:
        return sys.argv[1]
    return ""


if env("DATABASE_OWNER_URL", default="") and (
    _management_command() in OWNER_COMMANDS or env.bool("PASS_UNIT_AS_OWNER", default=False)
):
    DATABASES = {"default": env.db("DATABASE_OWNER_URL")}
elif env("DATABASE_URL", default=""):
    DATABASES = {"default": env.db("DATABASE_URL")}
else:
    from pass_unit.embedded_db import database_url

    DATABASES = {"default": env.db_url_config(database_url())}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
# Persistent connections (reused by a worker's requests for CONN_MAX_AGE seconds), checked before reuse.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# Concurrent test runs (several developers on one embedded server) can pick their own name.
DATABASES["default"].setdefault("TEST", {})["NAME"] = env("PASS_UNIT_TEST_DB", default="test_pass_unit")

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

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

# Sessions end after an idle period and when the browser closes.
SESSION_COOKIE_AGE = env("SESSION_IDLE_MINUTES") * 60
# Not saved on every request: pass_unit.sessions.IdleExpiryMiddleware pushes the expiry back when the
# last push is older than SESSION_REFRESH_SECONDS (at most a tenth of the idle window).
SESSION_SAVE_EVERY_REQUEST = False
SESSION_REFRESH_SECONDS = env.int("SESSION_REFRESH_SECONDS", default=60)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", _("French")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True
FORMAT_MODULE_PATH = ["pass_unit.formats"]

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"

# Security headers. No inline scripts or styles: everything is served from /static/.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CSRF_COOKIE_HTTPONLY = False
if env("SECURE_SSL"):
    SECURE_SSL_REDIRECT = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
if env("SECURE_SSL"):
    # Production: the hospital's SMTP relay (`check --deploy` refuses the in-memory backend).
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": env("SMTP_HOST", default="localhost"), "port": env.int("SMTP_PORT", default=25)},
        }
    }

# PostgreSQL client binaries (pg_dump, pg_restore) matching the server; empty: found automatically.
PG_BIN_DIR = env("PG_BIN_DIR", default="")

# Behind a reverse proxy: the request header holding the workstation's address
# (e.g. HTTP_X_REAL_IP), used by the audit trail and the login lock-out.
CLIENT_IP_HEADER = env("CLIENT_IP_HEADER", default="")
if CLIENT_IP_HEADER:
    AXES_IPWARE_META_PRECEDENCE_ORDER = [CLIENT_IP_HEADER, "REMOTE_ADDR"]

# Audit trail rows older than this are purged by `manage.py purge_audit`.
AUDIT_RETENTION_DAYS = env.int("AUDIT_RETENTION_DAYS", default=3 * 365)

# Uploaded or imported files: refused above this size (bytes).
UPLOAD_MAX_BYTES = env.int("UPLOAD_MAX_BYTES", default=5 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = UPLOAD_MAX_BYTES

# Thresholds for alerts on the patient file.
COVERAGE_EXPIRY_WARNING_DAYS = env.int("COVERAGE_EXPIRY_WARNING_DAYS", default=60)

# RCP minutes name patients by file number and initials; True makes full names the default
# (each meeting can still choose).
RCP_MINUTES_FULL_NAMES = env.bool("RCP_MINUTES_FULL_NAMES", default=False)

# Background tasks (Django's tasks framework): queued in the database, in the same transaction as the
# change that asks for them, and run by `manage.py db_worker` (started by `make run`). Used for the
# patients' extracts of validated RCP minutes. Tests run them at once (tests/conftest.py).
TASKS = {
    "default": {
        "BACKEND": env("TASKS_BACKEND", default="django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}
