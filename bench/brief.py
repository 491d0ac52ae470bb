"""Time build_brief on a 50-article story made of AllSides documents (10 stories x 3 outlets, repeated with
extra paragraphs so articles have realistic length). Prints seconds; asserts nothing.

    .venv/bin/python bench/brief.py
"""
from __future__ import annotations

import json
import time
from pathlib import Path

from newsfuse.brief import build_brief
from newsfuse.nlp import load_model, parse_many
from newsfuse.records import Article

DATA = Path(__file__).resolve().parent.parent.parent / "shared" / "data" / "stories" / "allsides-roundups.jsonl"


def story(n: int = 50) -> list[Article]:
    """``n`` articles: each one doc's text followed by four paragraphs from neighbouring docs."""
    docs = [d for line in DATA.read_text(encoding="utf-8").splitlines()[:40] for d in json.loads(line)["docs"]]
    articles = []
    for i in range(n):
        paragraphs = [docs[(i + k * 7) % len(docs)]["text"] for k in range(5)]
        articles.append(Article(id=f"bench{i:03d}", title=docs[i]["title"], text="\n\n".join(paragraphs)))
    return articles


def main() -> None:
    start = time.perf_counter()
    load_model()
    print(f"spacy load: {time.perf_counter() - start:.2f} s")
    articles = story()
    words = sum(len(a.text.split()) for a in articles)
    start = time.perf_counter()
    parse_many([a.text for a in articles])
    ner = time.perf_counter() - start
    print(f"ner: {len(articles)} articles, {words} words in {ner:.2f} s ({1000 * ner / len(articles):.1f} ms/article)")
    start = time.perf_counter()
    brief = build_brief("bench", articles)
    print(f"brief (spaCy docs cached): {time.perf_counter() - start:.2f} s; {len(brief.summary)} summary sentences, "
          f"{len(brief.entities)} entities, {len(brief.timeline)} events, {len(brief.unique)} unique")


if __name__ == "__main__":
    main()
