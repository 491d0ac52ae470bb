"""The summary's TF-IDF (``brief.tfidf``) gives scikit-learn's floats bit for bit: the same vocabulary, idf, fitted
unit rows and transformed unit rows as ``TfidfVectorizer(analyzer=..., sublinear_tf=True)`` then ``normalize``.
A scikit-learn release that changed its arithmetic, or a change here, fails this."""
import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.preprocessing import normalize

from newsfuse.brief.sentences import story_sentences, text_tokens
from newsfuse.brief.summary import _content_words
from newsfuse.brief.tfidf import fit_unit_rows
from newsfuse.nlp import word_tokens

from ..conftest import wcxb_articles


def assert_same_as_scikit_learn(docs: list, others: list) -> None:
    vectorizer = TfidfVectorizer(analyzer=_content_words, sublinear_tf=True)
    expected = normalize(vectorizer.fit_transform(docs)).toarray()
    model, rows = fit_unit_rows(docs, _content_words)
    assert model is not None and model.vocabulary_ == vectorizer.vocabulary_
    assert model.idf_.tobytes() == vectorizer.idf_.tobytes()
    assert rows.shape == expected.shape and rows.tobytes() == expected.tobytes()
    transformed = model.unit_rows(others, _content_words)
    assert transformed.tobytes() == normalize(vectorizer.transform(others)).toarray().tobytes()


def test_hand_made_cases_match_scikit_learn():
    docs = [["the", "court", "ruled", "the", "court", "court"], ["über", "straße", "ruled"], ["and", "the"],
            ["zeta", "alpha", "zeta", "beta", "alpha", "zeta"], []]
    assert_same_as_scikit_learn(docs, [["court", "unknown", "alpha", "alpha"], [], ["the"]])


def test_story_sentences_of_real_articles_match_scikit_learn():
    """Sentence tokens of real articles, one story at a time (and one of several articles), as summaries fit."""
    articles = list(wcxb_articles(300)[:12])
    assert len(articles) == 12
    stories = [[a] for a in articles[:10]] + [articles[10:]]
    for story in stories:
        docs = [list(s.tokens) for s in story_sentences(story)]
        texts = [list(text_tokens(a.text)) for a in story] + [word_tokens(a.title or "") for a in story]
        assert_same_as_scikit_learn(docs, texts)


def test_only_stop_words_has_no_model():
    model, rows = fit_unit_rows([["the", "and"], ["of"]], _content_words)
    assert model is None and rows.shape == (2, 1) and not rows.any()
