"""WebSub (W3C Recommendation) from the subscriber's side: the subscribe request and the push signature.

The hub URL comes from a feed, so it goes through the same address guard as any feed URL.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import timedelta

import httpx

from feeds.errors import FeedError
from feeds.fetch import convert_http_error
from feeds.safety import check_url_allowed
from model.settings import FetchLimits

__all__ = ["HubRefused", "SignatureInvalid", "check_signature", "new_secret", "request_subscription"]

# The methods the spec names for X-Hub-Signature; sha1 stays only because hubs in the wild still send it.
_METHODS = {"sha1": hashlib.sha1, "sha256": hashlib.sha256, "sha384": hashlib.sha384, "sha512": hashlib.sha512}


class HubRefused(FeedError):
    """The hub did not accept the subscription request (not 202 or 204)."""

    code = "hub_refused"


class SignatureInvalid(FeedError):
    """A push whose X-Hub-Signature is missing, malformed or wrong: ignored."""

    code = "bad_signature"


def new_secret() -> str:
    return secrets.token_hex(32)  # 64 characters, under the spec's 200-byte limit


async def request_subscription(
    client: httpx.AsyncClient,
    hub: str,
    *,
    topic: str,
    callback: str,
    secret: str,
    lease: timedelta,
    limits: FetchLimits,
    mode: str = "subscribe",
) -> None:
    """Ask ``hub`` to push ``topic`` to ``callback``; the hub then verifies the intent with a GET (the receiver)."""
    await check_url_allowed(hub, allow_private=limits.allow_private_addresses)
    form = {"hub.mode": mode, "hub.topic": topic, "hub.callback": callback}
    if mode == "subscribe":
        form |= {"hub.secret": secret, "hub.lease_seconds": str(int(lease.total_seconds()))}
    try:
        response = await client.post(hub, data=form, timeout=limits.total_timeout)
    except httpx.HTTPError as exc:
        raise convert_http_error(exc, hub) from exc
    if response.status_code not in (202, 204):
        raise HubRefused(f"{hub}: HTTP {response.status_code} to {mode} {topic}: {response.text[:200]!r}")


def check_signature(secret: str, header: str | None, body: bytes) -> None:
    """Raise SignatureInvalid unless ``header`` ("sha256=<hex>") is the HMAC of ``body`` under ``secret``."""
    if not header or "=" not in header:
        raise SignatureInvalid("no X-Hub-Signature on a push to a subscription that has a secret")
    method, _, given = header.partition("=")
    digest = _METHODS.get(method.strip().lower())
    if digest is None:
        raise SignatureInvalid(f"unknown X-Hub-Signature method {method[:16]!r}")
    expected = hmac.new(secret.encode(), body, digest).hexdigest()
    if not hmac.compare_digest(expected, given.strip().lower()):
        raise SignatureInvalid("X-Hub-Signature does not match the body")
