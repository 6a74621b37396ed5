"""check_url_allowed and the address classification behind it."""

from __future__ import annotations

import ipaddress

import pytest

from feeds.errors import DnsFailure, InvalidURL, PrivateAddressRefused
from feeds.safety import check_url_allowed, is_public_address


@pytest.mark.parametrize(
    "address",
    ["127.0.0.1", "10.0.0.5", "172.16.3.4", "192.168.1.1", "169.254.169.254", "100.64.0.1", "0.0.0.0",
     "224.0.0.251", "240.0.0.1", "255.255.255.255", "192.0.2.10", "198.18.0.1", "::1", "::", "fe80::1",
     "fc00::1", "ff02::1", "::ffff:127.0.0.1", "::ffff:10.0.0.1", "2002:7f00:1::1", "64:ff9b::a00:1"],
)  # fmt: skip
def test_non_public_addresses(address):
    assert not is_public_address(ipaddress.ip_address(address))


@pytest.mark.parametrize("address", ["93.184.216.34", "8.8.8.8", "2001:4860:4860::8888", "::ffff:8.8.8.8"])
def test_public_addresses(address):
    assert is_public_address(ipaddress.ip_address(address))


@pytest.mark.parametrize(
    "url",
    ["http://127.0.0.1/feed", "http://[::1]:8080/feed", "https://169.254.169.254/latest", "http://localhost/x",
     "http://[::ffff:127.0.0.1]/", "http://100.64.1.2/rss", "http://0.0.0.0:80/"],
)  # fmt: skip
async def test_private_urls_are_refused(url):
    with pytest.raises(PrivateAddressRefused):
        await check_url_allowed(url, allow_private=False)


async def test_private_urls_are_allowed_when_configured():
    await check_url_allowed("http://127.0.0.1:8080/feed", allow_private=True)


async def test_public_literal_passes():
    await check_url_allowed("https://93.184.216.34/feed.xml", allow_private=False)


@pytest.mark.parametrize(
    "url", ["ftp://example.org/feed", "file:///etc/passwd", "javascript:alert(1)", "http:///nohost", "example.org"]
)
@pytest.mark.parametrize("allow_private", [True, False])
async def test_bad_urls(url, allow_private):
    with pytest.raises(InvalidURL):
        await check_url_allowed(url, allow_private=allow_private)


async def test_unresolvable_name():
    with pytest.raises(DnsFailure, match="coopwatch-nowhere.invalid"):
        await check_url_allowed("https://coopwatch-nowhere.invalid/rss", allow_private=False)
