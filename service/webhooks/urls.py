"""Which endpoint URLs may be registered: https outside development and test, and no private hosts in production.

Pure, except `check_resolved`, which resolves a host name just before a POST in production so that a public name
pointing at a private address is refused too, and gives the checked address the POST is then pinned to.
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


async def check_resolved(url: str) -> str:
    """The address to connect to: UnsafeUrl if the URL's host resolves to any private address (production, just
    before each POST). The POST then goes to this very address (`pinned`), so a second lookup by the HTTP client
    cannot be answered with a private one (DNS rebinding)."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except OSError:
        raise UnsafeUrl("the host name does not resolve") from None
    addresses = [str(info[4][0]) for info in infos]
    if not addresses:
        raise UnsafeUrl("the host name does not resolve")
    for address in addresses:
        if _private(ipaddress.ip_address(address)):
            raise UnsafeUrl("the host resolves to a private address")
    return addresses[0]


def pinned(url: str, address: str) -> tuple[str, str, str]:
    """(the URL with its host replaced by `address`, the Host header, the TLS server name): the request goes to
    the address that was checked while TLS still verifies the certificate for the original host name."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    literal = f"[{address}]" if ":" in address else address
    netloc = literal if parts.port is None else f"{literal}:{parts.port}"
    host_header = parts.netloc.rpartition("@")[2]
    return parts._replace(netloc=netloc).geturl(), host_header, host
