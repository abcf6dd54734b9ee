"""Security headers: a strict Content Security Policy on public pages, the
relaxed one the Wagtail admin needs, and a Permissions-Policy.

Public pages run no inline script: scripts are static files (or carry the
request's nonce), so `script-src` never includes 'unsafe-inline'.
"""

from django.conf import settings

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
