"""Tierdesk settings. Every value that differs between machines comes from the environment."""

from __future__ import annotations

from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

from tierdesk.core.env import env_bool, env_int, env_list, env_str

PACKAGE_DIR = Path(__file__).resolve().parent.parent
# var/ holds the SQLite database, uploaded files, demo mails and logs; TIERDESK_VAR_DIR moves it.
VAR_DIR = Path(env_str("TIERDESK_VAR_DIR", str(Path.cwd() / "var"))).resolve()

# SECRET_KEY signs sessions and keys the API-token digests; production must set it.
SECRET_KEY = env_str("SECRET_KEY", "insecure-demo-key-change-me-0123456789abcdef0123456789abcdef")
# DEBUG stays off unless asked for: the demo runs like production.
DEBUG = env_bool("DEBUG", False)
# Host names this instance answers to.
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]", "testserver"])
# Origins trusted for CSRF when behind a proxy, e.g. https://desk.example.org
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "axes",
    "ninja",  # serves the API docs' Swagger UI from our own static files, not from a CDN
    "channels",
    "django_tasks",
    "django_tasks_db",
    "tierdesk.core",
    "tierdesk.accounts",
    "tierdesk.sla",
    "tierdesk.tickets",
    "tierdesk.mail",
    "tierdesk.webhooks",
    "tierdesk.routing",
    "tierdesk.portal",
    "tierdesk.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "tierdesk.core.middleware.ContentSecurityPolicyMiddleware",
    "tierdesk.core.middleware.RejectNulBytesMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "tierdesk.accounts.middleware.UserLanguageMiddleware",
    "tierdesk.accounts.middleware.SecondFactorRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "tierdesk.config.urls"
ASGI_APPLICATION = "tierdesk.config.asgi.application"
WSGI_APPLICATION = "tierdesk.config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# DATABASE_URL: postgres://user@host:5432/name; default is the embedded SQLite file under var/.
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'tierdesk.sqlite3'}"),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 0),
        # A kept connection is checked before it is reused, so a restarted server costs one error-free retry.
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    # WAL lets readers go on while one writer commits; IMMEDIATE takes the write lock at BEGIN
    # so two writers queue on busy_timeout instead of failing to upgrade a read lock.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=10000;",
        "transaction_mode": "IMMEDIATE",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# REDIS_URL: redis://host:6379/0; when set, Channels and the cache use it, so several app
# processes share one view of groups and lock-out counters.
REDIS_URL = env_str("REDIS_URL", "")
if REDIS_URL:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels_redis.core.RedisChannelLayer", "CONFIG": {"hosts": [REDIS_URL]}}}
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Lock-out: 5 wrong passwords for one account from one address lock it for 15 minutes.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = env_int("AXES_COOLOFF_MINUTES", 15) / 60  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_VERBOSE = False
# Unlocking goes through our lock-out page, which writes the audit entry; axes' own admin would not.
AXES_ENABLE_ADMIN = False

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

LANGUAGE_CODE = "en"
LANGUAGES = [
    ("en", _("English")),
    ("nl", _("Dutch")),
    ("nb", _("Norwegian Bokmål")),
    ("pl", _("Polish")),
    ("de", _("German")),
]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
USE_I18N = True
# TIME_ZONE: the desk's local zone for display; instants are stored in UTC.
TIME_ZONE = env_str("TIME_ZONE", "Europe/Amsterdam")
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # WhiteNoise warns on every request without it
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))
MEDIA_URL = "/media/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
FILE_UPLOAD_PERMISSIONS = 0o640
# TIERDESK_MAX_ATTACHMENT_MB: the largest attachment accepted, in MiB.
TIERDESK_MAX_ATTACHMENT_BYTES = env_int("TIERDESK_MAX_ATTACHMENT_MB", 20) * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = TIERDESK_MAX_ATTACHMENT_BYTES + 1024 * 1024

# EMAIL_BACKEND / EMAIL_HOST / EMAIL_PORT / EMAIL_HOST_USER / EMAIL_HOST_PASSWORD / EMAIL_USE_TLS:
# outgoing mail. The default writes each mail as a file under var/mail/ (the demo's inbox).
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.filebased.EmailBackend")
EMAIL_FILE_PATH = VAR_DIR / "mail"
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 30)
# DEFAULT_FROM_EMAIL: the sender of customer notifications.
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Tierdesk <support@tierdesk.invalid>")

# TIERDESK_FIELD_KEY: key (any string) that encrypts organisations' access notes; defaults to
# one derived from SECRET_KEY, so changing SECRET_KEY without setting this makes them unreadable.
TIERDESK_FIELD_KEY = env_str("TIERDESK_FIELD_KEY", "")
# TIERDESK_BASE_URL: the address customers reach the portal at; links in e-mails start with it.
TIERDESK_BASE_URL = env_str("TIERDESK_BASE_URL", "http://127.0.0.1:8000")
# TIERDESK_CONFIRMATION_LINK_DAYS: how long the confirm/reopen link in a resolution e-mail works.
TIERDESK_CONFIRMATION_LINK_DAYS = env_int("TIERDESK_CONFIRMATION_LINK_DAYS", 14)
# TIERDESK_TICKET_PREFIX: the tag in mail subjects, e.g. [TD#100042].
TIERDESK_TICKET_PREFIX = env_str("TIERDESK_TICKET_PREFIX", "TD")
# TIERDESK_WORKER_HEARTBEAT_SECONDS: how often each task worker records that it is alive.
TIERDESK_WORKER_HEARTBEAT_SECONDS = env_int("TIERDESK_WORKER_HEARTBEAT_SECONDS", 10)
# TIERDESK_WORKER_DEAD_AFTER_SECONDS: a worker silent this long is dead and its running tasks are queued again.
TIERDESK_WORKER_DEAD_AFTER_SECONDS = env_int("TIERDESK_WORKER_DEAD_AFTER_SECONDS", 60)
# TIERDESK_NOTIFICATION_LEASE_SECONDS: after this long a mail claimed but not marked sent may be sent again.
TIERDESK_NOTIFICATION_LEASE_SECONDS = env_int("TIERDESK_NOTIFICATION_LEASE_SECONDS", 300)
# TIERDESK_WEBHOOKS_ALLOW_PRIVATE: let webhooks reach loopback, private and link-local addresses (a receiver
# inside the network); off, such targets are refused when subscribed and again at every delivery.
TIERDESK_WEBHOOKS_ALLOW_PRIVATE = env_bool("TIERDESK_WEBHOOKS_ALLOW_PRIVATE", False)
# TIERDESK_WEBHOOKS_MAX_ATTEMPTS: tries per webhook delivery (waits 1 min, 5 min, 30 min, 2 h, 12 h) before giving up.
TIERDESK_WEBHOOKS_MAX_ATTEMPTS = env_int("TIERDESK_WEBHOOKS_MAX_ATTEMPTS", 6)
# TIERDESK_WEBHOOKS_CONNECT_TIMEOUT / _READ_TIMEOUT: seconds to connect to a receiver / for its whole answer.
TIERDESK_WEBHOOKS_CONNECT_TIMEOUT = env_int("TIERDESK_WEBHOOKS_CONNECT_TIMEOUT", 5)
TIERDESK_WEBHOOKS_READ_TIMEOUT = env_int("TIERDESK_WEBHOOKS_READ_TIMEOUT", 10)

# Single sign-on (OpenID Connect, docs/sso.md). Providers are kept in the admin; these variables
# describe one more: TIERDESK_OIDC_ISSUER (https, discovery at <issuer>/.well-known/openid-configuration),
# _CLIENT_ID, _CLIENT_SECRET, _NAME (the button), _SLUG (in the callback URL /login/sso/<slug>/callback/),
# _SCOPES, _GROUPS_CLAIM, _AGENT_GROUPS (comma-separated; members become agents on first sign-in),
# _ALLOW_CUSTOMERS, _DEFAULT_ORGANISATION (name; new customers of unknown e-mail domains land there).
TIERDESK_OIDC_ISSUER = env_str("TIERDESK_OIDC_ISSUER", "")
TIERDESK_OIDC_CLIENT_ID = env_str("TIERDESK_OIDC_CLIENT_ID", "")
TIERDESK_OIDC_CLIENT_SECRET = env_str("TIERDESK_OIDC_CLIENT_SECRET", "")
TIERDESK_OIDC_NAME = env_str("TIERDESK_OIDC_NAME", "Single sign-on")
TIERDESK_OIDC_SLUG = env_str("TIERDESK_OIDC_SLUG", "oidc")
TIERDESK_OIDC_SCOPES = env_str("TIERDESK_OIDC_SCOPES", "openid email profile")
TIERDESK_OIDC_GROUPS_CLAIM = env_str("TIERDESK_OIDC_GROUPS_CLAIM", "groups")
TIERDESK_OIDC_AGENT_GROUPS = env_str("TIERDESK_OIDC_AGENT_GROUPS", "")
TIERDESK_OIDC_ALLOW_CUSTOMERS = env_bool("TIERDESK_OIDC_ALLOW_CUSTOMERS", True)
TIERDESK_OIDC_DEFAULT_ORGANISATION = env_str("TIERDESK_OIDC_DEFAULT_ORGANISATION", "")
# TIERDESK_SSO_TIMEOUT_SECONDS: for each call to a provider (discovery, keys, code exchange).
TIERDESK_SSO_TIMEOUT_SECONDS = env_int("TIERDESK_SSO_TIMEOUT_SECONDS", 10)
# TIERDESK_REQUIRE_AGENT_2FA: staff must set up an authenticator app (TOTP) before they can use the desk;
# off for the demo, on recommended. Staff who set one up are asked for a code at every sign-in either way.
TIERDESK_REQUIRE_AGENT_2FA = env_bool("TIERDESK_REQUIRE_AGENT_2FA", False)
# TIERDESK_TOTP_MAX_FAILURES wrong codes in a row lock the second step for TIERDESK_TOTP_LOCK_MINUTES.
TIERDESK_TOTP_MAX_FAILURES = env_int("TIERDESK_TOTP_MAX_FAILURES", 5)
TIERDESK_TOTP_LOCK_MINUTES = env_int("TIERDESK_TOTP_LOCK_MINUTES", 15)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"django.request": {"level": "ERROR"}, "axes": {"level": "WARNING"}},
}
