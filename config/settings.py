"""Settings of the IZD portal, read from the environment through `izd.env`.

Every variable is listed in `.env.example`. Without DATABASE_URL / REDIS_URL the portal starts an
embedded PostgreSQL and Redis with their data in the data folder (development, tests, CI).
Long because every setting of the portal lives here, each beside the reason for its value.
"""

from __future__ import annotations

import secrets
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlparse

from django.utils.translation import gettext_lazy as _

from izd import embedded, sizing
from izd.env import (
    EnvironmentError_,
    env_bool,
    env_domain,
    env_int,
    env_list,
    env_optional,
    env_path,
    env_str,
    env_url,
)

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("DEBUG", False)
DATA_DIR = env_path("IZD_DATA_DIR", BASE_DIR / ".data")
DATA_DIR.mkdir(parents=True, exist_ok=True)
# Archives of municipalities (export_municipality, offboarding): kept like backups.
ARCHIVE_DIR = env_path("IZD_ARCHIVE_DIR", DATA_DIR / "archives")

_database_url = env_url("DATABASE_URL", schemes=("postgres", "postgresql"))
_redis_url = env_url("REDIS_URL", schemes=("redis", "rediss"))
EMBEDDED_SERVICES = _database_url is None or _redis_url is None


def _secret_key() -> str:
    configured = env_optional("SECRET_KEY")
    if configured:
        if len(configured) < 50:
            raise EnvironmentError_("SECRET_KEY must be at least 50 characters long.")
        return configured
    if _database_url is not None:
        raise EnvironmentError_("SECRET_KEY must be set when DATABASE_URL is set (production).")
    # Embedded mode: a key kept in the data folder survives restarts, so sessions do too.
    key_file = DATA_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(64))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()

# The portal's base domain: the Kreis lives on it, every municipality on `<slug>.<domain>`.
BASE_DOMAIN = env_domain("IZD_BASE_DOMAIN", "izd.localhost")
PORTAL_SCHEME = "https" if env_bool("IZD_HTTPS", not DEBUG) else "http"
PORTAL_PORT = env_int("IZD_PORT", 0, minimum=0)  # shown in links; 0 means the scheme's default
ALLOWED_HOSTS = [BASE_DOMAIN, f".{BASE_DOMAIN}", *env_list("IZD_EXTRA_HOSTS", [])]
KREIS_NAME = env_str("IZD_KREIS_NAME", "Main-Kinzig-Kreis")

SHARED_APPS = [
    # tenants comes first so that its `migrate` (which also keeps the template schema
    # migrated) takes precedence over django-tenants' own.
    "tenants",
    "django_tenants",
    "izd",
    "izd.health",
    "izd.audit",
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "template_partials",
    "axes",
    "maturity",
    "costsharing",
    "roadmap",
    "roadmap.papers",
    "roadmap.practices",
    # The composition root, an app only for its management commands (start, runtests).
    "config",
]
# A municipality's own data: each app keeps it in a sub-app whose tables exist only in the
# municipality schemas (an app in both lists would get empty twins of its public tables).
TENANT_APPS = [
    "django.contrib.contenttypes",
    "maturity.municipal",
    "costsharing.municipal",
    "roadmap.municipal",
]
INSTALLED_APPS = list(dict.fromkeys(SHARED_APPS + TENANT_APPS))

PUBLIC_SCHEMA_NAME = "public"
TENANT_MODEL = "tenants.Municipality"
TENANT_DOMAIN_MODEL = "tenants.Domain"
PUBLIC_SCHEMA_URLCONF = "config.urls_public"
ROOT_URLCONF = "config.urls_tenant"
# New municipalities are cloned from this migrated template instead of replaying migrations.
TENANT_BASE_SCHEMA = "tenant_template"
TENANT_CREATION_FAKES_MIGRATIONS = True
# One `SET search_path` per schema switch instead of one before every statement (django-tenants
# forgets the setting on set_tenant(), rollback and savepoint rollback, so it stays correct).
TENANT_LIMIT_SET_CALLS = True
# `migrate` runs Django's plan in one schema and replays its SQL in the others
# (tenants/migration.py); `--executor=standard` still selects django-tenants' own.
# IZD_MIGRATION_WORKERS: connections replaying at once.
GET_EXECUTOR_FUNCTION = "tenants.migration.executor_for"
TENANT_MIGRATION_WORKERS = env_int("IZD_MIGRATION_WORKERS", 2, minimum=1)
# IZD_ONBOARDING_WORKERS: connections onboarding municipalities at once (tenants/onboarding.py).
TENANT_ONBOARDING_WORKERS = env_int("IZD_ONBOARDING_WORKERS", 4, minimum=1)
SHOW_PUBLIC_IF_NO_TENANT_FOUND = False
DEFAULT_NOT_FOUND_TENANT_VIEW = "izd.errors.unknown_host"

MIDDLEWARE = [
    # Outermost: every answer, also django-tenants' and WhiteNoise's, gets the security headers
    # and, where it is an empty 4xx, a German page.
    "izd.security.SecurityHeadersMiddleware",
    "izd.errors.ErrorPageMiddleware",
    "django_tenants.middleware.main.TenantMainMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "tenants.signin.SessionMiddleware",  # Django's, with session, person and roles in one read
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "tenants.signin.AuthenticationMiddleware",
    "izd.audit.middleware.AuditActorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
    "tenants.middleware.MembershipAccessMiddleware",
]

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
                "tenants.context_processors.portal",
            ],
            "builtins": ["izd.templatetags.izd_formats", "django.templatetags.l10n"],
        },
    }
]

WSGI_APPLICATION = "config.wsgi.application"


def _database() -> dict[str, object]:
    url = _database_url or embedded.postgres_url(DATA_DIR)
    parsed = urlparse(url)
    query = parse_qs(parsed.query)
    host = query.get("host", [parsed.hostname or ""])[0]
    pool = sizing.database_pool()
    # Each process borrows from one bounded pool (psycopg_pool) instead of keeping a connection
    # per thread; a pooled connection goes back at the end of every request, hence CONN_MAX_AGE 0.
    # Shown in pg_stat_activity: which part of the portal holds a connection.
    options: dict[str, object] = {"application_name": env_str("DATABASE_APPLICATION_NAME", "izd")}
    if pool.max_size:
        options["pool"] = {
            "min_size": pool.min_size,
            "max_size": pool.max_size,
            "timeout": pool.timeout,
            "max_idle": 300,
        }
    return {
        "ENGINE": "django_tenants.postgresql_backend",
        "NAME": unquote(parsed.path.lstrip("/")) or "postgres",
        "USER": unquote(parsed.username or ""),
        "PASSWORD": unquote(parsed.password or ""),
        "HOST": host,
        "PORT": str(parsed.port or ""),
        "CONN_MAX_AGE": 0 if pool.max_size else env_int("DATABASE_CONN_MAX_AGE", 60, minimum=0),
        "CONN_HEALTH_CHECKS": True,
        "OPTIONS": options,
        "TEST": {"NAME": env_optional("DATABASE_TEST_NAME") or "izd_test"},
    }


DATABASES = {"default": _database()}
DATABASE_ROUTERS = ("django_tenants.routers.TenantSyncRouter",)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = _redis_url or embedded.redis_url(DATA_DIR, env_int("IZD_EMBEDDED_REDIS_PORT", 6389))

AUTH_USER_MODEL = "tenants.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
     "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]  # fmt: skip
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "start"
LOGOUT_REDIRECT_URL = "login"

# Failed sign-ins are throttled per user name and address.
AXES_FAILURE_LIMIT = env_int("IZD_LOGIN_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_FORM_FIELD = "username"  # the sign-in form field that holds the e-mail address
AXES_USERNAME_CALLABLE = "tenants.forms.sign_in_name"  # counted without regard to case
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True

# One sign-in for the Kreis and every municipality: the session cookie spans all subdomains.
# Browsers refuse a cookie for all of `.localhost`, hence the default `izd.localhost`.
SESSION_COOKIE_DOMAIN = f".{BASE_DOMAIN}" if "." in BASE_DOMAIN else None
# Sessions live in PostgreSQL only: signing in and staying signed in must not need Redis.
SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_COOKIE_NAME = "izd_session"
SESSION_COOKIE_AGE = 60 * 60 * 10
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_NAME = "izd_csrftoken"
CSRF_FAILURE_VIEW = "izd.errors.csrf_failure"

_https = PORTAL_SCHEME == "https"
SESSION_COOKIE_SECURE = _https
CSRF_COOKIE_SECURE = _https
SECURE_SSL_REDIRECT = _https and env_bool("IZD_SSL_REDIRECT", True)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = 60 * 60 * 24 * 365 if _https else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = _https
SECURE_HSTS_PRELOAD = _https
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CSRF_TRUSTED_ORIGINS = [f"{PORTAL_SCHEME}://*.{BASE_DOMAIN}", f"{PORTAL_SCHEME}://{BASE_DOMAIN}"]

LANGUAGE_CODE = "de-de"
LANGUAGES = [("de", _("Deutsch"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Berlin"
USE_I18N = True
USE_TZ = True
USE_THOUSAND_SEPARATOR = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "staticfiles"
STATIC_ROOT.mkdir(exist_ok=True)  # WhiteNoise warns on every start when it is missing
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(DATA_DIR / "media")},
    },
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = True  # serve from static/ without collectstatic in development

# Without a configured backend (development, the quick start), mails are written as files into
# the data folder instead of onto the terminal, where they would bury the start-up lines.
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.filebased.EmailBackend")
EMAIL_FILE_PATH = env_path("IZD_MAIL_DIR", DATA_DIR / "mail")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25, minimum=1)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", f"IZD-Portal <noreply@{BASE_DOMAIN}>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Celery: tasks run in the schema they were sent from (tenant-schemas-celery).
#
# A document job lives in PostgreSQL (izd.jobs); a Celery message only wakes a worker up. The
# settings below make the broker's copy survive a dead worker, and the job's lease in the
# database makes recovery fast, without waiting for the broker's visibility timeout.
CELERY_BROKER_URL = REDIS_URL
# Redis, with a worker that reconnects after an outage instead of shutting down (izd/broker.py).
CELERY_BROKER_TRANSPORT = "izd.broker:Transport"
CELERY_RESULT_BACKEND = REDIS_URL
# Queue the portal sends to and its workers read; separate portals may share one Redis.
CELERY_TASK_DEFAULT_QUEUE = env_str("IZD_TASK_QUEUE", "celery")
# Acknowledge a message only after the task has run: a worker killed mid-task leaves the
# message unacknowledged, so the broker hands it out again (a lost message is re-sent by the
# dispatcher anyway; the job's compare-and-set claim drops the duplicate).
CELERY_TASK_ACKS_LATE = True
# With acks_late, a task whose pool process died (OOM, SIGKILL, hard time limit) is requeued
# instead of acknowledged as failed. A job that kills its process every time cannot loop:
# every claim counts an attempt, and after IZD_JOB_MAX_ATTEMPTS it ends as failed.
CELERY_TASK_REJECT_ON_WORKER_LOST = True
# Reserve one message per pool process: a killed worker strands at most its running jobs, and
# a long batch spreads over every worker instead of piling up in the first one's buffer.
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = env_int("IZD_TASK_TIME_LIMIT", 15 * 60, minimum=10)
# The soft limit raises inside the task first, so the job is given back (or failed) cleanly.
CELERY_TASK_SOFT_TIME_LIMIT = max(CELERY_TASK_TIME_LIMIT - 30, CELERY_TASK_TIME_LIMIT * 9 // 10)
CELERY_BROKER_TRANSPORT_OPTIONS = {
    # The broker hands an unacknowledged message to a second worker after this time, so it
    # must exceed the task time limit, or a slow task would run twice. Recovery after a dead
    # worker does not wait for it: the job's lease (IZD_JOB_LEASE_SECONDS) expires first and
    # the dispatcher sends the job again; the late duplicate finds the job taken or done.
    "visibility_timeout": CELERY_TASK_TIME_LIMIT * 2,
    # A web request that sends a job must not hang on a Redis that is down: the job is
    # already in the database, and the dispatcher sends it when Redis is back.
    "socket_connect_timeout": 2,
}
CELERY_BROKER_CONNECTION_TIMEOUT = 2
# Workers outlive a Redis outage: they keep reconnecting, also when started without Redis.
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_CONNECTION_MAX_RETRIES = None
CELERY_RESULT_EXPIRES = 60 * 60 * 24
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
# Celery's Django fixup closes the connection pool of a prefork process after every task unless
# told to reuse it for this many (a new PostgreSQL backend per document otherwise); after each
# task the connection goes back to the pool instead (config.celery).
CELERY_DB_REUSE_MAX = 500

# Document jobs (izd.jobs): a running job renews its lease every third of this time; a job
# whose lease ran out (its worker died) is sent again, at most IZD_JOB_MAX_ATTEMPTS times.
JOB_LEASE_SECONDS = env_int("IZD_JOB_LEASE_SECONDS", 30, minimum=5)
JOB_MAX_ATTEMPTS = env_int("IZD_JOB_MAX_ATTEMPTS", 3, minimum=1)
# How often each worker's dispatcher looks for jobs never sent or left by a dead worker.
JOB_SWEEP_SECONDS = env_int("IZD_JOB_SWEEP_SECONDS", 5, minimum=1)
# A job sent but still waiting after this long is sent once more (its message may have been
# lost with a Redis that restarted without its data); a duplicate costs one no-op task.
JOB_RESEND_SECONDS = env_int("IZD_JOB_RESEND_SECONDS", 10 * 60, minimum=60)
# How often the dispatcher sends the reminders of exchange events starting within 24 hours
# (izd.periodic; each registered person is reminded once).
EVENT_REMINDER_SECONDS = env_int("IZD_EVENT_REMINDER_SECONDS", 15 * 60, minimum=1)

CACHES = {
    "default": {
        # Shares the process's Redis pool; a missing Redis only makes every lookup a miss.
        "BACKEND": "izd.cache.ResilientRedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": "izd",
    }
}

# Redis connections of one process (see izd/sizing.py): the cache's shared pool, Celery's
# producer pool and its result backend are each bounded by REDIS_MAX_CONNECTIONS.
CELERY_BROKER_POOL_LIMIT = sizing.redis_max_connections()
CELERY_REDIS_MAX_CONNECTIONS = sizing.redis_max_connections()
CELERY_REDIS_SOCKET_CONNECT_TIMEOUT = sizing.redis_timeout()
CELERY_WORKER_CONCURRENCY = sizing.worker_concurrency()
# Each pool process renders a small document when it starts (config.celery), so that the first
# documents of a batch do not load fonts and templates; Celery kills a process that has not
# reported up within this many seconds (4 by default, too short for that on a busy machine).
WORKER_WARM_UP = env_bool("IZD_WORKER_WARM_UP", True)
CELERY_WORKER_PROC_ALIVE_TIMEOUT = 60.0

# Benchmarks of the maturity model: a county median needs at least this many submissions.
BENCHMARK_MIN_SUBMISSIONS = env_int("IZD_BENCHMARK_MIN_SUBMISSIONS", 3, minimum=1)
# Largest attachment of a best practice (concept, template, slides), in megabytes.
PRACTICE_ATTACHMENT_MAX_BYTES = (
    env_int("IZD_PRACTICE_ATTACHMENT_MAX_MB", 10, minimum=1) * 1024 * 1024
)

# The roadmap suggests a measure for a dimension where at least this many (or this share in
# percent) of the municipalities lie below their target, and for a service that at least this
# many municipalities have asked for.
ROADMAP_SUGGESTION_MIN_MUNICIPALITIES = env_int("IZD_SUGGESTION_MIN_MUNICIPALITIES", 3, minimum=1)
ROADMAP_SUGGESTION_MIN_SHARE = env_int("IZD_SUGGESTION_MIN_SHARE", 30, minimum=1)
ROADMAP_SUGGESTION_MIN_REQUESTING = env_int("IZD_SUGGESTION_MIN_REQUESTING", 2, minimum=1)

# Entries of the audit trail older than this many days are deleted by `prune_audit_trail`
# (default ten years, as for accounting records); 0 keeps them for ever.
AUDIT_RETENTION_DAYS = env_int("IZD_AUDIT_RETENTION_DAYS", 3650, minimum=0)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        # A 4xx answers with a German page and is the visitor's doing, not the operator's:
        # "Not Found: /" lines would only bury the server errors, which are still logged.
        "django.request": {"level": "ERROR"},
        "pgserver": {"level": "WARNING"},
        "weasyprint": {"level": "WARNING"},
        "pikepdf": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
    },
}
