"""Per-token rate limits: a token bucket per bearer token (keyed by the token's SHA-256, never the token).

A bucket holds up to `burst` requests and refills at `rate` per second; a request takes one, and when none is left
the caller is told how long until one is. The buckets live in this process (so each API process limits on its
own: with N processes a token gets up to N times the rate) or, given a Redis URL, in Redis, shared by every
process. If Redis cannot be reached the request is let through and a warning logged: the limit protects the
service, it must not take it down.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from typing import Protocol

from service.logging import get_logger

log = get_logger(__name__)


def refill(level: float, last: float, now: float, *, rate: float, burst: int) -> float:
    """The bucket's level at `now`, from its level at `last`."""
    return min(float(burst), level + max(0.0, now - last) * rate)


def spend(level: float, *, rate: float) -> tuple[float, float]:
    """Take one request from a bucket at `level`: (the level after, seconds to wait; 0 when allowed)."""
    if level >= 1.0:
        return level - 1.0, 0.0
    return level, (1.0 - level) / rate


class RateLimiter(Protocol):
    async def take(self, key: str) -> float:
        """Spend one request of `key`'s bucket: 0 when allowed, else the seconds until one is available."""
        ...


class Unlimited:
    async def take(self, key: str) -> float:
        return 0.0


class InProcessLimiter:
    """Buckets in a dict, least recently used dropped past `max_keys` (a dropped bucket would be full again)."""

    def __init__(self, rate: float, burst: int, *, max_keys: int = 100_000) -> None:
        self.rate, self.burst, self.max_keys = rate, burst, max_keys
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()

    async def take(self, key: str) -> float:
        now = time.monotonic()
        level, last = self._buckets.pop(key, (float(self.burst), now))
        level, wait = spend(refill(level, last, now, rate=self.rate, burst=self.burst), rate=self.rate)
        self._buckets[key] = (level, now)
        if len(self._buckets) > self.max_keys:
            self._buckets.popitem(last=False)
        return wait


# the same arithmetic as refill/spend, atomically in Redis, on Redis's clock so every process agrees
_BUCKET_SCRIPT = """
local rate, burst = tonumber(ARGV[1]), tonumber(ARGV[2])
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local saved = redis.call('HMGET', KEYS[1], 'level', 'at')
local level = tonumber(saved[1]) or burst
local at = tonumber(saved[2]) or now
level = math.min(burst, level + math.max(0, now - at) * rate)
local wait = 0
if level >= 1 then level = level - 1 else wait = (1 - level) / rate end
redis.call('HSET', KEYS[1], 'level', tostring(level), 'at', tostring(now))
redis.call('PEXPIRE', KEYS[1], math.ceil(burst / rate * 1000) + 1000)
return tostring(wait)
"""


class RedisLimiter:
    def __init__(self, url: str, rate: float, burst: int, *, prefix: str = "planwright:ratelimit:") -> None:
        import redis.asyncio

        self.rate, self.burst, self.prefix = rate, burst, prefix
        self._client = redis.asyncio.Redis.from_url(url, socket_timeout=1.0, socket_connect_timeout=1.0)
        self._script = self._client.register_script(_BUCKET_SCRIPT)

    async def take(self, key: str) -> float:
        import redis

        try:
            wait = await self._script(keys=[self.prefix + key], args=[self.rate, self.burst])
        except (redis.RedisError, OSError) as exc:
            log.warning("ratelimit.store_unavailable", error=type(exc).__name__)
            return 0.0
        return float(wait)


def build_limiter(rate: float, burst: int, store_url: str | None) -> RateLimiter:
    if rate <= 0:
        return Unlimited()
    if store_url:
        return RedisLimiter(store_url, rate, burst)
    return InProcessLimiter(rate, burst)
