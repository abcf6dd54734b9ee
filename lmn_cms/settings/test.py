"""Test settings: real PostgreSQL from DATABASE_URL, fast hashing, emails in memory."""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403

if not DATABASES["default"]["ENGINE"].endswith("postgresql"):  # noqa: F405
    raise ImproperlyConfigured(
        "Tests run against PostgreSQL: set DATABASE_URL=postgres://... "
        "(`make test` starts a throwaway server and sets it for you)."
    )

DEBUG = False
SECRET_KEY = "test-only-secret-key-not-for-production"  # noqa: S105
ALLOWED_HOSTS = ["*"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
STORAGES["staticfiles"] = {  # noqa: F405
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
}
MEDIA_ROOT = BASE_DIR / ".test-media"  # noqa: F405
WAGTAILADMIN_BASE_URL = "http://testserver"
DATABASES["default"]["CONN_MAX_AGE"] = 0  # noqa: F405
LOGGING["root"]["level"] = "WARNING"  # noqa: F405

# Transactional tests with serialized_rollback restore the database from a
# snapshot written in INSTALLED_APPS order. Content types must come first, or
# restoring Wagtail's rows creates content types with new ids and the real ones
# then clash (every such test after the first one errors).
INSTALLED_APPS = ["django.contrib.contenttypes"] + [  # noqa: F405
    app
    for app in INSTALLED_APPS  # noqa: F405
    if app != "django.contrib.contenttypes"
]
