"""Which paragraphs the entity recogniser reads."""
from newsfuse.brief import build_brief
from newsfuse.brief.reading import paragraphs_to_read
from newsfuse.config import BriefConfig
from newsfuse.records import Article


def _article(aid: str, paragraphs: list[str]) -> Article:
    return Article(id=aid, text="\n\n".join(paragraphs))


def test_small_story_is_read_whole():
    a = _article("a", ["One two three four.", "Five six seven eight."])
    assert paragraphs_to_read([a], 100) == {"a": None}
    assert paragraphs_to_read([a], 0) == {"a": None}


def test_large_story_reads_leads_then_quotes_then_the_rest():
    filler = " ".join(["word"] * 20)
    a = _article("a", [f"Lead of a. {filler}", f"Middle of a. {filler}", f"Later, “we will rebuild the bridge,” "
                       f"she said. {filler}"])
    b = _article("b", [f"Lead of b. {filler}", f"Middle of b. {filler}", f"End of b. {filler}"])
    copy = _article("c", a.text.split("\n\n"))  # a copy's paragraphs are already read: they cost nothing
    assert paragraphs_to_read([a, b, copy], 80) == {"a": {0, 2}, "b": {0}, "c": {0, 2}}
    assert paragraphs_to_read([a, b, copy], 105) == {"a": {0, 1, 2}, "b": {0}, "c": {0, 1, 2}}
    assert paragraphs_to_read([a, b, copy], 130) == {"a": {0, 1, 2}, "b": {0, 1}, "c": {0, 1, 2}}


def test_budget_keeps_names_in_leads():
    filler = " ".join(["word"] * 30)
    a = _article("a", ["Vladimir Putin met Kim Jong Un in Vladivostok.", filler, f"Sergei Shoigu was there. {filler}"])
    names = {e.name for e in build_brief("s", [a], config=BriefConfig(ner_words=20)).entities}
    assert "Vladimir Putin" in names and "Sergei Shoigu" not in names
    names = {e.name for e in build_brief("s", [a]).entities}
    assert "Sergei Shoigu" in names


def test_article_budget_reads_lead_and_quotes_first():
    from newsfuse.brief.reading import article_paragraphs

    filler = " ".join(["word"] * 20)
    text = "\n\n".join([f"Lead. {filler}", f"Middle. {filler}", f"“We will rebuild,” she said. {filler}",
                        f"End. {filler}"])
    assert article_paragraphs(text, 0) is None and article_paragraphs(text, 1000) is None
    assert article_paragraphs(text, 50) == {0, 2}
    assert article_paragraphs(text, 5) == {0}  # the lead is read even when it alone is over the budget
    a = _article("a", text.split("\n\n"))
    assert paragraphs_to_read([a], 0, 50) == {"a": {0, 2}}
    assert paragraphs_to_read([a], 30, 50) == {"a": {0}}
