"""Production settings: everything from the environment, failing fast when a
secret or the host list is missing rather than running with an unsafe default."""

import os

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import env_bool, env_int, env_list

DEBUG = False

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    raise ImproperlyConfigured(
        "SECRET_KEY is not set. Production refuses to start without it: "
        "set SECRET_KEY to a long random value (50+ characters)."
    )

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS")
if not ALLOWED_HOSTS:
    raise ImproperlyConfigured(
        "ALLOWED_HOSTS is not set. Production refuses to start without it: "
        "set ALLOWED_HOSTS to a comma-separated list such as www.labourmuslims.org."
    )
CSRF_TRUSTED_ORIGINS = env_list(
    "CSRF_TRUSTED_ORIGINS", ",".join(f"https://{h}" for h in ALLOWED_HOSTS if "*" not in h)
)

# Static files: WhiteNoise with hashed, compressed, long-cached files.
STORAGES["staticfiles"] = {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"}

# Transport security. HTTPS is required; a proxy that terminates TLS must
# forward X-Forwarded-Proto and the operator sets SECURE_PROXY_SSL_HEADER=1.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
if env_bool("SECURE_PROXY_SSL_HEADER", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
SECURE_CONTENT_TYPE_NOSNIFF = True
SESSION_COOKIE_SECURE = True
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_SECURE = True

# `check --deploy` stays quiet about two deliberate choices: framing is
# SAMEORIGIN so that the admin can preview pages (public pages send CSP
# frame-ancestors 'none', see home/web/security.py), and joining the browsers' HSTS
# preload list is a commitment the operator opts into with SECURE_HSTS_PRELOAD=1.
SILENCED_SYSTEM_CHECKS = ["security.W019"]
# W003 looks for Django's CSRF middleware by its exact path; ours is a subclass
# (home/web/csrf.py) that keeps Django's token check for the admin, and
# tests/test_security_production.py proves CSRF protection is in MIDDLEWARE.
SILENCED_SYSTEM_CHECKS.append("security.W003")
if not SECURE_HSTS_PRELOAD:
    SILENCED_SYSTEM_CHECKS.append("security.W021")

# Rate-limit counters in Redis (atomic across app servers), not database rows; the
# database counts again while Redis is not answering (home/abuse/ratelimit.py).
if os.environ.get("REDIS_URL"):
    LMN_RATELIMIT_CACHE = env_bool("RATELIMIT_IN_CACHE", True)

# nginx on this machine passes the client's address in X-Real-IP (home/web/proxy.py).
LMN_TRUSTED_PROXIES = env_list("TRUSTED_PROXY_IPS", "127.0.0.1,::1")

# Media on S3-compatible object storage when a bucket is named (django-storages;
# credentials come from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY as boto3 reads
# them), else on local disk in MEDIA_ROOT, served by nginx. Documents are private
# objects at unguessable keys, only ever streamed by the app (lmn_cms/storage.py).
if os.environ.get("AWS_STORAGE_BUCKET_NAME"):
    STORAGES["default"] = {"BACKEND": "lmn_cms.storage.MediaStorage"}  # noqa: F405
    AWS_STORAGE_BUCKET_NAME = os.environ["AWS_STORAGE_BUCKET_NAME"]
    AWS_S3_ENDPOINT_URL = os.environ.get("AWS_S3_ENDPOINT_URL") or None
    AWS_S3_REGION_NAME = os.environ.get("AWS_S3_REGION_NAME") or None
    AWS_S3_CUSTOM_DOMAIN = os.environ.get("AWS_S3_CUSTOM_DOMAIN") or None
    AWS_LOCATION = os.environ.get("AWS_LOCATION", "media")
    # Images are public; plain URLs can be cached by browsers and CDNs.
    AWS_QUERYSTRING_AUTH = env_bool("AWS_QUERYSTRING_AUTH", False)
    AWS_DEFAULT_ACL = None
    # The ACL each document object is written with; empty sends none (an AWS bucket
    # with ACLs disabled refuses any but bucket-owner-full-control).
    AWS_DOCUMENTS_ACL = os.environ.get("AWS_DOCUMENTS_ACL", "private")
    AWS_S3_FILE_OVERWRITE = False

# Background email through the database queue, worked by `manage.py db_worker`.
TASKS = {"default": {"BACKEND": os.environ.get("TASKS_BACKEND", "django_tasks_db.DatabaseBackend")}}

# The front cache to purge when content changes (docs/deploy.md, "Front cache"): the
# local nginx (its purge listener), Cloudflare and/or CloudFront, whichever are set.
# The purges are background tasks like the emails.
WAGTAILFRONTENDCACHE = {}
if os.environ.get("NGINX_PURGE_URL"):
    WAGTAILFRONTENDCACHE["nginx"] = {
        "BACKEND": "home.web.frontend_cache.NginxBackend",
        "LOCATION": os.environ["NGINX_PURGE_URL"],
    }
if os.environ.get("CLOUDFLARE_ZONE_ID"):
    if not os.environ.get("CLOUDFLARE_API_TOKEN"):
        raise ImproperlyConfigured(
            "CLOUDFLARE_ZONE_ID is set without CLOUDFLARE_API_TOKEN: set an API token "
            "allowed to purge that zone's cache, or unset CLOUDFLARE_ZONE_ID."
        )
    WAGTAILFRONTENDCACHE["cloudflare"] = {
        "BACKEND": "wagtail.contrib.frontend_cache.backends.CloudflareBackend",
        "ZONEID": os.environ["CLOUDFLARE_ZONE_ID"],
        "BEARER_TOKEN": os.environ["CLOUDFLARE_API_TOKEN"],
    }
if os.environ.get("CLOUDFRONT_DISTRIBUTION_ID"):
    # Credentials as boto3 finds them (AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY, or
    # the server's role), as for S3 media.
    WAGTAILFRONTENDCACHE["cloudfront"] = {
        "BACKEND": "wagtail.contrib.frontend_cache.backends.CloudfrontBackend",
        "DISTRIBUTION_ID": os.environ["CLOUDFRONT_DISTRIBUTION_ID"],
    }

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
