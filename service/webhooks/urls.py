"""Which endpoint URLs may be registered: https outside development and test, and no private hosts in production.

Pure, except `check_resolved`, which resolves a host name just before a POST in production so that a public name
pointing at a private address is refused too.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from urllib.parse import urlsplit

_LOCAL_NAMES = ("localhost", ".localhost", ".local", ".internal", ".lan", ".home.arpa")


class UnsafeUrl(ValueError):
    """The URL may not receive webhooks in this environment."""


def _private(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return not address.is_global or address.is_multicast


def check_url(url: str, environment: str) -> str:
    """The URL, stripped, if it may be registered in `environment`; UnsafeUrl saying why not otherwise."""
    url = url.strip()
    try:
        parts = urlsplit(url)
        host = parts.hostname
        parts.port  # noqa: B018 - raises on a port that is not a number
    except ValueError:
        raise UnsafeUrl("url: not a valid URL") from None
    relaxed = environment in {"development", "test"}
    if parts.scheme not in ({"https", "http"} if relaxed else {"https"}):
        raise UnsafeUrl("url: must use https" if not relaxed else "url: must be http or https")
    if not host:
        raise UnsafeUrl("url: has no host")
    if parts.username or parts.password:
        raise UnsafeUrl("url: must not carry credentials; the signature authenticates deliveries")
    if parts.fragment:
        raise UnsafeUrl("url: must not have a fragment")
    if relaxed:
        return url
    if host.lower().endswith(_LOCAL_NAMES) or host.lower() == "localhost":
        raise UnsafeUrl("url: a local host name cannot receive webhooks in production")
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return url
    if _private(address):
        raise UnsafeUrl("url: a private, loopback or reserved address cannot receive webhooks in production")
    return url


async def check_resolved(url: str) -> None:
    """UnsafeUrl if the URL's host resolves to any private address (production, just before each POST)."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except OSError:
        raise UnsafeUrl("the host name does not resolve") from None
    for info in infos:
        if _private(ipaddress.ip_address(info[4][0])):
            raise UnsafeUrl("the host resolves to a private address")
