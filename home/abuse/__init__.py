"""Abuse defences: the honeypot and fill-time spam check, database- or
cache-backed rate limits, and day-scoped anonymous visitor hashes.

May import home.privacy (its registry, for the rate limiter's counters) only.
"""
