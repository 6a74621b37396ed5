"""Typed feed errors. Each leaf has a permanent snake_case ``code`` stored on the feed row.

FeedError
├── FetchError
│   ├── FetchTimeout          "timeout"
│   ├── ConnectFailed         "connect_failed"
│   ├── DnsFailure            "dns_failure"
│   ├── TooManyRedirects      "redirect_loop"
│   ├── PrivateAddressRefused "private_address"
│   ├── BodyTooLarge          "too_large"
│   ├── TransferFailed        "transfer_failed"  (connection dropped or broken HTTP mid-response)
│   ├── BadContentEncoding    "bad_content_encoding"  (gzip/deflate body that does not inflate)
│   ├── HTTPStatusError       "http_error"
│   │   ├── NotFound          "not_found"
│   │   ├── Gone              "gone"
│   │   ├── ServerError       "server_error"
│   │   └── RateLimited       "rate_limited"
│   │   (every HTTPStatusError has ``status`` and ``retry_after``, parsed from Retry-After)
│   └── InvalidURL            "invalid_url"
├── ParseError
│   ├── EmptyBody             "empty_body"
│   └── NotAFeed              "not_a_feed"
└── UnexpectedFeedError       "unexpected"  (a bug of ours met while handling this feed; logged in full)
"""

from __future__ import annotations

from datetime import timedelta


class FeedError(Exception):
    """Base of every error a feed can cause; ``code`` is stored, ``str(err)`` is logged."""

    code = "feed_error"


class UnexpectedFeedError(FeedError):
    code = "unexpected"


class FetchError(FeedError):
    code = "fetch_error"


class FetchTimeout(FetchError):
    code = "timeout"


class ConnectFailed(FetchError):
    code = "connect_failed"


class DnsFailure(FetchError):
    code = "dns_failure"


class TLSFailure(FetchError):
    """The server's certificate was refused (self-signed, expired, wrong host, unknown CA; see feeds.ca_bundle)."""

    code = "tls"


class TooManyRedirects(FetchError):
    code = "redirect_loop"


class PrivateAddressRefused(FetchError):
    code = "private_address"


class BodyTooLarge(FetchError):
    code = "too_large"


class TransferFailed(FetchError):
    code = "transfer_failed"


class BadContentEncoding(FetchError):
    code = "bad_content_encoding"


class InvalidURL(FetchError):
    code = "invalid_url"


class HTTPStatusError(FetchError):
    code = "http_error"

    def __init__(self, message: str, *, status: int, retry_after: timedelta | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.retry_after = retry_after  # from Retry-After, e.g. on a 503


class NotFound(HTTPStatusError):
    code = "not_found"


class Gone(HTTPStatusError):
    code = "gone"


class ServerError(HTTPStatusError):
    code = "server_error"


class RateLimited(HTTPStatusError):
    code = "rate_limited"

    def __init__(self, message: str, *, status: int = 429, retry_after: timedelta | None = None) -> None:
        super().__init__(message, status=status, retry_after=retry_after)


class ParseError(FeedError):
    code = "parse_error"


class EmptyBody(ParseError):
    code = "empty_body"


class NotAFeed(ParseError):
    code = "not_a_feed"


def _family(cls: type[FeedError]) -> list[type[FeedError]]:
    return [cls, *(sub for child in cls.__subclasses__() for sub in _family(child))]


# Walked, not listed, so a new leaf cannot be forgotten.
ERROR_CODES: frozenset[str] = frozenset(cls.code for cls in _family(FeedError))
