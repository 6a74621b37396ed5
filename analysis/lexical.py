"""Character n-grams of the whole text, hashed: the lexical half of the classifier.

The embedder reads only the headline and the start of the lead (it costs about a millisecond a token). The
n-grams read the whole title and summary for a fraction of that, and they work in every script: a stem such as
"землетрясен" or "zilzila" is shared by its inflected forms, and Chinese characters are n-grams by themselves.
Words are padded with spaces and cut into 3- to 5-character pieces, hashed with CRC-32 into a fixed table,
weighted by sublinear term frequency times inverse document frequency, and L2-normalised.
"""

from __future__ import annotations

import math
import zlib
from collections import Counter
from collections.abc import Sequence

import numpy as np

BUCKETS = 1 << 18  # hash table size: collisions stay rare at the corpus's few hundred thousand distinct n-grams
NGRAM_SIZES = (3, 4, 5)
LEXICAL_CHARS = 1000  # the title and summary beyond this add little and cost time


def ngram_counts(text: str) -> Counter[int]:
    """Hashed character n-grams of every word (padded with spaces) and their counts."""
    counts: Counter[int] = Counter()
    for word in text[:LEXICAL_CHARS].lower().split():
        padded = f" {word} "
        for n in NGRAM_SIZES:
            if len(padded) < n:
                break
            for i in range(len(padded) - n + 1):
                counts[zlib.crc32(padded[i : i + n].encode()) & (BUCKETS - 1)] += 1
    return counts


def fit_idf(texts: Sequence[str]) -> np.ndarray:
    """Smoothed inverse document frequency of every bucket over the training texts."""
    df = np.zeros(BUCKETS, dtype=np.float64)
    for text in texts:
        df[list(ngram_counts(text))] += 1
    return (np.log((1 + len(texts)) / (1 + df)) + 1).astype(np.float32)


def features(text: str, idf: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """One text as (bucket indices, weights): sublinear tf times idf, L2-normalised."""
    counts = ngram_counts(text)
    if not counts:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
    idx = np.fromiter(counts, dtype=np.int64, count=len(counts))
    tf = np.fromiter((1.0 + math.log(c) for c in counts.values()), dtype=np.float32, count=len(counts))
    values = tf * idf[idx]
    return idx, values / max(float(np.linalg.norm(values)), 1e-9)


def feature_matrix(texts: Sequence[str], idf: np.ndarray):  # -> scipy.sparse.csr_matrix
    """The texts as a sparse matrix, for training (scipy comes with scikit-learn, a training dependency)."""
    from scipy.sparse import csr_matrix

    indptr, indices, data = [0], [], []
    for text in texts:
        idx, values = features(text, idf)
        indices.append(idx)
        data.append(values)
        indptr.append(indptr[-1] + len(idx))
    return csr_matrix(
        (
            np.concatenate(data) if data else np.zeros(0, np.float32),
            np.concatenate(indices) if indices else np.zeros(0, np.int64),
            np.array(indptr),
        ),
        shape=(len(texts), BUCKETS),
    )


def scores(text: str, idf: np.ndarray, weights: np.ndarray, bias: np.ndarray) -> np.ndarray:
    """Logits of every head for one text: (heads,)."""
    idx, values = features(text, idf)
    return weights[:, idx].astype(np.float32) @ values + bias
