"""The client's address behind our own reverse proxy.

gunicorn sees every request coming from nginx (127.0.0.1), which would make every
reader the same "visitor" for rate limits and view counts. nginx passes the real
address in `X-Real-IP`; it is believed only when the request came from an address
listed in LMN_TRUSTED_PROXIES (anyone else could send the header themselves).
"""

from django.conf import settings


def real_client_ip(remote_addr, real_ip_header, trusted_proxies):
    """The address to use: the proxy's `X-Real-IP` when the request came from a
    trusted proxy and the header is a plausible address, else REMOTE_ADDR."""
    if remote_addr in trusted_proxies and real_ip_header:
        candidate = real_ip_header.strip()
        if 0 < len(candidate) <= 45 and all(c in "0123456789abcdefABCDEF.:" for c in candidate):
            return candidate
    return remote_addr


class TrustedProxyMiddleware:
    """Sets REMOTE_ADDR from nginx's X-Real-IP (see the module docstring)."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.trusted = frozenset(getattr(settings, "LMN_TRUSTED_PROXIES", ()))

    def __call__(self, request):
        if self.trusted:
            request.META["REMOTE_ADDR"] = real_client_ip(
                request.META.get("REMOTE_ADDR", ""),
                request.META.get("HTTP_X_REAL_IP", ""),
                self.trusted,
            )
        return self.get_response(request)
