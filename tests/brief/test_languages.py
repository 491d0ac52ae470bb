"""A story in several languages: the summary is in its main language, and each language has its own summary from
its own articles, verbatim and cited (issue #24)."""
import json

from newsfuse.brief import build_brief, render_markdown
from newsfuse.brief.build import by_language
from newsfuse.brief.html_page import render_html
from newsfuse.records import Article, brief_from_json

EN = [Article(id="en1", title="Earthquake strikes central Italy", language="en", site="one",
              text="A magnitude 6.2 earthquake struck central Italy on Wednesday, killing at least 120 people. "
                   "Rescuers searched the rubble of Amatrice through the night."),
      Article(id="en2", title="Quake kills 120 in Italy", language="en-GB", site="two",
              text="At least 120 people died when a magnitude 6.2 earthquake struck central Italy on Wednesday. "
                   "The mayor of Amatrice said half the town was gone.")]
FR = Article(id="fr1", title="Séisme meurtrier en Italie", language="fr", site="trois",
             text="Un séisme de magnitude 6,2 a frappé le centre de l'Italie mercredi, faisant au moins 120 morts. "
                  "Les secouristes ont fouillé les décombres d'Amatrice toute la nuit.")
UNKNOWN = Article(id="u1", title="Italy earthquake", text="Rescuers in Amatrice kept digging on Thursday morning.")


def test_languages_are_grouped_main_first_and_unknown_with_the_main():
    groups = by_language([FR, *EN, UNKNOWN])
    assert list(groups) == ["en", "fr"]
    assert [a.id for a in groups["en"]] == ["en1", "en2", "u1"] and [a.id for a in groups["fr"]] == ["fr1"]
    assert by_language([*EN, UNKNOWN]) == {}  # one language: no per-language summaries


def test_each_language_has_its_own_cited_summary():
    brief = build_brief("s", [*EN, FR])
    assert [(x.language, x.articles) for x in brief.languages] == [("en", 2), ("fr", 1)]
    assert brief.summary == brief.languages[0].summary
    texts = {a.id: a.text for a in [*EN, FR]}
    for part in brief.languages:
        assert part.summary
        for sentence in part.summary:
            assert any(sentence.text in texts[s] for s in sentence.sources)  # verbatim from what it cites
            assert {s[:2] for s in sentence.sources} == {part.language}  # cites its own language's articles only
    assert any("séisme" in c.text for c in brief.languages[1].summary)
    assert brief_from_json(json.loads(json.dumps(brief.to_json()))) == brief
    assert "## In each language" in render_markdown(brief, [*EN, FR])
    assert 'lang="fr"' in render_html(brief, [*EN, FR])


def test_a_story_in_one_language_has_no_language_summaries():
    brief = build_brief("s", EN)
    assert brief.languages == () and brief.summary
    assert "In each language" not in render_markdown(brief, EN)


def test_the_summarize_command_adds_each_language(tmp_path):
    import subprocess
    import sys

    path = tmp_path / "mixed.jsonl"
    path.write_text("".join(json.dumps({"id": a.id, "title": a.title, "text": a.text, "language": a.language,
                                        "story": "s1"}) + "\n" for a in [*EN, FR]), encoding="utf-8")
    out = subprocess.run([sys.executable, "-m", "newsfuse.cli", "summarize", str(path), "--words", "40"],
                         capture_output=True, text=True, timeout=300, check=True).stdout
    (row,) = [json.loads(line) for line in out.splitlines()]
    assert [(x["language"], x["articles"]) for x in row["languages"]] == [("en", 2), ("fr", 1)]
    assert row["summary"] == row["languages"][0]["summary"]
    assert all(s["sources"] == ["fr1"] for s in row["languages"][1]["summary"])


def test_french_function_words_are_not_concepts():
    from newsfuse.brief.summary import concept_weights, concepts

    assert ("les",) in concepts("les décombres d'Amatrice")  # read as English: "les" is a content word
    assert ("les",) not in concepts("les décombres d'Amatrice", "fr") and ("décombres",) in concepts("les décombres", "fr")
    weights = concept_weights([FR], {})
    assert ("les",) not in weights and ("la",) not in weights and ("séisme",) in weights


def test_disagreements_read_each_article_s_dates_in_its_language():
    from newsfuse.brief.disagree import disagreements
    from newsfuse.brief.sentences import story_sentences

    text = "Le séisme a frappé le centre de l'Italie le {} mars 2016, selon les autorités italiennes."
    pair = [Article(id=f"f{day}", site=f"s{day}", language="fr", text=text.format(day)) for day in (12, 14)]
    [found] = disagreements(pair, story_sentences(pair, {}), {})
    assert found.kind == "date" and {v for _, v in found.claims} == {"2016-03-12", "2016-03-14"}


def test_counted_numbers_in_each_language():
    from newsfuse.brief.disagree import amount, numbers

    assert numbers("Al menos 1.500 heridos y 30 muertos el 12 de marzo; dos personas desaparecidas", "es") == {
        "heridos": "1.500", "muertos": "30", "personas": "dos"}
    assert numbers("Au moins 30 morts et 1 500 blessés le 12 mars, trois personnes disparues", "fr") == {
        "morts": "30", "blessés": "1 500", "personnes": "trois"}
    assert numbers("Almeno 30 morti e 1.500 feriti il 12 marzo 2011 che, dodici persone", "it") == {
        "morti": "30", "feriti": "1.500", "persone": "dodici"}
    assert numbers("Le 28 giugno sono iniziate, una vez, dans un sens", "it") == {}  # a month; articles
    assert numbers("28 Russian cruise missiles and 1,500 troops on 12 March") == {"missiles": "28", "troops": "1,500"}
    assert numbers("30 morts", "de") == {}  # a language without counted nouns: nothing is compared
    assert [amount(*x) for x in (("1.500", "es"), ("1 500", "fr"), ("1,500", "en"), ("2,5", "fr"), ("1.5", "en"))] \
        == ["1500", "1500", "1500", "2,5", "1.5"]


def test_disagreements_compare_counted_numbers_within_one_language():
    from newsfuse.brief.disagree import disagreements
    from newsfuse.brief.sentences import story_sentences

    text = "Au moins {} morts dans le bombardement de la ville de Homs par l'armée syrienne, selon les militants."
    pair = [Article(id=f"f{n}", site=f"s{n}", language="fr", text=text.format(n)) for n in (30, 35)]
    [found] = disagreements(pair, story_sentences(pair, {}), {})
    assert found.kind == "number" and {v for _, v in found.claims} == {"30 morts", "35 morts"}
    same = [Article(id=f"g{n}", site=f"t{n}", language="fr", text=text.format(n)) for n in ("1 500", "1.500")]
    assert disagreements(same, story_sentences(same, {}), {}) == []  # one number, two ways of grouping digits
    mixed = [pair[0], Article(id="e", site="e", language="en", text=pair[1].text)]
    assert [d.kind for d in disagreements(mixed, story_sentences(mixed, {}), {})] == []  # two languages: no pair
