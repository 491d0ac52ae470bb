"""Entity spans: per-paragraph, remembered, and restricted to the paragraphs asked for."""
from pathlib import Path

from newsfuse.nlp import clear_cache, entity_spans, entity_spans_many, model

TEXT = "Vladimir Putin spoke in Moscow on Tuesday.\n\nThe White House answered from Washington."


def test_offsets_are_into_the_whole_text():
    spans = entity_spans(TEXT)
    found = {TEXT[s:e]: label for s, e, label in spans}
    assert found["Vladimir Putin"] == "PERSON" and found["Washington"] == "GPE"
    assert [s for s, _, _ in spans] == sorted(s for s, _, _ in spans)


def test_paragraphs_are_remembered_and_shared(monkeypatch):
    clear_cache()
    entity_spans(TEXT)
    calls = []
    real = model._parse_paragraphs
    monkeypatch.setattr(model, "_parse_paragraphs",
                        lambda ps, name: calls.append(list(ps.values())) or real(ps, name))
    copy = "A new first paragraph about Kyiv.\n\n" + TEXT  # a copy with one more paragraph
    [spans] = entity_spans_many([copy])
    assert calls == [["A new first paragraph about Kyiv."]]
    assert {copy[s:e] for s, e, _ in spans} >= {"Kyiv", "Vladimir Putin", "Washington"}


def test_only_the_paragraphs_asked_for():
    spans = entity_spans(TEXT, paragraphs={1})
    assert {TEXT[s:e] for s, e, _ in spans} == {"The White House", "Washington"}


def test_matrix_products_on_numpy_blas_with_the_same_entities():
    """The recogniser runs on numpy's BLAS, not thinc's bundled BLIS (slow generic kernels on CPUs it does not
    know), and finds exactly what the model finds on BLIS, on the seed pages' paragraphs."""
    import spacy

    from newsfuse.nlp.model import _EXCLUDE, MODEL, load_model
    from newsfuse.nlp.text import paragraph_spans

    nlp = load_model()
    assert nlp.get_pipe("ner").model.ops.use_blis is False
    on_blis = spacy.load(MODEL, exclude=_EXCLUDE)
    assert on_blis.get_pipe("ner").model.ops.use_blis is True
    seeds = Path(__file__).parents[2] / ".." / "shared" / "samples" / "seeds"
    paragraphs = [text[a:b] for path in sorted(seeds.glob("*.txt")) for text in [path.read_text()]
                  for a, b in paragraph_spans(text)]
    assert len(paragraphs) > 20

    def found(model):
        return [[(e.start_char, e.end_char, e.label_) for e in doc.ents] for doc in model.pipe(paragraphs)]

    assert found(nlp) == found(on_blis)


FRENCH = "Le président Hosni Moubarak a quitté Le Caire pour Charm el-Cheikh, a annoncé Omar Souleiman."


def test_french_is_read_by_the_french_pipeline_with_english_label_names():
    assert model.model_for("fr") == model.model_for("fr-CA") == "fr_core_news_sm"
    assert model.model_for("it") == model.model_for(None) == model.MODEL  # no pipeline of its own: English
    found = {FRENCH[s:e]: label for s, e, label in entity_spans(FRENCH, language="fr")}
    assert found.get("Hosni Moubarak") == "PERSON" and found.get("Le Caire") == "LOC"
    assert "Le Caire" not in {FRENCH[s:e] for s, e, _ in entity_spans(FRENCH)}  # the English pipeline misses it


def test_each_pipeline_remembers_its_own_reading(monkeypatch):
    clear_cache()
    calls = []
    real = model._parse_paragraphs
    monkeypatch.setattr(model, "_parse_paragraphs",
                        lambda ps, name: calls.append(name) or real(ps, name))
    french, english = entity_spans_many([FRENCH, FRENCH], languages=["fr", "en"])
    assert sorted(calls) == sorted([model.MODELS["en"], model.MODELS["fr"]]) and french != english
    assert entity_spans(FRENCH, language="fr") == french and len(calls) == 2  # both remembered
