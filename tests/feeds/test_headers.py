"""Header parsing behind polling hints, and the error-code table."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from feeds import errors
from feeds._headers import parse_max_age, parse_retry_after

NOW = datetime(2025, 3, 20, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("value", "delay"),
    [("120", timedelta(seconds=120)), (" 0 ", timedelta(0)),
     ("Thu, 20 Mar 2025 12:30:00 GMT", timedelta(minutes=30)),
     ("Thu, 20 Mar 2025 11:00:00 GMT", timedelta(0)),  # already past
     ("soon", None), ("-5", None), ("", None), (None, None)],
)  # fmt: skip
def test_retry_after(value, delay):
    assert parse_retry_after(value, now=NOW) == delay


@pytest.mark.parametrize(
    ("value", "age"),
    [("max-age=600", timedelta(minutes=10)), ("public, Max-Age=60, must-revalidate", timedelta(minutes=1)),
     ('max-age="30"', timedelta(seconds=30)), ("s-maxage=100", None), ("no-cache, max-age=600", None),
     ("no-store", None), ("private", None), (None, None)],
)  # fmt: skip
def test_max_age(value, age):
    assert parse_max_age(value) == age


def test_every_leaf_has_its_own_permanent_code():
    leaves = [
        errors.FetchTimeout, errors.ConnectFailed, errors.DnsFailure, errors.TooManyRedirects,
        errors.PrivateAddressRefused, errors.BodyTooLarge, errors.TransferFailed, errors.BadContentEncoding,
        errors.InvalidURL, errors.NotFound, errors.Gone, errors.ServerError, errors.RateLimited,
        errors.EmptyBody, errors.NotAFeed,
    ]  # fmt: skip
    codes = [leaf.code for leaf in leaves]
    assert len(set(codes)) == len(codes)
    assert set(codes) <= errors.ERROR_CODES
    assert all(code.isidentifier() and code == code.lower() for code in errors.ERROR_CODES)
    assert all(issubclass(leaf, errors.FeedError) for leaf in leaves)
