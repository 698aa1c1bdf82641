"""The cache: Redis through the process's shared pool; when Redis is gone, it only misses.

Redis is a cache here, never the only home of anything, so losing it must cost speed, not
requests: reads answer "not cached", writes are dropped, and for a few seconds after a failure
Redis is not even asked (see `izd.shared_redis`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache, RedisCacheClient

from izd import shared_redis

logger = logging.getLogger(__name__)
T = TypeVar("T")


class SharedPoolRedisCacheClient(RedisCacheClient):
    def _get_connection_pool(self, write: bool) -> Any:
        index = self._get_connection_pool_index(write)  # type: ignore[attr-defined]
        return shared_redis.pool(self._servers[index])  # type: ignore[attr-defined]


class ResilientRedisCache(RedisCache):
    def __init__(self, server: str, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._class = SharedPoolRedisCacheClient

    def _try(self, call: Callable[[], T], fallback: T) -> T:
        if shared_redis.seems_unreachable():
            return fallback
        try:
            return call()
        except shared_redis.UNREACHABLE_ERRORS as error:
            shared_redis.mark_unreachable()
            logger.warning("Redis nicht erreichbar, Cache übersprungen: %s", error)
            return fallback

    def add(
        self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: Any = None
    ) -> bool:
        return self._try(lambda: RedisCache.add(self, key, value, timeout, version), False)

    def get(self, key: Any, default: Any = None, version: Any = None) -> Any:
        return self._try(lambda: RedisCache.get(self, key, default, version), default)

    def set(
        self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: Any = None
    ) -> None:
        self._try(lambda: RedisCache.set(self, key, value, timeout, version), None)

    def touch(self, key: Any, timeout: Any = DEFAULT_TIMEOUT, version: Any = None) -> bool:
        return self._try(lambda: RedisCache.touch(self, key, timeout, version), False)

    def delete(self, key: Any, version: Any = None) -> bool:
        return self._try(lambda: RedisCache.delete(self, key, version), False)

    def get_many(self, keys: Iterable[Any], version: Any = None) -> dict[Any, Any]:
        keys = list(keys)
        return self._try(lambda: RedisCache.get_many(self, keys, version), {})

    def has_key(self, key: Any, version: Any = None) -> bool:
        return self._try(lambda: RedisCache.has_key(self, key, version), False)

    def incr(self, key: Any, delta: int = 1, version: Any = None) -> int:
        result: int | None = self._try(lambda: RedisCache.incr(self, key, delta, version), None)
        if result is None:
            raise ValueError(f"Key '{key}' not found")  # what a cache without the key says
        return result

    def set_many(
        self, data: dict[Any, Any], timeout: Any = DEFAULT_TIMEOUT, version: Any = None
    ) -> list[Any]:
        return self._try(lambda: RedisCache.set_many(self, data, timeout, version), list(data))

    def delete_many(self, keys: Iterable[Any], version: Any = None) -> None:
        keys = list(keys)
        self._try(lambda: RedisCache.delete_many(self, keys, version), None)

    def clear(self) -> None:
        self._try(lambda: RedisCache.clear(self), None)
