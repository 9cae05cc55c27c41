"""Django settings, read from environment variables with safe production defaults.

Every setting a deployment may change is an environment variable; see README.md.
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

PACKAGE_DIR = Path(__file__).resolve().parent


def env_bool(name: str, default: bool = False) -> bool:
    """Read a yes/no environment variable."""
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    """Read a comma-separated environment variable."""
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)
# The data directory holds the SQLite file, uploaded files and collected static files:
# everything the platform writes, outside the package and outside the web root.
DATA_DIR = Path(os.environ.get("DATA_DIR", Path.cwd() / "var")).resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if DEBUG:
        SECRET_KEY = "insecure-development-key-do-not-use-in-production"
    else:
        raise ImproperlyConfigured(
            "Thiếu biến môi trường SECRET_KEY: khi DEBUG tắt, Binhdang không khởi động "
            "nếu không có khóa bí mật. Đặt SECRET_KEY (một chuỗi ngẫu nhiên dài), "
            "hoặc DEBUG=1 khi phát triển. "
            "/ SECRET_KEY is not set: with DEBUG off Binhdang refuses to start without it."
        )

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "js_lib_bootstrap5",
    "js_lib_bootstrap_icons",
    "axes",
    "auditlog",
    "django_tasks_db",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "ninja",  # its Swagger UI files, served from our own static files (no CDN)
    "binhdang.core",
    "binhdang.orgunits",
    "binhdang.accounts",
    "binhdang.committees",
    "binhdang.indicators",
    "binhdang.plans",
    "binhdang.activities",
    "binhdang.reporting",
    "binhdang.workboard",
    "binhdang.notices",
    "binhdang.demo",
    "binhdang.api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "binhdang.core.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "binhdang.accounts.middleware.NoStoreForSignedInMiddleware",
    "binhdang.accounts.middleware.TwoFactorMiddleware",
    "binhdang.accounts.middleware.UnitRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "auditlog.middleware.AuditlogMiddleware",
    # Axes must come last: it turns a lockout into the Vietnamese lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "binhdang.urls"
WSGI_APPLICATION = "binhdang.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "binhdang.core.context_processors.navigation",
                "binhdang.accounts.context_processors.account_menu",
                "binhdang.accounts.context_processors.breadcrumb_scope",
                "binhdang.notices.context_processors.bell",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{DATA_DIR / 'binhdang.sqlite3'}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # One writer at a time is SQLite's rule; wait for the lock instead of failing at once.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": 20, "transaction_mode": "IMMEDIATE", "init_command": "PRAGMA journal_mode=WAL;"}
    )
# An optional read replica (PostgreSQL streaming replication) for the consolidated report's reads;
# writes always go to the primary (core/replica.py). In tests it mirrors the default database.
if os.environ.get("DATABASE_REPLICA_URL"):
    DATABASES["replica"] = dj_database_url.parse(
        os.environ["DATABASE_REPLICA_URL"],
        conn_max_age=DATABASES["default"]["CONN_MAX_AGE"],
        test_options={"MIRROR": "default"},
    )
DATABASE_ROUTERS = ["binhdang.core.replica.ReplicaRouter"]

# Django's cache. Without CACHE_URL it lives in each process, which is right for one process;
# with several workers or hosts, CACHE_URL=redis://… gives them one cache, so that what is
# counted there (the API's rate limit) counts for all of them.
CACHE_URL = os.environ.get("CACHE_URL", "").strip()
if CACHE_URL.startswith(("redis://", "rediss://", "unix://")):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": CACHE_URL,
            "KEY_PREFIX": "binhdang",
        }
    }
elif CACHE_URL:
    raise ImproperlyConfigured(
        f"CACHE_URL must be a Redis address (redis://host:6379/0), not {CACHE_URL!r}."
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# The first hasher hashes new passwords; the others only check old hashes, which Django rehashes
# with the first at the next sign-in (accounts/hashers.py: argon2id with OWASP's parameters).
PASSWORD_HASHERS = [
    "binhdang.accounts.hashers.OwaspArgon2idPasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.BCryptSHA256PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "workboard:home"
LOGOUT_REDIRECT_URL = "login"

# Lockout after repeated failed logins, per user name from any address: a guesser cannot go on
# from another address. Not per address alone, since a whole office often shares one address.
AXES_FAILURE_LIMIT = int(os.environ.get("LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = float(os.environ.get("LOGIN_COOLOFF_HOURS", "0.5"))
# The pair adds no lock beyond the name's own; it is listed because axes' check (W006) asks for
# the address, and `check --deploy` runs with warnings as failures.
AXES_LOCKOUT_PARAMETERS = ["username", ["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_IPWARE_PROXY_COUNT = int(os.environ.get("PROXY_COUNT", "0")) or None

LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Vietnamese")), ("en", _("English"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True
FORMAT_MODULE_PATH = ["binhdang.formats"]
USE_THOUSAND_SEPARATOR = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)  # WhiteNoise warns on every start if it is missing
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
# Uploaded files and the files of background jobs. On several machines it is the one directory
# they must share (e.g. NFS), written by app hosts and workers alike; DATA_DIR stays local.
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT") or DATA_DIR / "media").resolve()
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# Without EMAIL_HOST, messages are written to the log rather than lost silently. That is for trying
# the platform only: `check --deploy` refuses it (mail.E001), since password reset and reminders
# need real mail; a server with its own mail relay sets EMAIL_HOST=localhost, EMAIL_PORT=25,
# EMAIL_USE_TLS=0.
_email_host = os.environ.get("EMAIL_HOST", "")
MAILERS = {
    "default": {
        "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "OPTIONS": {
            "host": _email_host,
            "port": int(os.environ.get("EMAIL_PORT", "587")),
            "username": os.environ.get("EMAIL_HOST_USER", ""),
            "password": os.environ.get("EMAIL_HOST_PASSWORD", ""),
            "use_tls": env_bool("EMAIL_USE_TLS", True),
        },
    }
    if _email_host
    else {"BACKEND": "django.core.mail.backends.console.EmailBackend"}
}
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "binhdang@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
CSRF_FAILURE_VIEW = "binhdang.core.views.csrf_failure"
SESSION_COOKIE_AGE = 8 * 3600
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True

# HTTPS. Behind a reverse proxy that terminates TLS, the proxy names the scheme in a header
# (SECURE_PROXY_SSL_HEADER=X-Forwarded-Proto, which it must always set or overwrite); without it
# the platform would think every request is plain http, redirect forever under SECURE_SSL_REDIRECT
# and build http:// links (the calendar address).
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", False)
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "0"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
_proxy_ssl_header = os.environ.get("SECURE_PROXY_SSL_HEADER", "").strip()
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_" + _proxy_ssl_header.upper().replace("-", "_"), "https") if _proxy_ssl_header else None
)
SECURE_REFERRER_POLICY = "same-origin"

# Content-Security-Policy: scripts, styles, fonts and images only from the platform itself, no
# inline script, style or event handler anywhere (templates keep theirs in static/binhdang/), so
# an injected tag cannot run. `data:` images are Bootstrap's own SVG icons inside its CSS.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}

# Two-factor login (TOTP) with django-otp: the issuer name shown in the authenticator app.
OTP_TOTP_ISSUER = "Binhdang"

AUDITLOG_INCLUDE_ALL_MODELS = False

# Committees: the largest decision scan accepted, and after how many years without a new
# decision a committee is flagged as due for reconstitution.
DECISION_FILE_MAX_MB = int(os.environ.get("DECISION_FILE_MAX_MB", "10"))
COMMITTEE_RECONSTITUTE_YEARS = int(os.environ.get("COMMITTEE_RECONSTITUTE_YEARS", "5"))
IMPORT_MAX_MB = int(os.environ.get("IMPORT_MAX_MB", "5"))
# Imports: rows of one upload (a province's figures template with its communes is ~15,000);
# past it a file is refused before it is read, which bounds an import's memory.
IMPORT_MAX_ROWS = int(os.environ.get("IMPORT_MAX_ROWS", "50000"))
# DHIS2 server to server (docs/dhis2.md): the instance's address (without /api), and either a
# personal access token or a user name and password; the data set (by code) that values are
# pulled from and that ADX groups name; how long to wait for an answer.
DHIS2_URL = os.environ.get("DHIS2_URL", "").rstrip("/")
DHIS2_USERNAME = os.environ.get("DHIS2_USERNAME", "")
DHIS2_PASSWORD = os.environ.get("DHIS2_PASSWORD", "")
DHIS2_TOKEN = os.environ.get("DHIS2_TOKEN", "")
DHIS2_DATA_SET = os.environ.get("DHIS2_DATA_SET", "BINHDANG")
DHIS2_TIMEOUT = float(os.environ.get("DHIS2_TIMEOUT", "30"))
# Indicators: a figure further than this share from last year's needs an explanatory note.
SHARP_CHANGE_RATIO = float(os.environ.get("SHARP_CHANGE_RATIO", "0.5"))

# Plans: task reminders go out this many days before a deadline (comma-separated), and on the
# day after a missed one; `binhdang manage send_task_reminders` runs daily (cron).
TASK_REMINDER_DAYS = [int(day) for day in env_list("TASK_REMINDER_DAYS", "7,1")]

# Reporting rounds: days before a deadline on which units are reminded, how often late units are
# reminded after it, and the address that e-mails link to (e.g. https://binhdang.example.gov.vn).
ROUND_REMINDER_DAYS = [int(day) for day in env_list("ROUND_REMINDER_DAYS", "3,1")]
ROUND_LATE_REMINDER_EVERY_DAYS = int(os.environ.get("ROUND_LATE_REMINDER_EVERY_DAYS", "7"))
SITE_URL = os.environ.get("SITE_URL", "")
# Background jobs: `binhdang manage clean_jobs` (daily) fails jobs unfinished after this many
# hours and deletes finished jobs, with their files, after this many days.
JOB_STALE_HOURS = int(os.environ.get("JOB_STALE_HOURS", "6"))
JOB_KEEP_DAYS = int(os.environ.get("JOB_KEEP_DAYS", "30"))
# Health check (/healthz): the queue is reported "stale" when a task has waited longer than this
# many seconds for a worker (TASKS_BACKEND=database).
HEALTH_QUEUE_MAX_AGE = int(os.environ.get("HEALTH_QUEUE_MAX_AGE", "300"))
# Notices: `binhdang manage clean_notices` (daily) deletes those read more than this many days ago.
NOTICE_KEEP_DAYS = int(os.environ.get("NOTICE_KEEP_DAYS", "180"))

# Background work (reminders, report compilation). By default a task runs at once in the process
# that asks for it, so one process is enough; TASKS_BACKEND=database queues it in the database
# for `binhdang manage db_worker` to run.
TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend"
        if os.environ.get("TASKS_BACKEND", "immediate") == "database"
        else "django.tasks.backends.immediate.ImmediateBackend"
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # A 403 or 404 is one line, not a traceback (core/logging.py): real errors stay visible.
    # A warning repeated with every request while a condition lasts is said once (SayOnce).
    "filters": {
        "refusals": {"()": "binhdang.core.logging.RefusalsOnOneLine"},
        "once": {"()": "binhdang.core.logging.SayOnce"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["refusals"]}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        # Axes announces itself on every start; only its warnings matter.
        "axes": {"level": "WARNING"},
        # Two lines per background task (started, finished), i.e. per notice e-mail; a failed
        # task is still logged, as an error with its traceback.
        "django.tasks": {"level": "WARNING"},
        # waitress: "Task queue depth is N" for every request that waits for a thread.
        "waitress.queue": {"filters": ["once"]},
    },
}

# The REST API (/api/v1/): requests per token and period ("600/m": 600 a minute), counted in the
# cache; bodies larger than API_MAX_BODY bytes or nested deeper than API_MAX_DEPTH are refused.
API_RATE_LIMIT = os.environ.get("API_RATE_LIMIT", "600/m")
API_MAX_BODY = int(os.environ.get("API_MAX_BODY", str(1024 * 1024)))
API_MAX_DEPTH = 16
