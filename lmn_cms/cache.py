"""Django's RedisCache, failing open: a Redis that is stopped, refusing or hanging
is a cache miss, never an error page (docs/performance.md, "Caches fail open").

Every call is bounded by the socket timeouts in the cache's OPTIONS. After a
failure this process stops asking Redis for RETRY_SECONDS, so a request with a
dozen cache calls waits for at most one timeout, not a dozen. Reads then miss
(the page is rendered afresh), writes are dropped, and `incr`/`decr` return None,
which the rate limits take as "count in the database instead" (home/abuse/ratelimit.py).
"""

import logging
import time

from django.core.cache.backends.redis import RedisCache, RedisCacheClient

from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

RETRY_SECONDS = 5

# Per process (every thread's cache object shares it), per server list.
_down_until = {}


class OneClientPerPool(RedisCacheClient):
    """Django's client builds a new `redis.Redis` for every cache call. With redis-py
    6 building one (its table of reply callbacks) costs about twice a round trip to
    Redis, so a view beacon spent a third of its CPU on it. One client per
    connection pool instead; redis-py clients are safe to share between threads."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        if pool not in self._clients:
            self._clients[pool] = self._client(connection_pool=pool)
        return self._clients[pool]


class FailOpenRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = OneClientPerPool

    def _try(self, default, method, *args, **kwargs):
        server = self._servers[0]
        if _down_until.get(server, 0) > time.monotonic():
            return default
        try:
            return method(*args, **kwargs)
        except (RedisError, OSError) as exc:
            _down_until[server] = time.monotonic() + RETRY_SECONDS
            # The exception's class only: its text can hold the key asked for.
            logger.warning(
                "Cache unavailable (%s); not asked for %ss", type(exc).__name__, RETRY_SECONDS
            )
            return default

    def add(self, *args, **kwargs):
        return self._try(False, super().add, *args, **kwargs)

    def get(self, key, default=None, version=None):
        return self._try(default, super().get, key, default, version)

    def set(self, *args, **kwargs):
        return self._try(None, super().set, *args, **kwargs)

    def touch(self, *args, **kwargs):
        return self._try(False, super().touch, *args, **kwargs)

    def delete(self, *args, **kwargs):
        return self._try(False, super().delete, *args, **kwargs)

    def get_many(self, *args, **kwargs):
        return self._try({}, super().get_many, *args, **kwargs)

    def has_key(self, *args, **kwargs):
        return self._try(False, super().has_key, *args, **kwargs)

    def incr(self, *args, **kwargs):
        return self._try(None, super().incr, *args, **kwargs)

    def set_many(self, *args, **kwargs):
        return self._try([], super().set_many, *args, **kwargs)

    def delete_many(self, *args, **kwargs):
        return self._try(None, super().delete_many, *args, **kwargs)

    def clear(self):
        return self._try(False, super().clear)
