"""Signing people in with their organisation's own OpenID Connect issuer: the authorization code flow with PKCE
(S256), `state` and `nonce`, the issuer's discovery document and its JWKS (fetched again when a token names a key
it does not hold: the issuer rotated its keys).

The JOSE checks are joserfc's (signature against the JWKS, `iss`, `aud`, `exp`, `iat`, `nonce`), never hand-written.
Just-in-time linking reaches only a person the organisation's admin invited: an unknown person gets nothing.
"""

from __future__ import annotations

import base64
import hashlib
import os
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlencode
from uuid import UUID

import httpx
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from joserfc import jws, jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from service import clock
from service.errors import Forbidden, NotFound, Unauthenticated
from service.logging import get_logger
from service.models import IdentityProvider, Role, SignIn
from service.runtime import current

log = get_logger(__name__)
CALLBACK_PATH = "/v1/auth/oidc/callback"
ALGORITHMS = ["RS256", "RS384", "RS512", "PS256", "ES256", "ES384"]
HTTP_TIMEOUT = 10.0
# how long a discovery document is trusted before it is read again
DISCOVERY_TTL = timedelta(hours=1)


class SignInFailed(Unauthenticated):
    """Signing in through the organisation's OpenID issuer did not succeed: the sign-in is unknown, used already or
    too old, or the issuer's answer failed a check (signature, issuer, audience, expiry, nonce). Start again."""

    type_, title = "sign-in-failed", "Sign-in failed"


class NotInvited(Forbidden):
    """The person who signed in is not an active, invited user of this organisation: ask its admin for an
    invitation (a deactivated user stays out)."""

    type_, title = "not-invited", "Not invited"


def redirect_uri() -> str:
    return current().settings.public_url.rstrip("/") + CALLBACK_PATH


def seal(secret: str) -> str:
    nonce = os.urandom(12)
    sealed = AESGCM(current().secrets_key).encrypt(nonce, secret.encode(), b"oidc client secret")
    return base64.urlsafe_b64encode(nonce + sealed).decode()


def unseal(sealed: str) -> str:
    raw = base64.urlsafe_b64decode(sealed)
    return AESGCM(current().secrets_key).decrypt(raw[:12], raw[12:], b"oidc client secret").decode()


def _hash(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def pkce_challenge(verifier: str) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()


@dataclass
class _Issuers:
    """What this process knows of each issuer: its discovery document and its keys."""

    discovery: dict[str, tuple[datetime, dict[str, Any]]] = field(default_factory=dict)
    keys: dict[str, KeySet] = field(default_factory=dict)


_issuers = _Issuers()


def forget_issuers() -> None:
    """Drop what this process cached of every issuer (tests; an operator's restart does the same)."""
    _issuers.discovery.clear()
    _issuers.keys.clear()


async def _get_json(url: str) -> dict[str, Any]:
    try:
        async with httpx.AsyncClient(timeout=HTTP_TIMEOUT) as http:
            response = await http.get(url, headers={"Accept": "application/json"})
            response.raise_for_status()
            document = response.json()
    except (httpx.HTTPError, ValueError) as exc:
        raise SignInFailed(f"the issuer could not be read ({type(exc).__name__})") from None
    if not isinstance(document, dict):
        raise SignInFailed("the issuer answered something other than a JSON object")
    return document


async def discover(issuer: str) -> dict[str, Any]:
    cached = _issuers.discovery.get(issuer)
    if cached is not None and clock.now() - cached[0] < DISCOVERY_TTL:
        return cached[1]
    document = await _get_json(issuer.rstrip("/") + "/.well-known/openid-configuration")
    # OpenID Connect Discovery 1.0, 4.3: the document must name the issuer it was asked of
    if document.get("issuer") != issuer:
        raise SignInFailed("the issuer's discovery document names another issuer")
    for needed in ("authorization_endpoint", "token_endpoint", "jwks_uri"):
        if not isinstance(document.get(needed), str):
            raise SignInFailed(f"the issuer's discovery document has no {needed}")
    _issuers.discovery[issuer] = (clock.now(), document)
    return document


async def _key_set(jwks_uri: str, *, fresh: bool = False) -> KeySet:
    if fresh or jwks_uri not in _issuers.keys:
        try:
            _issuers.keys[jwks_uri] = KeySet.import_key_set(await _get_json(jwks_uri))  # type: ignore[arg-type]
        except (JoseError, ValueError, TypeError) as exc:
            raise SignInFailed(f"the issuer's JWKS is unusable ({type(exc).__name__})") from None
    return _issuers.keys[jwks_uri]


def _kid(id_token: str) -> str | None:
    try:
        header = jws.extract_compact(id_token.encode()).protected
    except Exception:
        raise SignInFailed("the ID token is not a well-formed JWT") from None
    kid = header.get("kid")
    return kid if isinstance(kid, str) else None


async def verify_id_token(id_token: str, *, issuer: str, client_id: str, nonce: str,
                          jwks_uri: str) -> dict[str, Any]:
    """The ID token's claims, once its signature (by a key in the issuer's JWKS, read again when the token names a
    key not yet seen: rotation), issuer, audience, expiry and nonce hold; SignInFailed naming the check otherwise."""
    keys = await _key_set(jwks_uri)
    kid = _kid(id_token)
    if kid is not None and all(key.kid != kid for key in keys.keys):
        keys = await _key_set(jwks_uri, fresh=True)
    try:
        token = jwt.decode(id_token, keys, algorithms=ALGORITHMS)
    except (JoseError, ValueError) as exc:
        raise SignInFailed(f"the ID token's signature does not verify ({type(exc).__name__})") from None
    claims = dict(token.claims)
    registry = jwt.JWTClaimsRegistry(
        now=int(clock.now().timestamp()), leeway=60,
        iss={"essential": True, "value": issuer},
        aud={"essential": True, "value": client_id},
        sub={"essential": True},
        exp={"essential": True},
        iat={"essential": True},
        nonce={"essential": True, "value": nonce},
    )
    try:
        registry.validate(claims)
    except JoseError as exc:
        raise SignInFailed(f"the ID token failed a check: {exc.error} {exc.description or ''}".strip()) from None
    audiences = claims["aud"] if isinstance(claims["aud"], list) else [claims["aud"]]
    if len(audiences) > 1 and claims.get("azp") != client_id:
        raise SignInFailed("the ID token was issued to another party (azp)")
    return claims


async def start(organisation_id: UUID) -> str:
    """Begin a sign-in for the organisation: the issuer's authorization URL to send the browser to."""
    provider = await IdentityProvider.filter(organisation_id=organisation_id).first()
    if provider is None:
        raise NotFound("no sign-in is set up for this organisation")
    document = await discover(provider.issuer)
    state, nonce, verifier = secrets.token_urlsafe(32), secrets.token_urlsafe(32), secrets.token_urlsafe(64)
    # sign-ins never completed are of no use once too old: each new one clears them away
    await SignIn.filter(created_at__lt=clock.now() - timedelta(minutes=current().settings.sign_in_minutes)).delete()
    await SignIn.create(organisation_id=organisation_id, state_hash=_hash(state), nonce=nonce,
                        code_verifier=verifier)
    query = urlencode({
        "response_type": "code", "client_id": provider.client_id, "redirect_uri": redirect_uri(),
        "scope": "openid email profile" + (" groups" if provider.role_claim == "groups" else ""),
        "state": state, "nonce": nonce, "code_challenge": pkce_challenge(verifier), "code_challenge_method": "S256",
    })
    return f"{document['authorization_endpoint']}?{query}"


@dataclass(frozen=True)
class Identity:
    organisation_id: UUID
    issuer: str
    claims: dict[str, Any]
    role_claim: str
    role_map: dict[str, str]


async def _claim_sign_in(state: str) -> SignIn:
    row = await SignIn.filter(state_hash=_hash(state)).first()
    window = timedelta(minutes=current().settings.sign_in_minutes)
    if row is None or row.used_at is not None or clock.now() - row.created_at > window:
        raise SignInFailed("this sign-in is unknown, already used or too old: start again")
    # used once: of two callbacks with the same state (a replay), only the first goes on
    if await SignIn.filter(id=row.id, used_at__isnull=True).update(used_at=clock.now()) != 1:
        raise SignInFailed("this sign-in is unknown, already used or too old: start again")
    return row


async def finish(state: str, code: str, *, iss: str | None = None) -> Identity:
    """Complete a sign-in: exchange the code (with the PKCE verifier) and check the ID token. Who it is, or
    SignInFailed."""
    sign_in = await _claim_sign_in(state)
    organisation_id: UUID = sign_in.organisation_id  # type: ignore[attr-defined]
    provider = await IdentityProvider.filter(organisation_id=organisation_id).first()
    if provider is None:
        raise SignInFailed("sign-in is no longer set up for this organisation")
    # RFC 9207: an issuer that says who it is must be the one this sign-in went to (mix-up defence)
    if iss is not None and iss != provider.issuer:
        raise SignInFailed("the answer came from another issuer")
    document = await discover(provider.issuer)
    form = {"grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri(),
            "code_verifier": sign_in.code_verifier, "client_id": provider.client_id}
    auth = (provider.client_id, unseal(provider.client_secret_sealed)) if provider.client_secret_sealed else None
    try:
        async with httpx.AsyncClient(timeout=HTTP_TIMEOUT) as http:
            response = await http.post(document["token_endpoint"], data=form, auth=auth,  # type: ignore[arg-type]
                                       headers={"Accept": "application/json"})
        answer = response.json()
    except (httpx.HTTPError, ValueError) as exc:
        raise SignInFailed(f"the issuer's token endpoint could not be reached ({type(exc).__name__})") from None
    if response.status_code != 200 or not isinstance(answer, dict) or not isinstance(answer.get("id_token"), str):
        error = answer.get("error") if isinstance(answer, dict) else None
        raise SignInFailed(f"the issuer refused the code ({error or response.status_code})")
    claims = await verify_id_token(answer["id_token"], issuer=provider.issuer, client_id=provider.client_id,
                                   nonce=sign_in.nonce, jwks_uri=document["jwks_uri"])
    return Identity(organisation_id=organisation_id, issuer=provider.issuer, claims=claims,
                    role_claim=provider.role_claim, role_map=dict(provider.role_map))


def mapped_role(identity: Identity, allowed: frozenset[Role]) -> Role | None:
    """The role the organisation's mapping gives the person's groups (the first mapped group they hold), if any."""
    held = identity.claims.get(identity.role_claim)
    values = {held} if isinstance(held, str) else {v for v in held if isinstance(v, str)} if isinstance(
        held, list) else set()
    for group, role in identity.role_map.items():
        if group in values and Role(role) in allowed:
            return Role(role)
    return None
