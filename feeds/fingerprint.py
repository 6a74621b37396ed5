"""Text fingerprints: an exact content hash and a 64-bit simhash for near-duplicates.

The simhash is Charikar's: each word bigram votes on 64 bits with its hash; a bit is set when
most shingles have it. Lightly edited copies of a story differ in a few bits; unrelated texts in
about 32. Values are signed 64-bit ints so they fit a BigInteger column; ``simhash_bands`` cuts
one into four 16-bit bands (two texts within Hamming distance 3 share at least one band).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence

import numpy as np

from model.items import simhash_bands

__all__ = ["content_hash", "fold", "hamming", "simhash", "simhash_bands", "simhashes"]

_MASK = (1 << 64) - 1
# A CJK character is a word by itself; other scripts split on non-word characters.
_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff"
_TOKEN = re.compile(rf"[{_CJK}]|[^\W{_CJK}]+")
_SPACE = re.compile(r"\s+")
_blake2b = hashlib.blake2b


def fold(text: str) -> str:
    """Casefolded, whitespace collapsed: the form both fingerprints are taken of."""
    return _SPACE.sub(" ", text.casefold()).strip()


def content_hash(title: str, summary: str) -> str:
    """sha256 hex of the folded title and summary."""
    return hashlib.sha256(f"{fold(title)}\n{fold(summary)}".encode()).hexdigest()


def simhash(text: str) -> int:
    """The 64-bit simhash of ``text`` over word bigrams, as a signed int (0 for no words)."""
    return simhashes([text])[0]


def simhashes(texts: Sequence[str]) -> list[int]:
    """``simhash`` of each text; a feed's entries at once cost one numpy pass, not one each."""
    counts: list[int] = []
    digests: list[bytes] = []
    for text in texts:
        tokens = _TOKEN.findall(text.casefold())
        shingles = [f"{a} {b}" for a, b in zip(tokens, tokens[1:], strict=False)] or tokens
        counts.append(len(shingles))
        digests += [_blake2b(s.encode(), digest_size=8).digest() for s in shingles]
    if not digests:
        return [0] * len(counts)
    bits = np.unpackbits(np.frombuffer(b"".join(digests), dtype=np.uint8)).reshape(len(digests), 64)
    sizes = np.array([n for n in counts if n], dtype=np.int64)
    starts = np.concatenate(([0], np.cumsum(sizes)[:-1]))
    votes = np.add.reduceat(bits, starts, axis=0, dtype=np.int32)  # per text: shingles with each bit set
    majorities = iter(np.packbits(votes * 2 > sizes[:, None], axis=1))
    return [int.from_bytes(next(majorities).tobytes(), "big", signed=True) if n else 0 for n in counts]


def hamming(a: int, b: int) -> int:
    """Number of differing bits between two 64-bit simhashes (signed or not)."""
    return ((a ^ b) & _MASK).bit_count()
