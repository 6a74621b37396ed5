"""Fetching a feed: conditional GET, guarded redirects, a capped body and one error mapping."""

from __future__ import annotations

import asyncio
import socket
import ssl
from datetime import timedelta
from urllib.parse import urljoin

import certifi
import httpx

from feeds._body import read_capped
from feeds._headers import conditional_headers, parse_max_age, parse_retry_after, response_validators
from feeds.errors import (
    ConnectFailed,
    DnsFailure,
    FeedError,
    FetchError,
    FetchTimeout,
    Gone,
    HTTPStatusError,
    InvalidURL,
    NotFound,
    RateLimited,
    ServerError,
    TLSFailure,
    TooManyRedirects,
    TransferFailed,
)
from feeds.guard import public_only_transport
from feeds.models import CacheValidators, Fetched, NotModified
from feeds.safety import check_url_allowed
from model.settings import FetchLimits

__all__ = ["ACCEPT", "build_client", "convert_http_error", "fetch_feed"]

ACCEPT = (
    "application/rss+xml, application/atom+xml, application/rdf+xml, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5"
)
_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_PERMANENT = frozenset({301, 308})
_DNS_HINTS = ("name or service not known", "nodename nor servname", "name resolution", "no address assoc")


def build_client(
    limits: FetchLimits, *, max_connections: int, transport: httpx.AsyncBaseTransport | None = None
) -> httpx.AsyncClient:
    """The one shared client; redirects are followed by ``fetch_feed`` so each hop is checked.

    Unless private addresses are allowed, connections go only to addresses checked at connect time
    (feeds/guard.py), so a host cannot be re-pointed at a private address after ``check_url_allowed``.
    """
    pool_limits = httpx.Limits(max_connections=max_connections, max_keepalive_connections=max_connections)
    context = tls_context(limits.ca_bundle)
    if transport is None and not limits.allow_private_addresses:
        transport = public_only_transport(pool_limits, ssl_context=context)
    return httpx.AsyncClient(
        timeout=httpx.Timeout(
            connect=limits.connect_timeout,
            read=limits.read_timeout,
            write=limits.read_timeout,
            pool=limits.total_timeout,
        ),
        limits=pool_limits,
        follow_redirects=False,
        headers={"User-Agent": limits.user_agent, "Accept": ACCEPT},
        transport=transport,
        verify=context,
    )


def tls_context(ca_bundle: str | None) -> ssl.SSLContext:
    """certifi's CAs, plus the PEM file ``feeds.ca_bundle`` names (a private CA behind a corporate proxy)."""
    context = ssl.create_default_context(cafile=certifi.where())
    if ca_bundle:
        context.load_verify_locations(cafile=ca_bundle)
    return context


async def fetch_feed(
    client: httpx.AsyncClient, url: str, validators: CacheValidators, limits: FetchLimits, *, accept: str = ACCEPT
) -> Fetched | NotModified:
    """GET ``url`` once within ``limits``; a FeedError leaf for every failure. Article pages and robots.txt
    come through here too (another ``accept``), so they share every guard a feed has."""
    try:
        async with asyncio.timeout(limits.total_timeout):
            return await _follow(client, url, validators, limits, accept)
    except TimeoutError as exc:
        raise FetchTimeout(f"{url}: no complete response within {limits.total_timeout:g}s") from exc


async def _follow(
    client: httpx.AsyncClient, url: str, validators: CacheValidators, limits: FetchLimits, accept: str
) -> Fetched | NotModified:
    headers = {
        "User-Agent": limits.user_agent,
        "Accept": accept,
        # Only encodings feeds/_body.py inflates under the cap.
        "Accept-Encoding": "gzip, deflate",
        **conditional_headers(validators),
    }
    current = url
    seen = {url}
    all_permanent = True
    for _hop in range(limits.max_redirects + 1):
        await check_url_allowed(current, allow_private=limits.allow_private_addresses)
        try:
            async with client.stream("GET", current, headers=headers) as response:
                location = response.headers.get("location")
                if response.status_code not in _REDIRECTS or not location:
                    moved = current if all_permanent and current != url else None
                    return await _finish(response, current, moved, validators, limits)
                all_permanent = all_permanent and response.status_code in _PERMANENT
                target = urljoin(current, location.strip())
        except httpx.HTTPError as exc:
            raise convert_http_error(exc, current) from exc
        if target in seen:
            raise TooManyRedirects(f"{url}: redirect loop back to {target}")
        seen.add(target)
        current = target
    raise TooManyRedirects(f"{url}: more than {limits.max_redirects} redirects")


async def _finish(
    response: httpx.Response,
    url: str,
    moved: str | None,
    validators: CacheValidators,
    limits: FetchLimits,
) -> Fetched | NotModified:
    status = response.status_code
    max_age = parse_max_age(response.headers.get("cache-control"))
    retry_after = parse_retry_after(response.headers.get("retry-after"))
    if status == 304:
        return NotModified(
            url=url,
            validators=response_validators(response, validators),
            permanent_redirect=moved,
            max_age=max_age,
        )
    if not 200 <= status < 300:
        raise status_error(status, url, retry_after)
    body = await read_capped(response, limits.max_body_bytes)
    return Fetched(
        url=url,
        body=body,
        content_type=response.headers.get("content-type"),
        validators=response_validators(response),
        permanent_redirect=moved,
        max_age=max_age,
        retry_after=retry_after,
    )


def status_error(status: int, url: str, retry_after: timedelta | None = None) -> HTTPStatusError:
    """The typed error for a non-2xx, non-304 final status."""
    message = f"{url}: HTTP {status}"
    if status == 404:
        return NotFound(message, status=status)
    if status == 410:
        return Gone(message, status=status)
    if status == 429:
        return RateLimited(message, status=status, retry_after=retry_after)
    if status >= 500:
        return ServerError(message, status=status, retry_after=retry_after)
    return HTTPStatusError(message, status=status, retry_after=retry_after)


def convert_http_error(exc: httpx.HTTPError, url: str) -> FeedError:
    """The only place httpx errors become FeedError leaves; callers ``raise ... from exc``."""
    detail = f"{url}: {type(exc).__name__}: {exc or 'no detail'}"
    if isinstance(exc, httpx.TimeoutException):
        return FetchTimeout(detail)
    if isinstance(exc, httpx.ConnectError) and _caused_by(exc, ssl.SSLError):
        return TLSFailure(detail)
    if isinstance(exc, httpx.ConnectError):
        return DnsFailure(detail) if _is_name_resolution(exc) else ConnectFailed(detail)
    if isinstance(exc, httpx.UnsupportedProtocol | httpx.InvalidURL):
        return InvalidURL(detail)
    if isinstance(exc, httpx.TooManyRedirects):
        return TooManyRedirects(detail)
    if isinstance(exc, httpx.TransportError):  # read/write errors, protocol errors, dropped connections
        return TransferFailed(detail)
    return FetchError(detail)


def _caused_by(exc: BaseException, kind: type[BaseException]) -> bool:
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        if isinstance(current, kind):
            return True
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    # httpcore re-raises ssl errors as ConnectError carrying only the message
    return kind is ssl.SSLError and "certificate verify failed" in str(exc).lower()


def _is_name_resolution(exc: BaseException) -> bool:
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        if isinstance(current, socket.gaierror):
            return True
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    # httpcore may re-raise with only the message left
    text = str(exc).lower()
    return any(hint in text for hint in _DNS_HINTS)
