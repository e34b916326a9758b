"""Settings for hokenfukushi, read from the environment (django-environ).

Development gets safe defaults; with DEBUG off the app refuses to start unless the
production secrets are given, so a forgotten variable can never fall back to a dev value.
"""

from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

from hokenfukushi.security.proxies import client_address_settings

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=True)


def _required_in_production(name: str, dev_default):
    value = env(name, default=None)
    if value not in (None, ""):
        return value
    if DEBUG:
        return dev_default
    raise ImproperlyConfigured(
        f"環境変数 {name} が設定されていません。DEBUG=False の本番環境では {name} が必須です。"
        f" (Set the {name} environment variable: it is required when DEBUG is off.)"
    )


SECRET_KEY = _required_in_production(
    "SECRET_KEY", "django-insecure-development-only-key-never-use-in-production"
)
ALLOWED_HOSTS = [
    h.strip()
    for h in str(
        _required_in_production("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1],testserver")
    ).split(",")
    if h.strip()
]
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "simple_history",
    "hokenfukushi",
    "coordinators",
    "meetings",
    "caseload",
    "dashboard",
    "exports",
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
    "simple_history.middleware.HistoryRequestMiddleware",
]

ROOT_URLCONF = "hokenfukushi.urls"
WSGI_APPLICATION = "hokenfukushi.wsgi.application"

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
                "django.template.context_processors.csp",
            ],
            "builtins": ["hokenfukushi.templatetags.wareki"],
        },
    }
]

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
# Persistent connections with health checks: app servers reuse connections and notice a dead one.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and not env.bool(
    "DATABASE_JIT", default=False
):
    # PostgreSQL's JIT compiles a statement whose estimated cost is high, and the export and
    # dashboard statements at national size estimate high but run in ~100 ms: compiling them
    # took 1.8 s of a 2 s prefecture.csv (issue 9). Off for the app's connections only.
    _db_options = DATABASES["default"].setdefault("OPTIONS", {})
    _db_options["options"] = f"{_db_options.get('options', '')} -c jit=off".strip()
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "hokenfukushi.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "login"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# The cache: this process's memory unless CACHE_URL names a shared one (redis://host:6379/0).
CACHES = {"default": env.cache_url("CACHE_URL", default="locmemcache://")}
if CACHES["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache":
    CACHES["default"]["BACKEND"] = "hokenfukushi.cache.RedisCache"  # reuses its client objects
# Only caches every app server reaches count as shared (a file cache is one server's disk).
SHARED_CACHE = CACHES["default"]["BACKEND"] in (
    "hokenfukushi.cache.RedisCache",
    "django_redis.cache.RedisCache",
    "django.core.cache.backends.memcached.PyMemcacheCache",
    "django.core.cache.backends.memcached.PyLibMCCache",
)

# Sessions live in the database so any number of app servers can share them. With a shared cache
# they are also read from it (cached_db): a signed-in request then makes no database round trip
# for its session. Never with a per-process cache: a session ended in one worker would stay
# valid, from its cached copy, in the others.
SESSION_ENGINE = (
    "django.contrib.sessions.backends.cached_db"
    if SHARED_CACHE
    else "django.contrib.sessions.backends.db"
)
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=8 * 60 * 60)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

LANGUAGE_CODE = "ja"
# Japanese only: the app's own labels exist only in Japanese, so following a browser's English
# preference would give a half-English admin.
LANGUAGES = [("ja", "日本語")]
TIME_ZONE = "Asia/Tokyo"
USE_I18N = True
USE_TZ = True
LOCALE_PATHS = [BASE_DIR / "locale"]

STATIC_URL = "static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# Rows one CSV import of count reports may hold (a whole country is ~1,741 towns).
CASELOAD_IMPORT_MAX_ROWS = env.int("CASELOAD_IMPORT_MAX_ROWS", default=2000)
# Small-cell suppression threshold for open data: counts 1..threshold-1 are hidden.
OPEN_DATA_SUPPRESSION_THRESHOLD = env.int("OPEN_DATA_SUPPRESSION_THRESHOLD", default=3)
# Meetings per fiscal year the network aims for (quarterly).
MEETINGS_PER_YEAR_TARGET = env.int("MEETINGS_PER_YEAR_TARGET", default=4)
# The day each fiscal year's count report is due (MM-DD within that fiscal year: 06-30 is 30 June
# of it, 01-31 is 31 January of the next calendar year); checked at start-up (caseload.deadlines).
REPORT_DUE_MONTH_DAY = env.str("REPORT_DUE_MONTH_DAY", default="06-30")
# 次回に向けて items open longer than this many days (since their meeting) are on the base center's
# to-do list with their age, whatever their 期限.
ACTION_ITEM_STALE_DAYS = env.int("ACTION_ITEM_STALE_DAYS", default=180)

if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

# --- Security (issue 8): login protection, two-factor login, sessions, CSP -------------------
from django.utils.csp import CSP  # noqa: E402

INSTALLED_APPS += [
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "hokenfukushi.security",
]
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1,
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
)
_after_messages = MIDDLEWARE.index("django.contrib.messages.middleware.MessageMiddleware") + 1
MIDDLEWARE[_after_messages:_after_messages] = [
    "django_otp.middleware.OTPMiddleware",
    "hokenfukushi.security.middleware.SessionTimeoutMiddleware",
    "hokenfukushi.security.middleware.OTPRequiredMiddleware",
]
MIDDLEWARE.append("axes.middleware.AxesMiddleware")  # axes wants to be last
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

# Lockout: 5 failures for one (user name, IP) pair lock that pair for 15 minutes. Keying on the
# pair means an attacker elsewhere cannot lock the real user out, and the cool-off means nobody is
# locked out for ever.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=0.25)  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "security/locked_out.html"
# A failed try during a lock does not restart it: otherwise whoever holds a pair locked could
# hold it for ever.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
# The client's address behind README's AXES_IPWARE_PROXY_COUNT reverse proxies (see
# hokenfukushi/security/proxies.py): axes keys its lockouts on it, the login records show it.
REVERSE_PROXY_COUNT = env.int("AXES_IPWARE_PROXY_COUNT", default=0)
_client_address = client_address_settings(REVERSE_PROXY_COUNT)
AXES_IPWARE_PROXY_COUNT = _client_address["AXES_IPWARE_PROXY_COUNT"]
AXES_IPWARE_META_PRECEDENCE_ORDER = _client_address["AXES_IPWARE_META_PRECEDENCE_ORDER"]
IPWARE_STRICT = _client_address["IPWARE_STRICT"]

# Sessions: end after SESSION_IDLE_TIMEOUT seconds without a request, and in any case
# SESSION_ABSOLUTE_LIFETIME seconds after sign-in (defaults: 30 minutes and 8 hours).
SESSION_IDLE_TIMEOUT = env.int("SESSION_IDLE_TIMEOUT", default=30 * 60)
SESSION_ABSOLUTE_LIFETIME = env.int("SESSION_ABSOLUTE_LIFETIME", default=SESSION_COOKIE_AGE)

# Two-factor login (TOTP): required for region admins and superusers when this is on (default:
# on in production). Anyone who has enrolled an authenticator app must always use it.
OTP_REQUIRED_FOR_ADMINS = env.bool("OTP_REQUIRED_FOR_ADMINS", default=not DEBUG)
OTP_TOTP_ISSUER = env("OTP_TOTP_ISSUER", default="hokenfukushi")
# Nobody, not even a superuser, reads another person's TOTP secret or QR code in the admin.
OTP_ADMIN_HIDE_SENSITIVE_DATA = True

# Content-Security-Policy, enforced: no inline script or style without the per-request nonce.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF, CSP.NONCE],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
}
CSRF_FAILURE_VIEW = "django.views.csrf.csrf_failure"  # renders templates/403_csrf.html
LOGGING["loggers"]["hokenfukushi.security"] = {"level": "INFO"}
LOGGING["loggers"]["axes"] = {"level": "WARNING"}

# --- Performance (issue 9) ---------------------------------------------------------------------
# The computed dashboard is reused, per read scope, until the data under it changes (checked on
# every request, see dashboard/cache.py); 0 turns the cache off. Each process keeps
# its own copy (local memory); a shared cache (CACHES) works the same way.
DASHBOARD_CACHE_SECONDS = env.int("DASHBOARD_CACHE_SECONDS", default=300)

# --- Mail and background tasks (issues 19, 21) -------------------------------------------------
# EMAIL_URL (django-environ): console in development, e.g. smtp+tls://user:pass@mail.example.jp:587
# in production. Messages are UTF-8, Japanese subject and body.
# Django 6.1's MAILERS (EMAIL_BACKEND and EMAIL_HOST* are deprecated), built from the URL.
# Required in production: without it nothing would be sent (the console backend only prints).
_email_url = env.email_url_config(_required_in_production("EMAIL_URL", "consolemail://"))
MAILERS = {"default": {"BACKEND": _email_url["EMAIL_BACKEND"], "OPTIONS": {}}}
if _email_url["EMAIL_BACKEND"] == "django.core.mail.backends.smtp.EmailBackend":
    MAILERS["default"]["OPTIONS"] = {
        "host": _email_url["EMAIL_HOST"],
        "port": _email_url["EMAIL_PORT"],
        "username": _email_url["EMAIL_HOST_USER"],
        "password": _email_url["EMAIL_HOST_PASSWORD"],
        "use_tls": bool(_email_url.get("EMAIL_USE_TLS")),
        "use_ssl": bool(_email_url.get("EMAIL_USE_SSL")),
        "timeout": env.int("EMAIL_TIMEOUT", default=20),
    }
DEFAULT_FROM_EMAIL = env(
    "DEFAULT_FROM_EMAIL",
    default="医療的ケア児等コーディネーター連絡会 <noreply@hokenfukushi.example.jp>",
)
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Absolute links in e-mails sent outside a request (commands run from cron): the site's own
# address. Production defaults to https:// and the first ALLOWED_HOSTS entry.
SITE_URL = env(
    "SITE_URL", default="http://127.0.0.1:8000" if DEBUG else f"https://{ALLOWED_HOSTS[0]}"
)

# Meeting reminders go out this many days before a meeting (send_meeting_reminders, daily).
MEETING_REMINDER_DAYS = env.int("MEETING_REMINDER_DAYS", default=3)

# Account invitations (coordinators) and password-reset links: single use, and valid for this
# many days (Django's PASSWORD_RESET_TIMEOUT, which both links' tokens are checked against).
ACCOUNT_INVITATION_DAYS = env.int("ACCOUNT_INVITATION_DAYS", default=7)
PASSWORD_RESET_TIMEOUT = ACCOUNT_INVITATION_DAYS * 24 * 60 * 60

# Sending runs as Django tasks: immediately in development and tests, queued in the database in
# production (django-tasks-db; run `python manage.py db_worker`, see the README).
INSTALLED_APPS += ["django_tasks_db"]
TASKS = {
    "default": {
        "BACKEND": env(
            "TASKS_BACKEND",
            default=(
                "django.tasks.backends.immediate.ImmediateBackend"
                if DEBUG
                else "django_tasks_db.DatabaseBackend"
            ),
        )
    }
}
