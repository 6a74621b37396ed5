"""fetch_feed against the real loopback feed server."""

from __future__ import annotations

import dataclasses
import tracemalloc
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from feeds.errors import (
    BodyTooLarge,
    ConnectFailed,
    DnsFailure,
    FetchTimeout,
    Gone,
    HTTPStatusError,
    InvalidURL,
    NotFound,
    PrivateAddressRefused,
    RateLimited,
    ServerError,
    TooManyRedirects,
    TransferFailed,
)
from feeds.fetch import build_client, fetch_feed
from feeds.models import CacheValidators, Fetched, NotModified
from testkit.feedserver import DATA_DIR, FeedServer, build_rss
from testkit.ports import refused_port

NONE = CacheValidators()


async def test_fetches_a_file_with_a_descriptive_user_agent(feed_server, client, limits):
    url = feed_server.url("/data/rss2.xml")
    result = await fetch_feed(client, url, NONE, limits)
    assert isinstance(result, Fetched)
    assert result.body == (DATA_DIR / "rss2.xml").read_bytes()
    assert result.url == url
    assert result.permanent_redirect is None
    seen = feed_server.requests_for("/data/rss2.xml")[-1].headers
    assert seen["user-agent"] == limits.user_agent
    assert "Coopwatch" in seen["user-agent"]
    assert "if-none-match" not in seen


async def test_conditional_get_sends_validators_and_maps_304(feed_server, client, limits):
    url = feed_server.set_feed("/cond/feed.xml", build_rss(5, feed_id="cond"))
    first = await fetch_feed(client, url, NONE, limits)
    assert isinstance(first, Fetched)
    assert first.validators.etag and first.validators.last_modified

    second = await fetch_feed(client, url, first.validators, limits)
    assert isinstance(second, NotModified)
    assert second.validators == first.validators
    sent = feed_server.requests_for("/cond/feed.xml")[-1].headers
    assert sent["if-none-match"] == first.validators.etag
    assert sent["if-modified-since"] == first.validators.last_modified


async def test_if_modified_since_alone_gets_304_and_a_change_gets_200(feed_server, client, limits):
    url = feed_server.set_feed("/cond/lm.xml", build_rss(2, feed_id="lm"))
    first = await fetch_feed(client, url, NONE, limits)
    only_date = CacheValidators(last_modified=first.validators.last_modified)
    assert isinstance(await fetch_feed(client, url, only_date, limits), NotModified)

    later = datetime.now(UTC) + timedelta(hours=1)
    feed_server.set_feed("/cond/lm.xml", build_rss(3, feed_id="lm"), last_modified=later)
    changed = await fetch_feed(client, url, first.validators, limits)
    assert isinstance(changed, Fetched)
    assert changed.validators.etag != first.validators.etag


async def test_cache_control_max_age_is_reported(feed_server, client, limits):
    url = feed_server.set_feed(
        "/cache/feed.xml", build_rss(1, feed_id="cache"), headers={"Cache-Control": "public, max-age=900"}
    )
    result = await fetch_feed(client, url, NONE, limits)
    assert result.max_age == timedelta(seconds=900)


async def test_gzip_encoded_feed_is_inflated(feed_server, client, limits):
    body = build_rss(30, feed_id="gz")
    url = feed_server.set_feed("/gz/feed.xml", body, gzip_body=True)
    result = await fetch_feed(client, url, NONE, limits)
    assert result.body == body
    assert "gzip" in feed_server.requests_for("/gz/feed.xml")[-1].headers["accept-encoding"]


async def test_connection_refused(client, limits):
    with refused_port() as port, pytest.raises(ConnectFailed) as caught:
        await fetch_feed(client, f"http://127.0.0.1:{port}/feed.xml", NONE, limits)
    assert caught.value.code == "connect_failed"
    assert isinstance(caught.value.__cause__, httpx.ConnectError)


@pytest.mark.parametrize("allow_private", [True, False])
async def test_dns_failure(client, limits, allow_private):
    # With allow_private the name reaches httpx; without it our own resolution fails first.
    strict = dataclasses.replace(limits, allow_private_addresses=allow_private)
    with pytest.raises(DnsFailure) as caught:
        await fetch_feed(client, "http://coopwatch-feed-test.invalid/rss", NONE, strict)
    assert caught.value.code == "dns_failure"


async def test_read_timeout(feed_server, limits):
    quick = dataclasses.replace(limits, read_timeout=0.3)
    async with build_client(quick, max_connections=2) as client:
        with pytest.raises(FetchTimeout) as caught:
            await fetch_feed(client, feed_server.url("/slow?delay=2&chunks=1"), NONE, quick)
    assert isinstance(caught.value.__cause__, httpx.ReadTimeout)


async def test_trickling_server_hits_the_total_timeout(feed_server, limits):
    # Each byte arrives well within the read timeout; only the total deadline can stop it.
    trickle = dataclasses.replace(limits, read_timeout=2.0, total_timeout=1.0)
    async with build_client(trickle, max_connections=2) as client:
        with pytest.raises(FetchTimeout, match="within 1s"):
            await fetch_feed(client, feed_server.url("/slow?delay=0.05"), NONE, trickle)


@pytest.mark.parametrize(
    ("status", "error", "code"),
    [(404, NotFound, "not_found"), (410, Gone, "gone"), (500, ServerError, "server_error"),
     (502, ServerError, "server_error"), (403, HTTPStatusError, "http_error")],
)  # fmt: skip
async def test_status_codes_map_to_typed_errors(feed_server, client, limits, status, error, code):
    with pytest.raises(error) as caught:
        await fetch_feed(client, feed_server.url(f"/status/{status}"), NONE, limits)
    assert type(caught.value) is error
    assert caught.value.status == status
    assert caught.value.code == code


async def test_429_carries_retry_after_seconds(feed_server, client, limits):
    with pytest.raises(RateLimited) as caught:
        await fetch_feed(client, feed_server.url("/status/429?retry_after=120"), NONE, limits)
    assert caught.value.retry_after == timedelta(seconds=120)
    assert caught.value.code == "rate_limited"


async def test_429_with_http_date_retry_after(feed_server, client, limits):
    when = (datetime.now(UTC) + timedelta(hours=2)).strftime("%a, %d %b %Y %H:%M:%S GMT")
    url = feed_server.url("/status/429?" + str(httpx.QueryParams(retry_after=when)))
    with pytest.raises(RateLimited) as caught:
        await fetch_feed(client, url, NONE, limits)
    assert timedelta(hours=1, minutes=58) < caught.value.retry_after <= timedelta(hours=2)


async def test_503_keeps_retry_after(feed_server, client, limits):
    with pytest.raises(ServerError) as caught:
        await fetch_feed(client, feed_server.url("/status/503?retry_after=30"), NONE, limits)
    assert caught.value.retry_after == timedelta(seconds=30)


async def test_redirect_loop(feed_server, client, limits):
    with pytest.raises(TooManyRedirects, match="loop") as caught:
        await fetch_feed(client, feed_server.url("/redirect-loop/a"), NONE, limits)
    assert caught.value.code == "redirect_loop"


async def test_too_many_redirects(feed_server, client, limits):
    with pytest.raises(TooManyRedirects, match="more than 5"):
        await fetch_feed(client, feed_server.url("/redirect/9"), NONE, limits)


@pytest.mark.parametrize("status", [301, 308])
async def test_permanent_redirect_reports_the_new_url(feed_server, client, limits, status):
    result = await fetch_feed(client, feed_server.url(f"/redirect/3?status={status}&to=/data/atom.xml"), NONE, limits)
    assert result.url == feed_server.url("/data/atom.xml")
    assert result.permanent_redirect == feed_server.url("/data/atom.xml")


async def test_temporary_redirect_is_followed_but_not_reported(feed_server, client, limits):
    result = await fetch_feed(client, feed_server.url("/redirect/2?status=302&to=/data/atom.xml"), NONE, limits)
    assert result.body == (DATA_DIR / "atom.xml").read_bytes()
    assert result.permanent_redirect is None


async def test_redirect_to_another_scheme_is_refused(feed_server, client, limits):
    with pytest.raises(InvalidURL):
        await fetch_feed(client, feed_server.url("/redirect/1?to=file:///etc/passwd"), NONE, limits)


async def test_redirect_hop_to_a_private_address_is_refused(limits):
    # A public server cannot run here, so only this test uses httpx's MockTransport.
    asked: list[str] = []

    def answer(request: httpx.Request) -> httpx.Response:
        asked.append(str(request.url))
        return httpx.Response(301, headers={"Location": "http://169.254.169.254/latest/meta-data"})

    strict = dataclasses.replace(limits, allow_private_addresses=False)
    async with build_client(strict, max_connections=1, transport=httpx.MockTransport(answer)) as client:
        with pytest.raises(PrivateAddressRefused, match="169.254.169.254"):
            await fetch_feed(client, "http://93.184.216.34/feed.xml", NONE, strict)
    assert asked == ["http://93.184.216.34/feed.xml"]


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost"])
async def test_private_address_refused_before_any_request(feed_server, client, limits, host):
    strict = dataclasses.replace(limits, allow_private_addresses=False)
    url = f"http://{host}:{feed_server.port}/data/private-check.xml"
    with pytest.raises(PrivateAddressRefused) as caught:
        await fetch_feed(client, url, NONE, strict)
    assert caught.value.code == "private_address"
    assert feed_server.requests_for("/data/private-check.xml") == []


@pytest.mark.parametrize("url", ["ftp://example.org/feed", "http://", "feed.xml", "http://example.org:99999/"])
async def test_invalid_urls(client, limits, url):
    with pytest.raises(InvalidURL):
        await fetch_feed(client, url, NONE, limits)


async def test_gzip_bomb_stops_at_the_cap_without_inflating_it(feed_server, client, limits):
    tracemalloc.start()
    try:
        with pytest.raises(BodyTooLarge, match="inflates past"):
            await fetch_feed(client, feed_server.url("/gzip-bomb?size=67108864"), NONE, limits)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    # 64 MiB hidden in the bomb; we hold at most about the 1 MiB cap.
    assert peak < 8 * 1024 * 1024


@pytest.mark.parametrize("chunked", ["0", "1"])
async def test_body_over_the_cap(feed_server, client, limits, chunked):
    url = feed_server.url(f"/oversize?size={2 * limits.max_body_bytes}&chunked={chunked}")
    with pytest.raises(BodyTooLarge) as caught:
        await fetch_feed(client, url, NONE, limits)
    assert caught.value.code == "too_large"


async def test_body_at_the_cap_is_accepted(feed_server, client, limits):
    body = build_rss(10, feed_id="cap")
    exact = dataclasses.replace(limits, max_body_bytes=len(body))
    url = feed_server.set_feed("/cap/feed.xml", body, gzip_body=True)
    assert (await fetch_feed(client, url, NONE, exact)).body == body
    with pytest.raises(BodyTooLarge):
        await fetch_feed(client, url, NONE, dataclasses.replace(limits, max_body_bytes=len(body) - 1))


async def test_connection_dropped_mid_body(feed_server, client, limits):
    with pytest.raises(TransferFailed) as caught:
        await fetch_feed(client, feed_server.url("/drop"), NONE, limits)
    assert caught.value.code == "transfer_failed"


async def test_html_and_empty_bodies_are_fetched_for_the_parser_to_judge(feed_server, client, limits):
    html = await fetch_feed(client, feed_server.url("/html"), NONE, limits)
    assert html.content_type.startswith("text/html")
    empty = await fetch_feed(client, feed_server.url("/empty"), NONE, limits)
    assert empty.body == b""


def test_server_can_be_used_outside_the_fixture():
    with FeedServer() as server:
        url = server.set_feed("feed.xml", build_rss(2), gzip_body=True)
        response = httpx.get(url)
        assert response.content == build_rss(2)
        assert response.headers["content-encoding"] == "gzip"
        assert server.requests_for("/feed.xml")[0].headers["host"].startswith("127.0.0.1")
