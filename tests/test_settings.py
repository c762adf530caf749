"""Settings: defaults for the embedded mode, and one clear line naming a bad setting and its fix."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from service.settings import Settings, SettingsError, describe, get_settings


def run_cli(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("PLANWRIGHT_")}
    return subprocess.run([sys.executable, "-m", "service.cli", *args], capture_output=True, text=True,
                          env={**clean, **env}, timeout=60)


def test_embedded_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    for key in list(os.environ):
        if key.startswith("PLANWRIGHT_"):
            monkeypatch.delenv(key)
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    assert settings.database_url.startswith("sqlite://")
    assert settings.broker_url == "stub://"
    assert settings.storage == "local"
    assert settings.embedded_worker
    assert settings.cors_origins == [] and settings.rate_limit_store is None


def test_a_redis_broker_also_shares_the_rate_limit_buckets() -> None:
    assert Settings(_env_file=None, broker_url="redis://q:6379/0").rate_limit_store == "redis://q:6379/0"  # type: ignore[call-arg]
    assert Settings(_env_file=None, broker_url="redis://q:6379/0",  # type: ignore[call-arg]
                    rate_limit_url="redis://r:6379/1").rate_limit_store == "redis://r:6379/1"


@pytest.mark.parametrize(("env", "named"), [
    ({"PLANWRIGHT_BROKER_URL": "kafka://x"}, "PLANWRIGHT_BROKER_URL"),
    ({"PLANWRIGHT_DATABASE_URL": "mysql://x"}, "PLANWRIGHT_DATABASE_URL"),
    ({"PLANWRIGHT_MASTER_KEY": "short"}, "PLANWRIGHT_MASTER_KEY"),
    ({"PLANWRIGHT_STORAGE": "s3"}, "PLANWRIGHT_S3_BUCKET"),
    ({"PLANWRIGHT_PORT": "99999"}, "PLANWRIGHT_PORT"),
    ({"PLANWRIGHT_ENVIRONMENT": "production"}, "PLANWRIGHT_MASTER_KEY"),
    ({"PLANWRIGHT_CORS_ORIGINS": '["*"]'}, "PLANWRIGHT_CORS_ORIGINS"),
    ({"PLANWRIGHT_RATE_LIMIT_URL": "http://cache:6379"}, "PLANWRIGHT_RATE_LIMIT_URL"),
])
def test_an_invalid_setting_stops_start_up_with_one_line(env: dict[str, str], named: str) -> None:
    result = run_cli("migrate", **env)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert named in lines[0]


def test_describe_names_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PLANWRIGHT_BROKER_URL", "ftp://nowhere")
    get_settings.cache_clear()
    try:
        with pytest.raises(SettingsError, match="PLANWRIGHT_BROKER_URL"):
            get_settings()
    finally:
        get_settings.cache_clear()
    assert callable(describe)
