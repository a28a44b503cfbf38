"""Settings for the NZR platform, read from the environment (see nzr/env.py).

Modes:
- development (default): SQLite and in-process tasks when DATABASE_URL and
  CELERY_BROKER_URL are unset, console e-mail, DEBUG on.
- production (NZR_PRODUCTION=1): refuses to start without SECRET_KEY,
  ALLOWED_HOSTS, DATABASE_URL, CELERY_BROKER_URL and REDIS_URL; passes
  ``manage.py check --deploy``.
"""

import os
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from accounts import exporting
from nzr.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent

PRODUCTION = env_bool("NZR_PRODUCTION", False)
TESTING = env_bool("NZR_TESTING", False)
DEBUG = env_bool("DJANGO_DEBUG", not PRODUCTION)
if PRODUCTION and DEBUG:
    raise ImproperlyConfigured("DJANGO_DEBUG must be off when NZR_PRODUCTION=1.")

SECRET_KEY = (
    env_str("SECRET_KEY", required=PRODUCTION) or "dev-only-insecure-key-not-for-production"
)
if PRODUCTION and (len(SECRET_KEY) < 50 or SECRET_KEY.startswith("dev-only")):
    raise ImproperlyConfigured("SECRET_KEY must be a random string of at least 50 characters.")
ALLOWED_HOSTS = env_list(
    "ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]", "testserver"], required=PRODUCTION
)
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", default=[])
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    # Which sessions a user has: shown to them, and ended on deactivation.
    "allauth.usersessions",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_filters",
    "django_htmx",
    "import_export",
    "csp",
    # Our apps, lowest first (imports flow from the bottom of this list up).
    "accounts",
    "outbox",
    "registry",
    "training",
    "regions",
    "escalation",
    "requests_app",
    "dashboard",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "nzr.security_headers.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "accounts.locale_middleware.DutchFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    # A NUL in the query string or a form/JSON body: 400 before any view or query.
    "nzr.middleware.RefuseNULMiddleware",
    # Every refused access to the access log; no-store on answers with personal data.
    "accounts.middleware.AccessDeniedLogMiddleware",
    "accounts.middleware.NoStoreMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "accounts.session_timeout.SessionTimeoutMiddleware",
    "accounts.middleware.RequireMFAMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "nzr.urls"
WSGI_APPLICATION = "nzr.wsgi.application"

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
                "accounts.context_processors.navigation",
            ],
        },
    },
]

FORM_RENDERER = "nzr.forms.NZRFormRenderer"

# `make run` (nzr/embedded.py): a Celery worker with beat beside runserver, on a broker in a
# local folder, so the periodic jobs run without Redis.
EMBEDDED = env_bool("NZR_EMBEDDED", False) and not PRODUCTION

# Database: PostgreSQL from DATABASE_URL; SQLite only as the embedded default.
_database_url = env_str("DATABASE_URL", required=PRODUCTION)
if _database_url:
    DATABASES = {
        "default": dj_database_url.parse(
            _database_url, conn_max_age=env_int("DB_CONN_MAX_AGE", 60), conn_health_checks=True
        )
    }
    if DATABASES["default"]["ENGINE"].endswith("postgresql"):
        # JIT compilation costs seconds on the dashboard's aggregate queries and gains nothing
        # for this workload (measured: ~30 s vs ~7 s per pool query over 100k reservists).
        DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off"
        # Django turns psycopg's prepared statements off (for poolers in transaction mode;
        # none here). Its own cursors bind parameters client-side and never prepare; the
        # hot paths' constant SQL (nzr.fastsql) binds server-side and is prepared once per
        # connection: a statement then costs PostgreSQL a quarter of the CPU (issue 9).
        DATABASES["default"]["OPTIONS"]["prepare_threshold"] = 5
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": BASE_DIR / "db.sqlite3",
            "OPTIONS": {"timeout": 20},
        }
    }
    if EMBEDDED:
        # Two processes (runserver and the worker) share the file: each transaction takes
        # the write lock at its start and waits for it (instead of failing half-way), and
        # WAL lets readers go on meanwhile.
        DATABASES["default"]["OPTIONS"].update(
            transaction_mode="IMMEDIATE", init_command="PRAGMA journal_mode=WAL;"
        )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Cache: Redis in production (login rate limits live here); local memory otherwise.
_redis_url = env_str("REDIS_URL", required=PRODUCTION)
if _redis_url:
    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": _redis_url,
            # Each test process gets its own prefix, so parallel runs never clear each other's keys.
            "KEY_PREFIX": env_str("CACHE_KEY_PREFIX", "nzr")
            + (f"-test{os.getpid()}" if TESTING else ""),
            "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 2, "SOCKET_TIMEOUT": 2},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_URL_PATH = "/accounts/login/"
NZR_SESSION_IDLE_MINUTES = env_int("NZR_SESSION_IDLE_MINUTES", 30)
NZR_SESSION_MAX_HOURS = env_int("NZR_SESSION_MAX_HOURS", 12)
LOGIN_REDIRECT_URL = "start"
LOGOUT_REDIRECT_URL = "dashboard:home"

# django-allauth: e-mail login, verified e-mail, MFA.
ACCOUNT_ADAPTER = "accounts.adapters.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_PRESERVE_USERNAME_CASING = False
# Changing or adding an e-mail address asks for the password again when the last
# (re)authentication is older than 5 minutes; MFA changes do so by default
# (MFA_REAUTHENTICATION_REQUIRED); a password change asks for the old password.
ACCOUNT_REAUTHENTICATION_REQUIRED = True
ACCOUNT_REAUTHENTICATION_TIMEOUT = env_int("NZR_REAUTHENTICATION_SECONDS", 300)
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False  # a reset never signs in: password and MFA follow
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Nationale Zorgreserve] "
ACCOUNT_RATE_LIMITS = {
    "login_failed": "10/m/ip,5/5m/key",
    "login": "30/m/ip",
    "signup": "20/m/ip",
    "reset_password": "20/m/ip,5/m/key",
    "confirm_email": "1/3m/key",
}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes", "webauthn"]
MFA_PASSKEY_LOGIN_ENABLED = True
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = DEBUG
MFA_TOTP_ISSUER = "Nationale Zorgreserve"

# Internationalisation: Dutch first, English second.
LANGUAGE_CODE = "nl"
LANGUAGES = [("nl", _("Dutch")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Amsterdam"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
MEDIA_ROOT = BASE_DIR / "media"
MEDIA_URL = "/media/"  # unset, DEBUG's media route caught every URL (a 403 on an unknown API URL)

# E-mail: SMTP in production; console locally.
EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if PRODUCTION
    else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Nationale Zorgreserve <noreply@zorgreserve.nl>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
SMS_BACKEND = env_str("SMS_BACKEND", "accounts.sms.LogSMSBackend")

# Celery: Redis broker from the environment; without one, tasks run in-process.
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", required=PRODUCTION)
_EMBEDDED_BROKER = EMBEDDED and not CELERY_BROKER_URL
if _EMBEDDED_BROKER:
    CELERY_BROKER_URL = "filesystem://"
    CELERY_WORKER_ENABLE_REMOTE_CONTROL = False  # the filesystem transport has no broadcast
# Tests run tasks in-process unless a test starts a real worker (tests/test_celery_worker.py).
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", TESTING or not CELERY_BROKER_URL)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Redis hands an unacknowledged message to another worker after visibility_timeout. The
# outbox relay redelivers within about a minute (below); Redis's own redelivery stays a
# backstop far beyond any run, so it never copies a task that is still running, and a
# late copy it does send is skipped by the delivery's claim (docs/reliability.md).
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600, "socket_connect_timeout": 2}
if _EMBEDDED_BROKER:
    from nzr.embedded import broker_folders

    CELERY_BROKER_TRANSPORT_OPTIONS = broker_folders()
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE: dict = {}  # filled by nzr/celery.py from each app's schedule
# The outbox relay (beat, every 15 s; outbox/relay.py): a publish no worker started within
# UNSTARTED seconds was lost by the broker (relayed when its broker queue is empty, else
# after REDELIVER seconds); a started run that no longer holds its row lock and did not
# finish within INFLIGHT seconds was a killed worker. RUN_IDLE bounds how long a run's
# transaction may sit idle (a vanished worker's row lock).
NZR_OUTBOX_UNSTARTED_SECONDS = env_int("NZR_OUTBOX_UNSTARTED_SECONDS", 45)
NZR_OUTBOX_INFLIGHT_SECONDS = env_int("NZR_OUTBOX_INFLIGHT_SECONDS", 45)
NZR_OUTBOX_REDELIVER_SECONDS = env_int("NZR_OUTBOX_REDELIVER_SECONDS", 900)
NZR_OUTBOX_RUN_IDLE_SECONDS = env_int("NZR_OUTBOX_RUN_IDLE_SECONDS", 300)

# django-import-export's admin exports, should an admin offer them: only CSV and XLSX,
# written by the project's one export writer (formulas neutralised, see accounts.exporting).
EXPORT_FORMATS = exporting.ADMIN_EXPORT_FORMATS

# Django REST framework and the OpenAPI schema.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token first, so that a missing or bad token answers 401 with WWW-Authenticate.
        "accounts.authentication.TokenAuthentication",
        "accounts.authentication.SessionAuthentication",
    ],
    # Staff without MFA are refused in the two authentication classes above, which no
    # view's permission_classes can drop (accounts.checks holds every API view to them);
    # MFASatisfied stays below as a second line.
    "DEFAULT_PERMISSION_CLASSES": [
        "rest_framework.permissions.IsAuthenticated",
        "accounts.permissions.MFASatisfied",
    ],
    # JSON everywhere (api.md): form and multipart bodies would read "" as null and
    # cannot carry the nested shifts and ladder (found by fuzzing, tests/fuzz/).
    "DEFAULT_PARSER_CLASSES": ["nzr.api_parsers.JSONParser"],
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "nzr.api_schema.AutoSchema",
    "DEFAULT_THROTTLE_CLASSES": ["rest_framework.throttling.UserRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"user": env_str("API_RATE_LIMIT", "6000/min")},
    "EXCEPTION_HANDLER": "accounts.api_errors.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Nationale Zorgreserve API",
    "DESCRIPTION": "REST API v1 of the NZR platform: register, requests, matching, escalation, figures.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Several models call their state "status": give each enum its own name.
    "ENUM_NAME_OVERRIDES": {
        "ReservistStatusEnum": ["applied", "vetting", "active", "paused", "left"],
        "OrganisationStatusEnum": "requests_app.models.CareOrganisation.Status",
        "RequestStatusEnum": "requests_app.models.DeploymentRequest.Status",
        "InvitationStatusEnum": "requests_app.models.Invitation.Status",
        "AssignmentStatusEnum": "requests_app.models.Assignment.Status",
        "EscalationStatusEnum": "escalation.models.Escalation.Status",
        "CandidateStatusEnum": "regions.models.Candidate.Status",
        "ImportJobStatusEnum": "regions.models.ImportJob.Status",
        "SessionSignupStatusEnum": "training.models.SessionSignup.Status",
    },
}

# Security. Production values pass `manage.py check --deploy` without warnings.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 8 * 3600)
CSRF_COOKIE_HTTPONLY = False  # htmx reads the token from the page, not the cookie
if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    # On by default (check --deploy W008 otherwise). Behind a TLS-terminating proxy it
    # redirects only requests that reach the app as plain http (X-Forwarded-Proto below).
    # 0 only for a try-out over http://localhost (docker-compose.yml, README "Security").
    SECURE_SSL_REDIRECT = env_bool("NZR_SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
# Permissions-Policy (nzr.security_headers): every feature off except WebAuthn for the site.
NZR_PERMISSIONS_POLICY = {
    "accelerometer": [],
    "autoplay": [],
    "browsing-topics": [],
    "camera": [],
    "display-capture": [],
    "encrypted-media": [],
    "geolocation": [],
    "gyroscope": [],
    "magnetometer": [],
    "microphone": [],
    "midi": [],
    "payment": [],
    "picture-in-picture": [],
    "publickey-credentials-create": ["self"],
    "publickey-credentials-get": ["self"],
    "screen-wake-lock": [],
    "serial": [],
    "usb": [],
    "xr-spatial-tracking": [],
}
# /api/v1/schema/ and /api/v1/docs/: open in development, signed-in users only in
# production (nzr.api_docs; README "Security").
NZR_API_DOCS_PUBLIC = env_bool("NZR_API_DOCS_PUBLIC", not PRODUCTION)
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    # LOG_LEVEL is also the handler's threshold: Django's own loggers (e.g. the 4xx
    # warnings of django.request) propagate to it whatever the root level is.
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "level": env_str("LOG_LEVEL", "INFO"),
        }
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

# Domain settings (defaults; national staff change the data ones in the admin).
NZR_REST_HOURS_BETWEEN_SHIFTS = env_int("NZR_REST_HOURS_BETWEEN_SHIFTS", 11)
NZR_MAX_SHIFT_HOURS = env_int("NZR_MAX_SHIFT_HOURS", 12)
NZR_MAX_WEEK_HOURS = env_int("NZR_MAX_WEEK_HOURS", 60)
NZR_INVITATION_HOURS = env_int("NZR_INVITATION_HOURS", 12)
NZR_REGION_FLOOR = env_int("NZR_REGION_FLOOR", 35)
NZR_BIG_VERIFIER = env_str("NZR_BIG_VERIFIER", "regions.big.ManualBIGVerifier")
NZR_BIG_SOAP_URL = env_str("NZR_BIG_SOAP_URL", "https://api.bigregister.nl/zksrv/soap/4")
# The monthly BIG re-check (regions.bigcheck): at most this many register calls a minute.
NZR_BIG_CHECKS_PER_MINUTE = env_int("NZR_BIG_CHECKS_PER_MINUTE", 30)
# GDPR retention: a reservist who left is anonymised this many days after leaving;
# a sign-up whose e-mail address was never verified is erased after this many days.
NZR_RETENTION_DAYS_AFTER_LEAVING = env_int("NZR_RETENTION_DAYS_AFTER_LEAVING", 365)
NZR_RETENTION_DAYS_UNVERIFIED_SIGNUP = env_int("NZR_RETENTION_DAYS_UNVERIFIED_SIGNUP", 30)
# A recruitment candidate who never joined is anonymised this many days after their last
# activity (regions.retention).
NZR_CANDIDATE_RETENTION_DAYS = env_int("NZR_CANDIDATE_RETENTION_DAYS", 365)
