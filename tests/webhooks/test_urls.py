"""Endpoint URLs: https outside development and test; no local or private hosts in production."""

from __future__ import annotations

import pytest

from service.webhooks.urls import UnsafeUrl, check_resolved, check_url, pinned


@pytest.mark.parametrize("url", ["http://127.0.0.1:8080/hooks", "https://localhost/hooks", "http://10.0.0.5/x"])
def test_local_receivers_are_allowed_in_test_and_development(url: str) -> None:
    assert check_url(url, "test") == url
    assert check_url(url, "development") == url


@pytest.mark.parametrize("url", [
    "http://hooks.example.org/in",  # not https
    "https://127.0.0.1/hooks", "https://[::1]/hooks", "https://10.1.2.3/x", "https://192.168.0.2/x",
    "https://169.254.169.254/latest/meta-data", "https://[::ffff:127.0.0.1]/x", "https://0.0.0.0/x",
    "https://localhost/x", "https://printer.local/x", "https://db.internal/x",
    "https://user:pass@hooks.example.org/x", "ftp://hooks.example.org/x", "https:///nohost",
])
def test_production_refuses_plain_http_and_private_or_local_hosts(url: str) -> None:
    with pytest.raises(UnsafeUrl):
        check_url(url, "production")


def test_production_accepts_a_public_https_url() -> None:
    assert check_url(" https://hooks.example.org:8443/planwright ", "production") == \
        "https://hooks.example.org:8443/planwright"
    assert check_url("https://8.8.8.8/x", "production") == "https://8.8.8.8/x"


async def test_a_host_resolving_to_a_private_address_is_refused_just_before_the_post() -> None:
    with pytest.raises(UnsafeUrl, match="private"):
        await check_resolved("https://localhost/hook")
    assert await check_resolved("https://8.8.8.8/hook") == "8.8.8.8"


@pytest.mark.parametrize(("url", "address", "expected"), [
    ("https://hooks.example.org/p?q=1", "93.184.216.34",
     ("https://93.184.216.34/p?q=1", "hooks.example.org", "hooks.example.org")),
    ("https://hooks.example.org:8443/p", "2606:2800:220:1::1",
     ("https://[2606:2800:220:1::1]:8443/p", "hooks.example.org:8443", "hooks.example.org")),
])
def test_the_post_goes_to_the_checked_address_with_the_original_host_for_tls(
    url: str, address: str, expected: tuple[str, str, str]
) -> None:
    """No second lookup can swap in a private address (DNS rebinding): the checked address is in the URL."""
    assert pinned(url, address) == expected
