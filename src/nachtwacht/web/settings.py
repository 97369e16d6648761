"""Django settings for the Nachtwacht web app, parsed strictly from the environment.

Variables
---------
NACHTWACHT_DEBUG          1/0 (default 0). Development only.
NACHTWACHT_SECRET_KEY     required when DEBUG is off: 50+ random characters.
NACHTWACHT_ALLOWED_HOSTS  comma-separated (default ``localhost,127.0.0.1``).
DATABASE_URL              e.g. ``postgres://user:pw@host/db``; SQLite when unset.
NACHTWACHT_DATA_DIR       where SQLite, uploads and the generated key live
                          (default ``<repo>/var`` in a checkout, else ``./var``).
NACHTWACHT_SERVE_STATIC   1 to let Django serve /static/ itself (local use).
NACHTWACHT_SECURE_COOKIES override of the secure-cookie flags (default: not DEBUG).
NACHTWACHT_BEHIND_PROXY   1 when a TLS proxy sets X-Forwarded-Proto.
NACHTWACHT_CSRF_TRUSTED_ORIGINS  e.g. ``https://slaap.example.nl``.
NACHTWACHT_HTTPS          1 when the site is served over TLS only: turns on the
                          http->https redirect and one year of HSTS (each can be
                          overridden with the two variables below).
NACHTWACHT_HSTS_SECONDS / NACHTWACHT_SSL_REDIRECT / NACHTWACHT_HSTS_PRELOAD
NACHTWACHT_REQUIRE_2FA_CLINICIANS  1 to send clinicians without a second factor
                          to its set-up page before any clinician page.
"""

from __future__ import annotations

import ipaddress
import os
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

from nachtwacht.web.envparse import env_bool, env_int, env_list, secret_key

WEB_DIR = Path(__file__).resolve().parent
_REPO = WEB_DIR.parents[2]


def _default_data_dir() -> Path:
    # In a source checkout keep data next to the code (``var/`` is gitignored);
    # an installed package has no repo, so use the working directory.
    if (_REPO / "pyproject.toml").is_file():
        return _REPO / "var"
    return Path.cwd() / "var"


DATA_DIR = Path(os.environ.get("NACHTWACHT_DATA_DIR") or _default_data_dir()).resolve()
UPLOAD_DIR = DATA_DIR / "uploads"

DEBUG = env_bool("NACHTWACHT_DEBUG", False)
SECRET_KEY = secret_key(DEBUG)
ALLOWED_HOSTS = env_list("NACHTWACHT_ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])
SERVE_STATIC = env_bool("NACHTWACHT_SERVE_STATIC", DEBUG)

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "nachtwacht.web.accounts",
    "nachtwacht.web.diary",
    "nachtwacht.web.sharing",
    "nachtwacht.web.front",
    "nachtwacht.web.alerts",
    "nachtwacht.web.quick",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "nachtwacht.web.security.SecurityHeadersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "nachtwacht.web.middleware.UserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "nachtwacht.web.urls"
WSGI_APPLICATION = "nachtwacht.web.wsgi.application"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [WEB_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "nachtwacht.web.front.context.nav",
                "nachtwacht.web.alerts.context.alerts",
            ],
        },
    },
]


def _database() -> dict:
    url = os.environ.get("DATABASE_URL", "").strip()
    if url:
        import dj_database_url

        try:
            cfg = dj_database_url.parse(url, conn_max_age=60)
        except Exception as exc:  # dj_database_url raises several types
            raise ImproperlyConfigured(f"DATABASE_URL cannot be parsed: {exc}") from None
        # Values travel apart from the SQL (psycopg's server-side binding): a statement
        # PostgreSQL writes to its log on an error (log_min_error_statement, default
        # "error") then shows $1, $2 … and no diary text, where client-side binding put the
        # values into it (issue #16 item 3; docs/operations.md, "PostgreSQL's own log";
        # tests/web/test_web_pg_statement_log.py). Repeated statements are also prepared
        # by psycopg, which shortened the load test's tail (issue #16 item 5).
        cfg.setdefault("OPTIONS", {}).setdefault("server_side_binding", True)
        return cfg
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": DATA_DIR / "nachtwacht.sqlite3",
        # Kept open (per worker thread): when the last connection closes, SQLite deletes its
        # -wal/-shm files, and on a full disk the next request could not make them again,
        # so even reading pages failed (issue #16, tests/web/test_web_faults_disk.py).
        "CONN_MAX_AGE": None,
        "OPTIONS": {
            # WAL lets the dashboard read while an upload thread writes; the busy
            # timeout waits for a lock instead of failing with "database is locked".
            # secure_delete overwrites deleted rows with zeros, so a deleted diary does not
            # linger in free pages of the file (account deletion, docs/operations.md).
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=20000; "
                            "PRAGMA secure_delete=ON;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        },
    }


DATABASES = {"default": _database()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

CACHES = {
    # Per-process cache for what may differ between workers.
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "nachtwacht"},
    # Shared by every gunicorn worker without an extra server: a table in the app's own
    # database (created by the front app's migration 0002). It holds the login rate
    # limit and the dashboard's insight results (see docs/web.md, "Shared cache").
    # (Tolerant: a full disk only makes it stop caching, web/diskfull.py.)
    "shared": {"BACKEND": "nachtwacht.web.diskfull.TolerantDatabaseCache", "LOCATION": "nachtwacht_cache",
               "TIMEOUT": 24 * 3600, "OPTIONS": {"MAX_ENTRIES": 20000, "CULL_FREQUENCY": 4}},
    # The login and code rate limit in a table of its own (front migration 0004): when the
    # "shared" table is full it culls entries in key order, and a flood of insight
    # entries (or of failed logins) must not be able to wipe the failure counters.
    "ratelimit": {"BACKEND": "django.core.cache.backends.db.DatabaseCache",
                  "LOCATION": "nachtwacht_ratelimit", "TIMEOUT": 24 * 3600,
                  "OPTIONS": {"MAX_ENTRIES": 1_000_000, "CULL_FREQUENCY": 4}},
}
# What the delete-account page promises about backups: the operator's rotation
# (docs/operations.md, "Backups") must destroy copies older than this.
BACKUP_RETENTION_DAYS = env_int("NACHTWACHT_BACKUP_RETENTION_DAYS", 30, 1, 3650)
LOGIN_MAX_FAILURES = env_int("NACHTWACHT_LOGIN_MAX_FAILURES", 5, 1, 1000)
LOGIN_WINDOW_S = env_int("NACHTWACHT_LOGIN_WINDOW_S", 15 * 60, 10, 24 * 3600)
# Failures from one client address, any account, per window: a clinic behind one NAT
# needs room, a password sprayer does not.
LOGIN_MAX_PER_ADDRESS = env_int("NACHTWACHT_LOGIN_MAX_PER_ADDRESS", 100, 5, 100_000)
# Per account, from any address: after this many failures each next attempt waits 2**k s
# (at most LOGIN_BACKOFF_MAX_S) instead of a lock a stranger could keep up for ever; a
# browser that logged in as the account before (signed cookie) skips the wait.
LOGIN_ACCOUNT_SOFT = env_int("NACHTWACHT_LOGIN_ACCOUNT_SOFT", 10, 1, 10_000)
LOGIN_BACKOFF_MAX_S = env_int("NACHTWACHT_LOGIN_BACKOFF_MAX_S", 5 * 60, 1, 24 * 3600)
LOGIN_ACCOUNT_MEMORY_S = 24 * 3600
LOGIN_KNOWN_DEVICE_S = 180 * 24 * 3600
# Proxies whose X-Forwarded-For is believed (addresses or networks, comma-separated), e.g.
# "127.0.0.1,::1" behind the nginx of docs/operations.md. Empty: the peer is the client.
TRUSTED_PROXIES = env_list("NACHTWACHT_TRUSTED_PROXIES", [])
for _net in TRUSTED_PROXIES:
    try:
        ipaddress.ip_network(_net, strict=False)
    except ValueError as _exc:
        raise ImproperlyConfigured(f"NACHTWACHT_TRUSTED_PROXIES: {_net!r} is not an address or network") from _exc
# Two-step login (django-otp): optional for everyone; the operator can make it
# compulsory for clinicians, who see other people's health data.
REQUIRE_2FA_CLINICIANS = env_bool("NACHTWACHT_REQUIRE_2FA_CLINICIANS", False)
OTP_TOTP_ISSUER = "Nachtwacht"

LANGUAGE_CODE = "nl"
LANGUAGES = [("nl", "Nederlands"), ("en", "English")]
LOCALE_PATHS = [WEB_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "Europe/Amsterdam"
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [WEB_DIR / "static"]
STATIC_ROOT = DATA_DIR / "static"

# 2 MB is ~20,000 nights (50+ years): even on a loaded 2-core server the import stays well inside
# gunicorn's default 30 s timeout (a 5 MB file measured 28.6 s wall there).
CSV_MAX_BYTES = env_int("NACHTWACHT_CSV_MAX_BYTES", 2 * 1024 * 1024, 1024, 1024**3)
EDF_MAX_BYTES = env_int("NACHTWACHT_EDF_MAX_BYTES", 200 * 1024 * 1024, 1024, 1024**4)
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# --- Background jobs, bounded uploads, private files (issue #15; docs/operations.md) ---
# Everything this process creates (SQLite file and its WAL, uploads, PDFs, exports,
# backups, temporary files) is readable by its own user only.
os.umask(0o077)
# Uploads are counted while they stream in and stopped at the endpoint's limit
# (web/uploadlimit.py) before the default handlers write them to memory or disk.
FILE_UPLOAD_HANDLERS = ["nachtwacht.web.uploadlimit.LimitedUploadHandler",
                        "django.core.files.uploadhandler.MemoryFileUploadHandler",
                        "django.core.files.uploadhandler.TemporaryFileUploadHandler"]
FILE_UPLOAD_TEMP_DIR = DATA_DIR / "tmp"
FILE_UPLOAD_TEMP_DIR.mkdir(mode=0o700, parents=True, exist_ok=True)  # checked by files.E001
FILE_UPLOAD_PERMISSIONS = 0o600
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o700
# ... except collected static files, which the web server (another user) must read.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage",
                    "OPTIONS": {"file_permissions_mode": 0o644, "directory_permissions_mode": 0o755}},
}
# Limit per URL name; any other endpoint takes at most UPLOAD_DEFAULT_MAX_BYTES.
# Device files (issue #17, docs/device.md): Apple Health exports and raw wrist accelerometry
# are large (a week of Axivity .cwa at 100 Hz is ~260 MB); read in the request, ~5 s per
# 100 MB of .cwa on a loaded 2-core machine.
DEVICE_MAX_BYTES = env_int("NACHTWACHT_DEVICE_MAX_BYTES", 300 * 1024 * 1024, 1024, 1024**4)
UPLOAD_LIMITS = {"upload_csv": CSV_MAX_BYTES, "upload_edf": EDF_MAX_BYTES, "device_upload": DEVICE_MAX_BYTES}
UPLOAD_DEFAULT_MAX_BYTES = CSV_MAX_BYTES
# Before CSRF, which would read the body: a declared length over the limit is refused unread.
MIDDLEWARE.insert(MIDDLEWARE.index("django.middleware.csrf.CsrfViewMiddleware"),
                  "nachtwacht.web.uploadlimit.UploadLimitMiddleware")
# Django's tasks framework (django-tasks backport) on the app's own database: no extra
# server. ``nachtwacht worker`` (or ``nachtwacht serve``, which starts one) runs them.
# ``NACHTWACHT_TASKS_BACKEND=rq`` puts the same tasks on RQ (Redis) instead, for workers on
# several machines (set after JOB_LIMITS below; docs/operations.md, "Background jobs").
INSTALLED_APPS += ["django_tasks", "django_tasks_db", "nachtwacht.web.jobs"]
TASKS_BACKEND = os.environ.get("NACHTWACHT_TASKS_BACKEND", "database").strip().lower() or "database"
if TASKS_BACKEND not in ("database", "rq"):
    raise ImproperlyConfigured("NACHTWACHT_TASKS_BACKEND must be 'database' or 'rq'")
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
JOB_OUTPUT_DIR = DATA_DIR / "exports"
# Per job kind: wall-clock seconds and address space (RLIMIT_AS, MB) of the process
# that runs it. Address space, not resident memory: NumPy/SciPy reserve ~1.5 GB of
# it before touching a byte (an 1-h night peaks at 0.3 GB resident, 2.1 GB virtual).
JOB_LIMITS = {
    "analysis": {"seconds": env_int("NACHTWACHT_ANALYSIS_MAX_S", 30 * 60, 1, 24 * 3600),
                 "memory_mb": env_int("NACHTWACHT_ANALYSIS_MAX_MB", 4096, 256, 1024**2)},
    "export": {"seconds": env_int("NACHTWACHT_EXPORT_MAX_S", 30 * 60, 1, 24 * 3600),
               "memory_mb": env_int("NACHTWACHT_EXPORT_MAX_MB", 4096, 256, 1024**2)},
    # Raw wrist accelerometry (.cwa/.bin/.gt3x at 100 Hz, 60-220 MB) took 3-5 s and at most
    # 0.21 GB of address space (the readers work in chunks; a job ran at a 384 MB limit).
    "device": {"seconds": env_int("NACHTWACHT_DEVICE_JOB_MAX_S", 10 * 60, 1, 24 * 3600),
               "memory_mb": env_int("NACHTWACHT_DEVICE_JOB_MAX_MB", 1024, 256, 1024**2)},
}
# Tries per job when its process dies (worker killed, out of memory): then it fails.
JOB_MAX_ATTEMPTS = env_int("NACHTWACHT_JOB_MAX_ATTEMPTS", 3, 1, 20)
# A running job whose worker gave no sign of life for this long (and cannot be checked
# through /proc, e.g. on another host) is taken to be lost and queued again.
JOB_HEARTBEAT_STALE_S = env_int("NACHTWACHT_JOB_HEARTBEAT_STALE_S", 120, 10, 3600)
# Finished exports are kept this long for their download, then removed.
JOB_EXPORT_KEEP_S = env_int("NACHTWACHT_EXPORT_KEEP_S", 24 * 3600, 60, 30 * 24 * 3600)
# Finished and failed job rows (and the task backend's own rows) older than this are
# pruned by every worker once a day and by ``nachtwacht manage prune_jobs``.
JOB_RETENTION_DAYS = env_int("NACHTWACHT_JOB_RETENTION_DAYS", 30, 1, 3650)
if TASKS_BACKEND == "rq":
    # django-tasks-rq (same author and API as django-tasks). Two RQ queues: a worker takes
    # "quick" (exports, report PDFs) before "default" (analyses), as the priorities do on
    # the database backend. RQ's own time limit stays above ours, so ours speaks first.
    REDIS_URL = os.environ.get("NACHTWACHT_REDIS_URL", "")
    if not REDIS_URL:
        raise ImproperlyConfigured("NACHTWACHT_TASKS_BACKEND=rq needs NACHTWACHT_REDIS_URL "
                                   "(e.g. redis://127.0.0.1:6379/0)")
    INSTALLED_APPS += ["django_rq"]
    _rq_timeout = max(lim["seconds"] for lim in JOB_LIMITS.values()) + 600
    RQ_QUEUES = {name: {"URL": REDIS_URL, "DEFAULT_TIMEOUT": _rq_timeout}
                 for name in ("quick", "default")}
    TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["quick", "default"]}}

_secure = env_bool("NACHTWACHT_SECURE_COOKIES", not DEBUG)
SESSION_COOKIE_SECURE = _secure
CSRF_COOKIE_SECURE = _secure
LANGUAGE_COOKIE_SECURE = _secure
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
CSRF_TRUSTED_ORIGINS = env_list("NACHTWACHT_CSRF_TRUSTED_ORIGINS", [])
# A refused form gets a plain page (what happened, nothing saved, what to do).
CSRF_FAILURE_VIEW = "nachtwacht.web.csrf.csrf_failure"
if env_bool("NACHTWACHT_BEHIND_PROXY", False):
    # nginx/Caddy terminate TLS and say so in this header; only trust it behind a proxy.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Declaring TLS-only (NACHTWACHT_HTTPS=1) switches on what `check --deploy` asks for;
# without it (plain http on localhost, `nachtwacht serve`) HSTS would lock browsers out.
HTTPS_ONLY = env_bool("NACHTWACHT_HTTPS", False)
SECURE_HSTS_SECONDS = env_int("NACHTWACHT_HSTS_SECONDS", 365 * 24 * 3600 if HTTPS_ONLY else 0,
                              0, 2 * 365 * 24 * 3600)
SECURE_SSL_REDIRECT = env_bool("NACHTWACHT_SSL_REDIRECT", HTTPS_ONLY)
# A health-data site runs on its own (sub)domain; subdomains get no plain-http fallback.
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_SECONDS > 0
# Preloading is a hard-to-undo submission to the browsers' list; it is the operator's
# decision, so it stays off unless asked for and the check's reminder is silenced.
SECURE_HSTS_PRELOAD = env_bool("NACHTWACHT_HSTS_PRELOAD", False)
SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_AGE = 60 * 60 * 24 * 30

# Mail (password-reset links) through Django's SMTP backend; see docs/web.md.
EMAIL_HOST = os.environ.get("NACHTWACHT_SMTP_HOST", "localhost")
EMAIL_PORT = env_int("NACHTWACHT_SMTP_PORT", 25, 1, 65535)
EMAIL_HOST_USER = os.environ.get("NACHTWACHT_SMTP_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("NACHTWACHT_SMTP_PASSWORD", "")
EMAIL_USE_TLS = env_bool("NACHTWACHT_SMTP_TLS", False)
DEFAULT_FROM_EMAIL = os.environ.get("NACHTWACHT_MAIL_FROM", "Nachtwacht <nachtwacht@localhost>")
# Reminders (issue #14, web/quick/reminders.py): links in e-mail need the site's address;
# Web Push needs a VAPID key pair (``vapid --gen`` from py-vapid, or see docs/quick-entry.md).
SITE_URL = os.environ.get("NACHTWACHT_SITE_URL", "http://localhost:8000")
VAPID_PRIVATE_KEY = os.environ.get("NACHTWACHT_VAPID_PRIVATE_KEY", "")
VAPID_PUBLIC_KEY = os.environ.get("NACHTWACHT_VAPID_PUBLIC_KEY", "")
VAPID_SUBJECT = os.environ.get("NACHTWACHT_VAPID_SUBJECT", "mailto:nachtwacht@localhost")
PUSH_ALLOW_HTTP = False  # tests only: a local push endpoint over plain http
#: A reset link works for three days (Django's default is three too; written out here).
PASSWORD_RESET_TIMEOUT = 3 * 24 * 3600

# Logs carry the path and status of a request, never its body or query values:
# diary data (sexual behaviour, drugs, notes) must not end up in log files.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {
        "django.request": {"handlers": ["console"], "level": "ERROR", "propagate": False},
        "django.server": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "nachtwacht": {"handlers": ["console"], "level": "INFO", "propagate": False},
    },
}
