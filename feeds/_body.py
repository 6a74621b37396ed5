"""Reading a response body under a byte cap that counts decompressed bytes.

We inflate gzip/deflate ourselves with ``max_length`` so a gzip bomb never produces more than
the cap plus one byte in memory: httpx's decoder would inflate each network chunk in full first
(about 1000x its size).
"""

from __future__ import annotations

import zlib

import httpx

from feeds.errors import BadContentEncoding, BodyTooLarge

_GZIP = ("gzip", "x-gzip")
_DEFLATE = ("deflate",)


class _Inflater:
    def __init__(self, encoding: str) -> None:
        self._gzip = encoding in _GZIP
        self._obj = zlib.decompressobj(16 + zlib.MAX_WBITS if self._gzip else zlib.MAX_WBITS)
        self._started = False

    def inflate(self, data: bytes, budget: int) -> bytes:
        """At most ``budget + 1`` bytes: one past the budget is enough to know it is too large."""
        try:
            out = self._obj.decompress(data, budget + 1)
        except zlib.error:
            if self._gzip or self._started:
                raise
            # Some servers send raw deflate without the zlib header.
            self._obj = zlib.decompressobj(-zlib.MAX_WBITS)
            out = self._obj.decompress(data, budget + 1)
        self._started = True
        return out

    def flush(self) -> bytes:
        return self._obj.flush()


async def read_capped(response: httpx.Response, cap: int) -> bytes:
    """The decoded body, or BodyTooLarge as soon as more than ``cap`` bytes have arrived."""
    url = str(response.request.url)
    length = response.headers.get("content-length", "")
    encoding = response.headers.get("content-encoding", "identity").strip().lower()
    if encoding in ("", "identity") and length.isdigit() and int(length) > cap:
        raise BodyTooLarge(f"{url} announces {int(length)} bytes, over the {cap}-byte cap")
    if encoding in _GZIP + _DEFLATE:
        return await _read_inflated(response, encoding, cap, url)
    # identity, or an encoding httpx decodes itself (br, zstd when installed)
    chunks: list[bytes] = []
    total = 0
    try:
        async for chunk in response.aiter_bytes():
            total += len(chunk)
            if total > cap:
                raise BodyTooLarge(f"{url} sent more than {cap} bytes")
            chunks.append(chunk)
    except httpx.DecodingError as exc:
        raise BadContentEncoding(f"{url}: cannot decode {encoding} body: {exc}") from exc
    return b"".join(chunks)


async def _read_inflated(response: httpx.Response, encoding: str, cap: int, url: str) -> bytes:
    inflater = _Inflater(encoding)
    chunks: list[bytes] = []
    total = raw_total = 0
    try:
        async for raw in response.aiter_raw():
            raw_total += len(raw)
            if raw_total > cap:
                raise BodyTooLarge(f"{url} sent more than {cap} compressed bytes")
            out = inflater.inflate(raw, cap - total)
            total += len(out)
            if total > cap:
                raise BodyTooLarge(f"{url} inflates past the {cap}-byte cap ({encoding})")
            chunks.append(out)
        tail = inflater.flush()
    except zlib.error as exc:
        raise BadContentEncoding(f"{url}: broken {encoding} body: {exc}") from exc
    if total + len(tail) > cap:
        raise BodyTooLarge(f"{url} inflates past the {cap}-byte cap ({encoding})")
    chunks.append(tail)
    return b"".join(chunks)
