"""Time build_brief on 50-article stories made of AllSides documents. Prints seconds; asserts nothing.

    .venv/bin/python bench/brief.py

Two stories: ``shared`` (10 stories x 3 outlets, each article one doc followed by four paragraphs of neighbouring
docs, so paragraphs recur across articles as wire copies do) and ``distinct`` (no paragraph is used twice: the
cost of 50 independent articles). Each is briefed cold (empty entity cache), then again with one more article (the
pipeline rebuilds a brief when its story grows).
"""
from __future__ import annotations

import json
import time
from pathlib import Path

from newsfuse.brief import build_brief
from newsfuse.nlp import clear_cache, entity_spans_many, load_model
from newsfuse.records import Article

DATA = Path(__file__).resolve().parent.parent.parent / "shared" / "data" / "stories" / "allsides-roundups.jsonl"


def _docs(lines: int) -> list[dict]:
    return [d for line in DATA.read_text(encoding="utf-8").splitlines()[:lines] for d in json.loads(line)["docs"]]


def story(n: int = 50) -> list[Article]:
    """``n`` articles: each one doc's text followed by four paragraphs from neighbouring docs."""
    docs = _docs(40)
    articles = []
    for i in range(n):
        paragraphs = [docs[(i + k * 7) % len(docs)]["text"] for k in range(5)]
        articles.append(Article(id=f"bench{i:03d}", title=docs[i]["title"], text="\n\n".join(paragraphs)))
    return articles


def distinct_story(n: int = 50) -> list[Article]:
    """``n`` articles of five docs each, no doc used twice."""
    docs = _docs(120)
    return [Article(id=f"distinct{i:03d}", title=docs[5 * i]["title"],
                    text="\n\n".join(docs[5 * i + k]["text"] for k in range(5))) for i in range(n)]


def _time(label: str, articles: list[Article]) -> float:
    start, cpu = time.perf_counter(), time.process_time()
    brief = build_brief("bench", articles)
    took = time.perf_counter() - start
    print(f"  {label}: {took:.2f} s (cpu {time.process_time() - cpu:.2f} s); {len(brief.summary)} summary sentences, {len(brief.entities)} entities, "
          f"{len(brief.timeline)} events, {len(brief.unique)} unique, {len(brief.quotes)} quotes")
    return took


def bench(name: str, articles: list[Article]) -> None:
    words = sum(len(a.text.split()) for a in articles)
    print(f"{name}: {len(articles)} articles, {words} words")
    clear_cache()
    start, cpu = time.perf_counter(), time.process_time()
    entity_spans_many([a.text for a in articles[:-1]])
    ner, cpu = time.perf_counter() - start, time.process_time() - cpu
    print(f"  ner of every paragraph: {ner:.2f} s, cpu {cpu:.2f} s "
          f"({1000 * cpu / (len(articles) - 1):.1f} ms/article, {1000 * cpu / words * 260:.1f} ms per 260 words)")
    clear_cache()
    _time("brief, cold", articles[:-1])
    _time("brief, one article more", articles)
    _time("brief, same again", articles)


def main() -> None:
    start = time.perf_counter()
    load_model()
    print(f"spacy load: {time.perf_counter() - start:.2f} s")
    bench("shared", story(51))
    bench("distinct", distinct_story(51))


if __name__ == "__main__":
    main()
