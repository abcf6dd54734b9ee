"""Security plumbing: a strict Content Security Policy on public pages, the
relaxed one the Wagtail admin needs, a Permissions-Policy, a small request-body
limit on public paths, and the django-axes hooks for admin sign-in.

Public pages run no inline script: scripts are static files (or carry the
request's nonce), so `script-src` never includes 'unsafe-inline'.
"""

import hashlib

from django.conf import settings
from django.db.models import Sum
from django.shortcuts import render

from axes.attempts import get_cool_off_threshold
from axes.backends import AxesStandaloneBackend
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username, get_failure_limit
from axes.models import AccessAttempt
from csp.constants import NONE, SELF, UNSAFE_EVAL, UNSAFE_INLINE
from csp.middleware import CSPMiddleware, PolicyParts

EMBED_FRAME_SOURCES = [
    "https://www.youtube-nocookie.com",
    "https://www.youtube.com",
    "https://player.vimeo.com",
]

PUBLIC_POLICY = {
    "default-src": [SELF],
    "script-src": [SELF],
    "style-src": [SELF],
    # Inline style attributes (e.g. the width of a chart bar) are harmless; inline
    # <style> and <script> elements stay forbidden.
    "style-src-attr": [UNSAFE_INLINE],
    "img-src": [SELF, "data:"],
    "font-src": [SELF],
    "connect-src": [SELF],
    "frame-src": EMBED_FRAME_SOURCES,
    "object-src": [NONE],
    "base-uri": [SELF],
    "form-action": [SELF],
    "frame-ancestors": [NONE],
}

# The Wagtail admin (and Django admin) use inline styles and scripts in places,
# and preview embeds from anywhere an editor pastes a link.
ADMIN_POLICY = {
    "default-src": [SELF],
    "script-src": [SELF, UNSAFE_INLINE, UNSAFE_EVAL],
    "style-src": [SELF, UNSAFE_INLINE],
    "img-src": [SELF, "data:", "blob:", "https:"],
    "font-src": [SELF, "data:"],
    "connect-src": [SELF],
    "frame-src": [SELF, "https:"],
    "object-src": [NONE],
    "base-uri": [SELF],
    "form-action": [SELF],
    "frame-ancestors": [SELF],
}

ADMIN_PREFIXES = ("/admin/", "/django-admin/")

PERMISSIONS_POLICY = (
    "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), "
    "microphone=(), payment=(), usb=(), interest-cohort=()"
)


def policy_for_path(path):
    """The CSP directives for a request path: relaxed for the admin, strict elsewhere."""
    return ADMIN_POLICY if path.startswith(ADMIN_PREFIXES) else PUBLIC_POLICY


class SiteCSPMiddleware(CSPMiddleware):
    """django-csp's middleware, choosing the policy by path."""

    def get_policy_parts(self, request, response, report_only=False):
        parts = super().get_policy_parts(request, response, report_only=report_only)
        if report_only:
            return parts
        if parts.config is None:
            parts.config = policy_for_path(request.path_info)
        return PolicyParts(parts.config, parts.update, parts.replace, parts.nonce)


class PermissionsPolicyMiddleware:
    """Adds Permissions-Policy, which Django's SecurityMiddleware does not set."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.value = getattr(settings, "PERMISSIONS_POLICY", PERMISSIONS_POLICY)

    def __call__(self, request):
        response = self.get_response(request)
        response.setdefault("Permissions-Policy", self.value)
        return response


def is_admin_path(path):
    """Whether a path belongs to the Wagtail or Django admin."""
    return path.startswith(ADMIN_PREFIXES)


def body_too_large(path, content_length, limit):
    """Whether a request body must be refused: only public paths have the small
    `limit`; the admin keeps Django's larger DATA_UPLOAD_MAX_MEMORY_SIZE because
    the page editor posts long pages with thousands of fields."""
    if is_admin_path(path):
        return False
    try:
        length = int(content_length or 0)
    except ValueError:
        return True  # a Content-Length that is not a number is not a request we serve
    return length < 0 or length > limit


class RequestSizeLimitMiddleware:
    """Answers 413 with a readable page when a public request's body is larger
    than PUBLIC_MAX_REQUEST_BODY, before anything reads the body.

    Must come before CsrfViewMiddleware, which reads POST data.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        limit = getattr(settings, "PUBLIC_MAX_REQUEST_BODY", 64 * 1024)
        if body_too_large(request.path_info, request.META.get("CONTENT_LENGTH"), limit):
            response = render(
                request,
                "security/request_too_large.html",
                {"limit_kib": limit // 1024},
                status=413,
            )
            # No `Connection: close` here: it is a hop-by-hop header, which WSGI
            # forbids an application to set (runserver answers 500; gunicorn drops
            # it). The server drains or closes the unread body itself.
            return response
        return self.get_response(request)


class AxesBackend(AxesStandaloneBackend):
    """django-axes' lockout check, skipped when there is no request to check.

    Every sign-in form (Wagtail's, Django admin's) passes the request, so they are
    always checked. Only in-process callers without a request (the test client's
    `login()`, a shell) reach here with `request=None`; they cannot be brute-forced
    from the network, and axes would otherwise refuse them outright.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


class SiteAxesHandler(AxesDatabaseHandler):
    """django-axes' database handler with a second, wider lock: a username is also
    locked once it has failed LMN_SIGNIN_USERNAME_FAILURE_LIMIT times within the
    cool-off from any number of addresses, so spreading guesses over many
    addresses (a botnet, or the addresses of an IPv6 network) gains nothing.

    The per-address lock (AXES_LOCKOUT_PARAMETERS: username and address together,
    AXES_FAILURE_LIMIT) is unchanged, and a successful sign-in still clears only the
    failures from the address it came from, so an attacker's failures keep counting
    towards the wider lock. See docs/security.md for the trade-off.
    """

    def get_failures(self, request, credentials=None):
        per_address = super().get_failures(request, credentials)
        username = get_client_username(request, credentials)
        if not username:
            return per_address
        attempts = AccessAttempt.objects.filter(username=username)
        if settings.AXES_COOLOFF_TIME is not None:
            attempts = attempts.filter(attempt_time__gte=get_cool_off_threshold(request))
        per_username = attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0
        # axes compares one number with AXES_FAILURE_LIMIT; the username's count is
        # scaled to it so that it reaches that limit exactly at its own limit.
        limit = get_failure_limit(request, credentials)
        username_limit = max(settings.LMN_SIGNIN_USERNAME_FAILURE_LIMIT, 1)
        return max(per_address, per_username * limit // username_limit)


def lockout_response(request, original_response=None, credentials=None):
    """The page a locked-out sign-in gets: 429, in the site's design, saying how long
    to wait, without repeating the username."""
    from axes.helpers import get_cool_off

    cool_off = get_cool_off(request)
    context = {"cooloff_minutes": round(cool_off.total_seconds() / 60) if cool_off else None}
    return render(
        request,
        "security/lockout.html",
        context,
        status=getattr(settings, "AXES_HTTP_RESPONSE_CODE", 429),
    )


def axes_client_str(username, ip_address, user_agent, path_info, request):
    """How axes names a client in the logs: a short pseudonym of the username and
    address (enough to see that failures repeat) and the path, never the username
    or address themselves, which are personal data."""
    material = f"{settings.SECRET_KEY}|{username}|{ip_address}".encode("utf-8", "replace")
    pseudonym = hashlib.sha256(material).hexdigest()[:12]
    return f"client {pseudonym} on {path_info}"
