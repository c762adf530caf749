"""One pydantic-settings Settings for the whole service (env prefix PLANWRIGHT_, optional .env)."""

from __future__ import annotations

import base64
import binascii
from functools import lru_cache
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

ENV_PREFIX = "PLANWRIGHT_"


class AccountingCodes(BaseModel):
    """What the Xero and Sage 50 imports (service/billing/accounting.py) code each line to: the sales and purchase
    accounts (Xero account codes, Sage 50 nominal codes), the tax rate or tax code per VAT rate (basis points:
    2000 is 20%), the writers' bills' tax (writers are paid outside the scope of VAT unless told otherwise), and the
    days a writer's bill is due after its month ends. The defaults are each product's UK standard chart and rates."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    xero_sales_account: str = Field(default="200", min_length=1, max_length=10)
    xero_purchases_account: str = Field(default="310", min_length=1, max_length=10)
    xero_sales_tax: dict[int, str] = Field(default_factory=lambda: {
        2000: "20% (VAT on Income)", 500: "5% (VAT on Income)", 0: "No VAT"})
    xero_bill_tax: str = "No VAT"
    sage_sales_nominal: str = Field(default="4000", pattern=r"^\d{1,8}$")
    sage_purchases_nominal: str = Field(default="5000", pattern=r"^\d{1,8}$")
    sage_sales_tax: dict[int, str] = Field(default_factory=lambda: {2000: "T1", 500: "T5", 0: "T0"})
    sage_bill_tax: str = Field(default="T9", pattern=r"^T\d$")
    bill_terms_days: int = Field(default=14, ge=0, le=120)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, env_file=".env", extra="ignore")

    environment: Literal["development", "test", "production"] = "development"
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)

    database_url: str = "sqlite://var/planwright.sqlite3"
    broker_url: str = "stub://"
    # the broker queue every actor uses; tests give each run its own so runs sharing a broker never mix
    queue_name: str = Field(default="default", pattern=r"^[A-Za-z0-9_.-]{1,100}$")

    storage: Literal["local", "s3"] = "local"
    storage_dir: Path = Path("var/storage")
    s3_endpoint_url: str | None = None
    s3_bucket: str | None = None
    s3_region: str = "eu-west-2"
    s3_access_key_id: str | None = None
    s3_secret_access_key: SecretStr | None = None
    s3_kms_key_id: str | None = None

    # base64 of 32 random bytes; without it a key file under var/ is created (embedded mode only).
    master_key: SecretStr | None = None
    master_key_file: Path = Path("var/master.key")

    log_format: Literal["auto", "json", "console"] = "auto"
    log_level: Literal["debug", "info", "warning", "error"] = "info"

    # worker processes export dramatiq's own Prometheus metrics (port 9191, dramatiq_prom_port)
    worker_metrics: bool = False

    # run the dramatiq worker and the scheduler inside `planwright serve` (embedded default)
    embedded_worker: bool = True

    # document types LAs may upload, decided by content: any of pdf, docx, txt
    document_types: frozenset[Literal["pdf", "docx", "txt"]] = frozenset({"pdf", "docx", "txt"})
    max_document_bytes: int = Field(default=50 * 1024 * 1024, gt=0)
    max_bundle_bytes: int = Field(default=250 * 1024 * 1024, gt=0)
    max_draft_bytes: int = Field(default=25 * 1024 * 1024, gt=0)
    max_document_pages: int = Field(default=500, gt=0)
    # OCR of scanned pages and pictures: the most one page may take, the most one bundle's screening may spend on
    # OCR (below the worker's ten-minute job limit; what is not read in time is reported unreadable, never clean),
    # and the CPU threads one OCR run uses
    ocr_page_seconds: float = Field(default=30.0, gt=0)
    ocr_bundle_seconds: float = Field(default=420.0, gt=0)
    ocr_threads: int = Field(default=2, ge=1, le=16)
    offer_window_hours: float = Field(default=8.0, gt=0)
    allocation_interval_seconds: int = Field(default=60, gt=0)
    outbox_interval_seconds: float = Field(default=2.0, gt=0)
    # the SLA monitor warns (sla.at_risk) when fewer working hours than this remain before a turnaround is due
    sla_at_risk_working_hours: float = Field(default=8.0, ge=0)

    # ClamAV's clamd (tcp://HOST:PORT); when scanning is required and clamd is down, bundles wait in screening
    clamd_url: str | None = None
    scan_required: bool = False
    scan_timeout_seconds: float = Field(default=30.0, gt=0)
    retention_interval_seconds: int = Field(default=3600, gt=0)

    # webhooks: each POST's timeout, how many automatic attempts, and the exponential backoff between them
    webhook_timeout_seconds: float = Field(default=10.0, gt=0)
    webhook_max_attempts: int = Field(default=8, ge=1, le=30)
    webhook_backoff_seconds: float = Field(default=30.0, gt=0)
    webhook_max_backoff_seconds: float = Field(default=6 * 3600.0, gt=0)

    # notifications by email: off unless SMTP_HOST is set
    smtp_host: str | None = None
    smtp_port: int = Field(default=587, ge=1, le=65535)
    smtp_from: str = "planwright@localhost"
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    smtp_starttls: bool = True
    smtp_ssl: bool = False
    smtp_timeout_seconds: float = Field(default=10.0, gt=0)

    # defences in depth. CORS is off unless origins are listed (a JSON list, e.g. '["https://case.example.gov.uk"]')
    cors_origins: list[str] = Field(default_factory=list)
    # a JSON body over this is refused (413) before it is parsed; uploads have their own caps above
    max_json_bytes: int = Field(default=1024 * 1024, gt=0)
    # a request must be answered (its response started) within this: a slow client body answers 408, a slow
    # handler 503. Generous by default: an upload at the document cap must fit in it.
    request_timeout_seconds: float = Field(default=120.0, gt=0)
    # per-token rate limit (the `limits` library's moving window): up to BURST requests in any BURST/RATE seconds; a
    # rate of 0 turns it off. Windows live in each process unless RATE_LIMIT_URL (or a redis:// broker) names a Redis
    # to share them across processes and API workers.
    rate_limit_per_second: float = Field(default=20.0, ge=0)
    rate_limit_burst: int = Field(default=200, ge=1)
    rate_limit_url: str | None = None

    # API tokens: the lifetime a token gets when none is asked for, and the most that may be asked for, in days
    # (an organisation may set its own, within TOKEN_MAX_DAYS); a break-glass token lives at most this many hours
    token_default_days: int = Field(default=90, ge=1)
    token_max_days: int = Field(default=365, ge=1)
    break_glass_hours: float = Field(default=4.0, gt=0, le=72)
    # people who sign in (OpenID Connect): the service's public address, which the issuer redirects back to
    # (PUBLIC_URL + /v1/auth/oidc/callback); a session ends after SESSION_IDLE_MINUTES unused, and at the latest
    # SESSION_ABSOLUTE_HOURS after sign-in; a sign-in must come back within SIGN_IN_MINUTES; an invitation's link
    public_url: str = "https://localhost:8000"
    session_idle_minutes: int = Field(default=30, ge=1)
    session_absolute_hours: int = Field(default=12, ge=1)
    sign_in_minutes: int = Field(default=10, ge=1, le=60)
    # denied calls (403 and another tenant's 404) are audited, at most this many per caller and route a minute
    # (the rest are counted in the metric only); one caller collecting PROBE_THRESHOLD cross-tenant 404s within
    # PROBE_WINDOW_SECONDS raises a security event (a webhook to its provider and to the LA probed, and a metric)
    denied_audit_per_minute: int = Field(default=10, ge=1)
    probe_threshold: int = Field(default=20, ge=2)
    probe_window_seconds: int = Field(default=600, ge=1)
    # the Xero and Sage exports' account and tax codes (JSON, e.g. '{"xero_sales_account": "4000"}'), and a
    # writing service's own where it differs (JSON keyed by its organisation id)
    accounting_codes: AccountingCodes = Field(default_factory=AccountingCodes)
    accounting_codes_by_provider: dict[UUID, AccountingCodes] = Field(default_factory=dict)

    def accounting_codes_of(self, provider_id: UUID) -> AccountingCodes:
        return self.accounting_codes_by_provider.get(provider_id, self.accounting_codes)

    @field_validator("cors_origins")
    @classmethod
    def _cors_origins(cls, value: list[str]) -> list[str]:
        for origin in value:
            parts = urlsplit(origin)
            if parts.scheme not in {"http", "https"} or not parts.netloc or parts.path or parts.query:
                raise ValueError(f"{origin!r} is not an origin; list each as https://HOST[:PORT] (no '*', no path)")
        return value

    @field_validator("rate_limit_url")
    @classmethod
    def _rate_limit_url(cls, value: str | None) -> str | None:
        if value and urlsplit(value).scheme not in {"redis", "rediss"}:
            raise ValueError(f"{value!r} is not redis://HOST:6379/DB; leave it unset to limit in each process")
        return value or None

    @field_validator("database_url")
    @classmethod
    def _database_url(cls, value: str) -> str:
        scheme = urlsplit(value).scheme
        if scheme not in {"sqlite", "postgres", "asyncpg", "psycopg"}:
            raise ValueError(f"unsupported scheme {scheme!r}; use sqlite://PATH or postgres://USER@HOST:PORT/DB")
        return value

    @field_validator("broker_url")
    @classmethod
    def _broker_url(cls, value: str) -> str:
        scheme = urlsplit(value).scheme
        if scheme not in {"stub", "amqp", "amqps", "redis", "rediss"}:
            raise ValueError(
                f"unsupported scheme {scheme!r}; use stub://, amqp://USER:PASS@HOST:5672/ or redis://HOST:6379/0"
            )
        return value

    @field_validator("clamd_url")
    @classmethod
    def _clamd_url(cls, value: str | None) -> str | None:
        if value is None or value == "":
            return None
        parts = urlsplit(value)
        if parts.scheme != "tcp" or not parts.hostname or parts.port is None:
            raise ValueError(f"{value!r} is not tcp://HOST:PORT (clamd's TCPSocket, usually port 3310)")
        return value

    @field_validator("master_key")
    @classmethod
    def _master_key(cls, value: SecretStr | None) -> SecretStr | None:
        if value is None:
            return value
        try:
            raw = base64.b64decode(value.get_secret_value(), validate=True)
        except (binascii.Error, ValueError):
            raw = b""
        if len(raw) != 32:
            raise ValueError(
                "must be base64 of 32 bytes; make one with: "
                "python -c \"import os,base64;print(base64.b64encode(os.urandom(32)).decode())\""
            )
        return value

    @model_validator(mode="after")
    def _consistent(self) -> Settings:
        if self.storage == "s3" and not self.s3_bucket:
            raise ValueError("s3_bucket: required when PLANWRIGHT_STORAGE=s3; set PLANWRIGHT_S3_BUCKET")
        if self.scan_required and self.clamd_url is None:
            raise ValueError("scan_required: needs a scanner; set PLANWRIGHT_CLAMD_URL to tcp://HOST:3310")
        if self.token_default_days > self.token_max_days:
            raise ValueError("token_default_days: must not be more than PLANWRIGHT_TOKEN_MAX_DAYS")
        if self.environment == "production":
            if self.master_key is None:
                raise ValueError("master_key: required in production; set PLANWRIGHT_MASTER_KEY to base64 of 32 bytes")
            if self.broker_url.startswith("stub"):
                raise ValueError(
                    "broker_url: the stub broker is for one process only; "
                    "set PLANWRIGHT_BROKER_URL to amqp:// or redis://"
                )
        return self

    @property
    def is_postgres(self) -> bool:
        return not self.database_url.startswith("sqlite")

    @property
    def rate_limit_store(self) -> str | None:
        """The Redis that shares rate-limit windows between processes, if any."""
        if self.rate_limit_url:
            return self.rate_limit_url
        return self.broker_url if urlsplit(self.broker_url).scheme in {"redis", "rediss"} else None

    @property
    def json_logs(self) -> bool:
        if self.log_format == "auto":
            return self.environment == "production"
        return self.log_format == "json"


class SettingsError(Exception):
    """A setting is invalid: the message names the environment variable and the fix."""


def describe(error: ValidationError) -> str:
    """One line naming the first bad setting and how to fix it."""
    first = error.errors()[0]
    loc = [str(part) for part in first.get("loc", ()) if part]
    message = str(first.get("msg", "invalid")).removeprefix("Value error, ")
    if not loc and ":" in message:
        name, _, message = message.partition(":")
        loc = [name.strip()]
        message = message.strip()
    name = ENV_PREFIX + (loc[0].upper() if loc else "?")
    return f"setting {name}: {message}"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    try:
        return Settings()
    except ValidationError as exc:
        raise SettingsError(describe(exc)) from None
