"""Request plumbing: the client's address behind our proxy, security headers and
limits, the same-origin CSRF check, the database-outage page, two-factor sign-in,
and the caches (fragment-cache versions and front-cache purges).

Middleware and cache code: may import Django, Wagtail and home.report or
home.pages models lazily for purges; never blog, events, home.staff or home.demo.
"""
