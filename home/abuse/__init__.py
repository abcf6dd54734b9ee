"""Abuse defences: the honeypot and fill-time spam check, database- or
cache-backed rate limits, and day-scoped anonymous visitor hashes.

May import only Django, Wagtail and its own models (plus the privacy registry, to
register its counters for retention).
"""
