"""Per-token rate limits, kept by the `limits` library: a moving window per bearer token (keyed by the token's
SHA-256, never the token).

A token may make up to `burst` requests in any `burst / rate` seconds: bursts of `burst` at most, and `rate` a second
sustained. A request over it is told how long until the oldest request in its window leaves it (Retry-After). The
windows live in this process (so each API process limits on its own: with N processes a token gets up to N times
the rate) or, given a Redis URL, in Redis, shared by every process and API worker. If Redis cannot be reached the
request is let through and a warning logged: the limit protects the service, it must not take it down.
"""

from __future__ import annotations

from typing import Protocol

from limits import RateLimitItemPerSecond
from limits.aio.storage import MemoryStorage, RedisStorage, Storage
from limits.aio.strategies import MovingWindowRateLimiter
from limits.errors import StorageError

from service import clock
from service.logging import get_logger

log = get_logger(__name__)


def window(rate: float, burst: int) -> RateLimitItemPerSecond:
    """`burst` requests per `burst / rate` seconds (whole seconds, at least one: the library counts in seconds)."""
    return RateLimitItemPerSecond(burst, max(1, round(burst / rate)), namespace="planwright-token")


class RateLimiter(Protocol):
    async def take(self, key: str) -> float:
        """Spend one request of `key`'s window: 0 when allowed, else the seconds until one is available."""
        ...


class Unlimited:
    async def take(self, key: str) -> float:
        return 0.0


class WindowLimiter:
    """A moving window per key in a `limits` storage."""

    def __init__(self, storage: Storage, rate: float, burst: int) -> None:
        self.rate, self.burst = rate, burst
        self.item = window(rate, burst)
        self._limiter = MovingWindowRateLimiter(storage)

    async def take(self, key: str) -> float:
        try:
            if await self._limiter.hit(self.item, key):
                return 0.0
            stats = await self._limiter.get_window_stats(self.item, key)
        except (StorageError, OSError) as exc:
            log.warning("ratelimit.store_unavailable", error=type(exc).__name__)
            return 0.0
        # the library stamps window entries with the wall clock (time.time), so the wait is read against the same
        return max(stats.reset_time - clock.now().timestamp(), 1e-3)


class InProcessLimiter(WindowLimiter):
    """Windows in this process's memory (the library expires them once they are empty)."""

    def __init__(self, rate: float, burst: int) -> None:
        super().__init__(MemoryStorage(), rate, burst)


class RedisLimiter(WindowLimiter):
    """Windows in Redis, through redis-py's asyncio client (already installed for dramatiq's Redis broker)."""

    def __init__(self, url: str, rate: float, burst: int, *, prefix: str = "planwright:ratelimit") -> None:
        storage = RedisStorage(
            "async+" + url, implementation="redispy", key_prefix=prefix, wrap_exceptions=True,
            socket_timeout=1.0, socket_connect_timeout=1.0,
        )
        super().__init__(storage, rate, burst)


def build_limiter(rate: float, burst: int, store_url: str | None) -> RateLimiter:
    if rate <= 0:
        return Unlimited()
    if store_url:
        return RedisLimiter(store_url, rate, burst)
    return InProcessLimiter(rate, burst)
