"""Cross-site request forgery checks that survive a shared page cache.

Public pages are cached (nginx's micro-cache, the app's page cache), so a form on
them cannot carry a per-visitor CSRF token: the next reader would get the first
one's token, which does not match their own cookie. Public paths therefore prove
a POST comes from our own pages the way browsers allow: `Sec-Fetch-Site:
same-origin`, or an `Origin` header naming this site (or a trusted origin). Both
are set by the browser and cannot be set by another site's page. A POST with
neither (an old browser, or not a browser) falls back to Django's token check.

The admin (/admin/, /django-admin/) keeps Django's full token check: its pages are
never cached.
"""

from urllib.parse import urlsplit

from django.conf import settings
from django.middleware.csrf import CsrfViewMiddleware

from home.web.security import is_admin_path

SAFE_METHODS = ("GET", "HEAD", "OPTIONS", "TRACE")
REASON_CROSS_SITE = "This form was sent from another website, so it was refused."


def same_origin_verdict(sec_fetch_site, origin, own_origin, trusted_origins=()):
    """True when the browser says the POST came from this site, False when it says
    it came from elsewhere, None when it said nothing (the token must decide).

    `Sec-Fetch-Site` wins when present: only "same-origin" passes ("same-site" is a
    sibling subdomain, "cross-site" another site, "none" not from a page at all).
    Otherwise `Origin` must equal this site's origin or a trusted one; the opaque
    origin "null" (sandboxed frames, privacy redirects) never passes.
    """
    if sec_fetch_site:
        return sec_fetch_site.strip().lower() == "same-origin"
    if origin:
        origin = origin.strip().lower()
        if origin == "null":
            return False
        parts = urlsplit(origin)
        if not parts.scheme or not parts.netloc:
            return False
        allowed = {own_origin.lower(), *(o.lower() for o in trusted_origins)}
        return f"{parts.scheme}://{parts.netloc}" in allowed
    return None


class SameOriginCsrfViewMiddleware(CsrfViewMiddleware):
    """Django's CSRF middleware, deciding public POSTs by the browser's origin
    headers (see the module docstring) and everything else as Django does."""

    def process_view(self, request, callback, callback_args, callback_kwargs):
        if (
            request.method in SAFE_METHODS
            or getattr(request, "csrf_processing_done", False)
            or getattr(callback, "csrf_exempt", False)
            or getattr(request, "_dont_enforce_csrf_checks", False)
            or is_admin_path(request.path_info)
        ):
            return super().process_view(request, callback, callback_args, callback_kwargs)
        own_origin = f"{request.scheme}://{request.get_host()}"
        verdict = same_origin_verdict(
            request.headers.get("Sec-Fetch-Site"),
            request.headers.get("Origin"),
            own_origin,
            getattr(settings, "CSRF_TRUSTED_ORIGINS", ()),
        )
        if verdict is True:
            return self._accept(request)
        if verdict is False:
            return self._reject(request, REASON_CROSS_SITE)
        return super().process_view(request, callback, callback_args, callback_kwargs)
