"""What a running process holds: its settings and its storage. Built once at start-up by the app or worker."""

from __future__ import annotations

from dataclasses import dataclass

from service.ratelimit import RateLimiter, build_limiter
from service.settings import Settings
from service.storage import Storage, build_storage
from service.storage.crypto import MasterKey


@dataclass(frozen=True)
class Runtime:
    settings: Settings
    storage: Storage
    # signs the LA's short-lived download links; derived from the master key
    link_key: bytes
    # per-token request budgets (service/ratelimit.py)
    rate_limiter: RateLimiter
    # keys the pseudonyms an LA sees for provider people (service/auth/pseudonyms.py); derived from the master key
    pseudonym_key: bytes = b""
    # seals the client secrets of organisations' OpenID issuers (service/auth/oidc.py); derived from the master key
    secrets_key: bytes = b""


_current: Runtime | None = None


def build_runtime(settings: Settings) -> Runtime:
    if settings.master_key is not None:
        master_key = MasterKey.from_base64(settings.master_key.get_secret_value())
    else:
        master_key = MasterKey.load_or_create(settings.master_key_file)
    storage = build_storage(
        settings.storage,
        local_root=settings.storage_dir,
        s3_bucket=settings.s3_bucket,
        s3_endpoint=settings.s3_endpoint_url,
        s3_region=settings.s3_region,
        s3_access_key=settings.s3_access_key_id,
        s3_secret_key=settings.s3_secret_access_key.get_secret_value() if settings.s3_secret_access_key else None,
        master_key=master_key,
    )
    limiter = build_limiter(settings.rate_limit_per_second, settings.rate_limit_burst, settings.rate_limit_store)
    return Runtime(settings=settings, storage=storage, link_key=master_key.derive("download links"),
                   rate_limiter=limiter, pseudonym_key=master_key.derive("writer pseudonyms"),
                   secrets_key=master_key.derive("oidc client secrets"))


def install(runtime: Runtime | None) -> None:
    global _current
    _current = runtime


def current() -> Runtime:
    if _current is None:
        raise RuntimeError("the runtime is not built: call service.runtime.install(build_runtime(settings)) first")
    return _current
