"""Request plumbing and caches: the client's address behind our proxy, security
headers and limits, the one same-origin check, the database-outage page,
two-factor sign-in, absolute links for emails, fragment-cache versions and
front-cache purges (each page type's purge rules are registered by the app or
package that owns it, e.g. home/report/purge.py).

Imports nothing else of home.
"""
