"""A small store written record by record (no pipeline stages): the two seed pages about Putin and Kim's letters,
a syndicated copy, an article carrying XSS payloads, and filler stories for paging and filters."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from newsfuse.records import (Article, Brief, Cited, Disagreement, Duplicate, Entity, Event, LanguageSummary, Quote,
                              Unique, make_id)
from newsfuse.store import open_store

SEEDS = Path(__file__).resolve().parents[2].parent / "shared" / "samples" / "seeds"
XSS = '<script>alert(1)</script><img src=x onerror=alert(1)>'
WHEN = datetime(2023, 9, 13, 15, 0, tzinfo=timezone.utc)
CLAIM = ("Russian defense minister Sergei Shoigu called on North Korean officials to increase the sale of "
         "munitions to Moscow.")


def seed_text(name: str, skip: int) -> str:
    """The seed page's body: its first lines (title, navigation) skipped, short debris lines dropped."""
    lines = (SEEDS / name).read_text(encoding="utf-8").splitlines()[skip:]
    return "\n\n".join(line.strip() for line in lines if len(line.split()) >= 8)


def _articles() -> dict[str, Article]:
    wion = seed_text("000_465c2a13a0b66ec2.txt", 4)
    wxii = seed_text("002_64a12eb51215b9f6.txt", 12)
    url_a, url_b, url_c = ("https://www.wionews.com/world/russia-wants-weapons-from-north-korea",
                           "https://www.wxii12.com/article/putin-kim-jong-un-letters/44960040",
                           "https://copies.example.net/putin-kim-letters")
    return {
        "a": Article(make_id(url=url_a), wion, "Russia wants weapons from North Korea? Vladimir Putin, Kim Jong Un "
                     "have swapped letters", url_a, "wionews.com", None, WHEN, "en"),
        "b": Article(make_id(url=url_b), wxii, "White House says Putin and Kim Jong Un traded letters as Russia "
                     "looks for munitions from North Korea", url_b, "wxii12.com", "Aamer Madhani",
                     WHEN + timedelta(hours=2), "en"),
        "c": Article(make_id(url=url_c), wion, "Putin and Kim swapped letters", url_c, "copies.example.net", None,
                     WHEN + timedelta(hours=5), "en"),
        "x": Article(make_id(text="xss"), f"Intro {XSS} text.\n\nSecond <b>para</b> javascript:alert(1) here.",
                     f"Evil {XSS} title", "javascript:alert(1)", f"site{XSS}", f"author{XSS}",
                     WHEN - timedelta(days=3), "en"),
    }


def _filler(n: int) -> Article:
    text = (f"Filler report number {n} on municipal budgets. The council approved spending on roads and parks "
            f"after a long debate about item {n}.")
    return Article(make_id(text=text), text, f"Council budget vote {n}", f"https://local{n % 3}.example.org/{n}",
                   f"local{n % 3}.example.org", None, datetime(2023, 8, 1, tzinfo=timezone.utc) + timedelta(days=n),
                   "en")


FRENCH = "Poutine et Kim Jong Un ont échangé des lettres, selon la Maison Blanche."


def _brief(story: str, arts: dict[str, Article]) -> Brief:
    a, b, c = arts["a"].id, arts["b"].id, arts["c"].id
    summary = (
        Cited("The White House said it has new intelligence that Vladimir Putin and Kim Jong Un have swapped "
              "letters as Russia seeks weapons from North Korea.", (a, b, c)),
        Cited(CLAIM, (a, b, c)),
        Cited("Russia is looking for additional artillery shells and other basic materials.", (a, b)),
    )
    return Brief(
        story=story, headline="White House: Putin and Kim Jong Un swapped letters as Russia seeks munitions",
        summary=summary,
        languages=(LanguageSummary("en", 2, summary), LanguageSummary("fr", 1, (Cited(FRENCH, (c,)),))),
        quotes=(Quote("The war is increasingly moving to Russia’s territory and it cannot be stopped",
                      "Mykhailo Podalyak", (a, c)),),
        entities=(Entity("Kim Jong Un", "PERSON", 6, (a, b, c), ("Kim",)), Entity("Pyongyang", "GPE", 2, (a, b))),
        timeline=(Event("2023-03", "Russia sought a food-for-arms deal with North Korea.", (a, b), True),
                  Event("last year", "The Wagner Group took delivery of North Korean arms.", (b,), False)),
        unique=(Unique(b, "Kirby said the letters were more at the surface level."),),
        disagreements=(Disagreement("date", "When the food-for-arms deal was reported", ((a, "March this year"),
                                                                                        (b, "In March"))),),
    )


def _xss_brief(story: str, x: str) -> Brief:
    return Brief(story=story, headline=f"Headline {XSS}", summary=(Cited(f"Intro {XSS} text.", (x, "nope")),),
                 quotes=(Quote(f"quote {XSS}", f"speaker {XSS}", (x,)),),
                 entities=(Entity(f"name {XSS}", XSS, 1, (x,), (XSS,)),),
                 timeline=(Event(f"date {XSS}", f"event {XSS}", (x,)),), unique=(Unique(x, f"unique {XSS}"),),
                 disagreements=(Disagreement(XSS, f"text {XSS}", ((x, f"value {XSS}"),)),))


def build_store(path: Path | str, fillers: int = 25) -> dict[str, str]:
    """Write the records into the store ``path`` (an SQLite file or a PostgreSQL URL); return the ids the tests
    refer to."""
    arts = _articles()
    story, evil = "s-" + arts["a"].id, "s-" + arts["x"].id
    with open_store(path) as store, store.transaction():
        for key, article in arts.items():
            store.add_article(article)
            link = Duplicate(article.id, arts["a"].id, "exact") if key == "c" else Duplicate(article.id, None,
                                                                                              "original")
            store.add_duplicate(link)
            store.set_story(article.id, evil if key == "x" else story, article.published)
        for n in range(fillers):
            filler = _filler(n)
            store.add_article(filler)
            store.add_duplicate(Duplicate(filler.id, None, "original"))
            store.set_story(filler.id, f"s-filler-{n:02d}", filler.published)
        store.set_brief(_brief(story, arts))
        store.set_brief(_xss_brief(evil, arts["x"].id))
    return {"story": story, "evil": evil, **{k: v.id for k, v in arts.items()}}


@pytest.fixture(scope="session")
def web_store(tmp_path_factory) -> tuple[Path, dict[str, str]]:
    path = tmp_path_factory.mktemp("web") / "news.db"
    return path, build_store(path)


@pytest.fixture(scope="session")
def client(web_store):
    from fastapi.testclient import TestClient

    from newsfuse.web import create_app

    with TestClient(create_app(str(web_store[0]))) as test_client:
        yield test_client


@pytest.fixture(scope="session")
def ids(web_store) -> dict[str, str]:
    return web_store[1]
