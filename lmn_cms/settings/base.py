"""Settings shared by every environment.

Everything an operator may need to change is read from the environment; the
defaults here are the zero-set-up development ones (SQLite, console email).
"""

import os
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

import dj_database_url

PROJECT_DIR = Path(__file__).resolve().parent.parent
BASE_DIR = PROJECT_DIR.parent


def env_bool(name, default=False):
    """Read a yes/no environment variable ("1", "true", "yes", "on" are true)."""
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name, default=""):
    """Read a comma-separated environment variable into a list of non-empty items."""
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def env_int(name, default):
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}.") from exc


INSTALLED_APPS = [
    "home",
    "blog",
    "blog.comments",
    "events",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.contrib.sitemaps",
    "wagtail.contrib.frontend_cache",
    "wagtail.contrib.routable_page",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django_filters",
    "django_tasks",
    "django_tasks_db",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "django.forms",
    "csp",
    "axes",
    "wagtail_2fa",
    "django_otp",
    "django_otp.plugins.otp_totp",
]

MIDDLEWARE = [
    # First: the real client address behind nginx (LMN_TRUSTED_PROXIES, home/web/proxy.py).
    "home.web.proxy.TrustedProxyMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "home.web.security.RequestSizeLimitMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # A database outage is a short 503 page, not a 500 (home/web/outage.py).
    "home.web.outage.DatabaseOutageMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    # Django's CSRF check, deciding public POSTs by the browser's Origin and
    # Sec-Fetch-Site headers so that cached pages' forms work (home/web/csrf.py).
    "home.web.csrf.SameOriginCsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # wagtail-2fa's, also asking anyone with an enrolled device for a code (home/web/twofactor.py).
    "home.web.twofactor.SiteVerifyUserMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "home.web.security.SiteCSPMiddleware",
    "home.web.security.PermissionsPolicyMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    # Last, as django-axes asks: it turns a locked-out sign-in into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "lmn_cms.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
                # The content version and lifetimes of the fragment caches (home/web/caching.py).
                "home.web.caching.fragment_cache",
            ],
        },
    },
]

# Form widgets render through the project's templates, so a widget template in
# templates/ (the honeypot's, components/honeypot_input.html) is found.
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

WSGI_APPLICATION = "lmn_cms.wsgi.application"

# Database: DATABASE_URL (PostgreSQL in tests and production); a SQLite file in
# the project is the zero-set-up default for `make run`.
DATABASES = {
    "default": dj_database_url.config(
        env="DATABASE_URL",
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=env_int("DB_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Caches: Redis when REDIS_URL is set (shared by every app server; tests too when
# `make test` starts one), else local memory. Wagtail keeps image renditions in the
# "renditions" cache, so pages find their image URLs without a query. The Redis
# backend fails open (lmn_cms/cache.py): a stopped or hanging Redis is a miss,
# each call bounded by these socket timeouts.
if os.environ.get("REDIS_URL"):
    _redis = {
        "BACKEND": "lmn_cms.cache.FailOpenRedisCache",
        "LOCATION": os.environ["REDIS_URL"],
        "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
    }
    CACHES = {
        "default": _redis,
        "renditions": {**_redis, "KEY_PREFIX": "renditions", "TIMEOUT": 24 * 60 * 60},
    }
else:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
        "renditions": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "renditions",
            "TIMEOUT": 600,
            "OPTIONS": {"MAX_ENTRIES": 2000},
        },
    }
# Seconds a fragment lives under one content version (a publish replaces it at
# once): menus and footer; listing cards, whose view, comment and place counts
# change without a publish and may lag by this much.
LMN_CHROME_CACHE_SECONDS = env_int("CHROME_CACHE_SECONDS", 300)
LMN_LISTING_CACHE_SECONDS = env_int("LISTING_CACHE_SECONDS", 30)

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
]
STATICFILES_DIRS = [PROJECT_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
STATIC_URL = "/static/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
MEDIA_URL = "/media/"

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# Wagtail's page editor can post many fields and long pages, so Django's own limits
# suit the admin; public paths get a much smaller body limit (413 above it) from
# home.web.security.RequestSizeLimitMiddleware.
DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# Uploaded files above this go to a temporary file rather than memory.
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
PUBLIC_MAX_REQUEST_BODY = env_int("PUBLIC_MAX_REQUEST_BODY", 64 * 1024)

# Security headers on every environment, so that the browser tests prove the
# pages work under them. The policy itself is in home/web/security.py.
CONTENT_SECURITY_POLICY = {"DIRECTIVES": {"default-src": ["'self'"]}}
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# SAMEORIGIN (not DENY) so that the admin can frame its own page previews;
# public pages forbid framing with CSP frame-ancestors 'none'.
X_FRAME_OPTIONS = "SAMEORIGIN"

# Email
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_FILE_PATH = os.environ.get("EMAIL_FILE_PATH", str(BASE_DIR / "sent-emails"))
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 20)
DEFAULT_FROM_EMAIL = os.environ.get(
    "DEFAULT_FROM_EMAIL", "Labour Muslim Network <no-reply@labourmuslims.org>"
)
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Domains that notification addresses of events and form pages must be at,
# comma-separated (e.g. "labourmuslims.org"); empty = no limit (home/privacy/staff_routing.py).
LMN_STAFF_EMAIL_DOMAINS = env_list("LMN_STAFF_EMAIL_DOMAINS", "")
# Contact and enquiry form messages per visitor hash, and per IP address, an hour (then 429).
LMN_FORM_MESSAGES_PER_HOUR = 10
LMN_FORM_MESSAGES_PER_NETWORK_PER_HOUR = 30
# Anti-spam on every public form (home/abuse/antispam.py, docs/security.md): seconds a person
# takes at least between the form's token being issued and sending it;
LMN_MIN_FORM_FILL_SECONDS = 3
# posts one token is good for (FORM_TOKEN_USES; the benchmark raises it to share one);
LMN_FORM_TOKEN_USES = env_int("FORM_TOKEN_USES", 3)
# tokens /forms/started/ hands to one IP address (an IPv6 /64) an hour (then 429).
LMN_FORM_TOKENS_PER_NETWORK_PER_HOUR = 300

# Background work (emails). Immediate by default so that dev needs no worker;
# production switches to the database backend run by `manage.py db_worker`.
TASKS = {
    "default": {
        "BACKEND": os.environ.get(
            "TASKS_BACKEND", "django_tasks.backends.immediate.ImmediateBackend"
        )
    }
}

# Wagtail
WAGTAIL_SITE_NAME = "Labour Muslim Network"
# Where front cache purges go (wagtail.contrib.frontend_cache, home/web/frontend_cache.py):
# `make run` and the tests make the same purge calls as production, recorded in
# home.web.frontend_cache.PURGED; production.py sends them to nginx or a CDN.
WAGTAILFRONTENDCACHE = {"record": {"BACKEND": "home.web.frontend_cache.RecordingBackend"}}
WAGTAILADMIN_BASE_URL = os.environ.get("WAGTAILADMIN_BASE_URL", "http://127.0.0.1:8000")
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
WAGTAILDOCS_EXTENSIONS = ["csv", "docx", "odt", "pdf", "pptx", "rtf", "txt", "xlsx"]
WAGTAILDOCS_MAX_UPLOAD_SIZE = 20 * 1024 * 1024
# Documents are always sent through Wagtail's serve view, which checks the privacy of
# their collection first; never a redirect to (or a link at) the storage's own URL,
# which on S3 anyone could open or pass on (docs/deploy.md, "Private documents").
WAGTAILDOCS_SERVE_METHOD = "serve_view"
WAGTAILIMAGES_MAX_UPLOAD_SIZE = 10 * 1024 * 1024
WAGTAIL_ENABLE_UPDATE_CHECK = False
# No Gravatar lookups: they send a hash of each staff email address to a third party.
# Avatars are an uploaded picture or the person's initials (home/staff/avatars.py).
WAGTAIL_GRAVATAR_PROVIDER_URL = None
WAGTAILEMBEDS_RESPONSIVE_HTML = True

# Logging: request bodies, form data and addresses carry personal (special
# category) data, so nothing below logs them; Django's request logger only
# records the path and status.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    # A safety net: email and IP addresses (and values quoted by database errors)
    # are redacted from anything that is logged anyway (home/privacy/registry.py).
    "filters": {"personal_data": {"()": "home.privacy.registry.RedactPersonalData"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["personal_data"],
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # At DEBUG the template engine logs whole template contexts (requests, forms).
        "django.template": {"level": "INFO"},
        # django-axes logs sign-ins at INFO; only failures and lockouts (WARNING) are
        # kept, and those name the client by a pseudonym (AXES_CLIENT_STR_CALLABLE).
        "axes": {"level": "WARNING"},
    },
}

# Error reports (the emails Django sends to ADMINS, and the DEBUG error page) show
# no form values, query strings, cookies, IP addresses or local variables: every
# public form may reveal religion or politics. See docs/privacy.md.
DEFAULT_EXCEPTION_REPORTER_FILTER = "home.privacy.registry.PrivateExceptionReporterFilter"
DEFAULT_EXCEPTION_REPORTER = "home.privacy.registry.PrivateExceptionReporter"

# Rejected and spam comments were never published: `apply_retention` deletes them
# (or, when others replied, blanks their name and text) this many days after the
# moderation decision. See docs/privacy.md.
LMN_REJECTED_COMMENTS_RETENTION_DAYS = env_int("REJECTED_COMMENTS_RETENTION_DAYS", 30)

# Admin sign-in: password check through django-axes, which locks a username on one
# address (an IPv6 address's /64) after AXES_FAILURE_LIMIT failures for
# AXES_COOLOFF_MINUTES, and a username on every address after
# LMN_SIGNIN_USERNAME_FAILURE_LIMIT failures from any addresses. See docs/security.md.
AUTHENTICATION_BACKENDS = [
    "home.web.security.AxesBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = env_int("AXES_COOLOFF_MINUTES", 15) / 60  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "home.web.security.lockout_response"
AXES_HANDLER = "home.web.security.SiteAxesHandler"
# Failures of one username from any addresses within the cool-off that lock it everywhere.
LMN_SIGNIN_USERNAME_FAILURE_LIMIT = env_int("AXES_USERNAME_FAILURE_LIMIT", 20)
AXES_CLIENT_IP_CALLABLE = "home.abuse.visitor.client_network"
AXES_CLIENT_STR_CALLABLE = "home.web.security.axes_client_str"
AXES_VERBOSE = False
# Successful sign-ins are not recorded (AccessLog); failed ones only until cool-off.
AXES_DISABLE_ACCESS_LOG = True
AXES_SENSITIVE_PARAMETERS = ["username", "ip_address", "password", "csrfmiddlewaretoken"]

# Optional TOTP two-factor sign-in for everyone who can use the admin (wagtail-2fa,
# on django-otp). Off unless ADMIN_2FA_REQUIRED=1; staff can enrol a device anyway,
# and once they have, they are always asked for a code (home/web/twofactor.py).
WAGTAIL_2FA_REQUIRED = env_bool("ADMIN_2FA_REQUIRED", False)
OTP_TOTP_ISSUER = "Labour Muslim Network"

# Event registration by email confirmation (events/registration.py, docs/events.md).
# Hours a confirm link works (never beyond the close of registration); default 24.
LMN_EVENT_CONFIRM_LINK_HOURS = 24
# Confirm emails sent per address per event per day; submissions beyond it store nothing.
LMN_EVENT_CONFIRM_EMAILS_PER_DAY = 3
# Written contributions (events/contributions.py): per address per event per day,
# beyond which nothing is stored; and per visitor per hour (then a 429).
LMN_EVENT_CONTRIBUTIONS_PER_ADDRESS_PER_DAY = 3
LMN_EVENT_CONTRIBUTIONS_PER_HOUR = 10
