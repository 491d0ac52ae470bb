"""Web benchmark: 10,000 articles in 1,000 stories with briefs, served on 127.0.0.1, 2,000 mixed requests
(pages and API) 20 at a time. Prints errors and p50/p99 latency; asserts nothing.

    .venv/bin/python bench/web.py [--articles 10000] [--requests 2000] [--concurrency 20]

Articles are recombined sentences of the AllSides roundups in ../shared/data/stories (real news prose, synthetic
articles); a tenth of them are exact copies, so lineage and "independent sources" are exercised too.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import httpx

from newsfuse.records import Article, Brief, Cited, Duplicate, Entity, Quote, make_id
from newsfuse.store import SqliteStore

ROUNDUPS = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "stories" / "allsides-roundups.jsonl"
SITES = ["apnews.com", "reuters.com", "foxnews.com", "cnn.com", "nytimes.com", "wsj.com", "npr.org", "bbc.com",
         "nypost.com", "washingtonpost.com", "theguardian.com", "breitbart.com", "thehill.com", "axios.com"]
WORDS = ["Senate", "president", "court", "election", "Russia", "economy", "police", "climate", "vaccine", "border"]


def corpus_sentences() -> list[list[str]]:
    """Per roundup, its sentences: each synthetic story draws from one roundup so it reads as one event."""
    groups = []
    for line in ROUNDUPS.read_text(encoding="utf-8").splitlines():
        docs = json.loads(line)["docs"]
        text = " ".join(d.get("text", "") for d in docs)
        sentences = [s for s in re.split(r"(?<=[.!?])\s+(?=[A-Z\"“])", text) if len(s.split()) >= 6]
        if len(sentences) >= 4:
            groups.append(sentences)
    return groups


def build(path: Path, articles: int, per_story: int = 10, seed: int = 7) -> None:
    rng = random.Random(seed)
    groups = corpus_sentences()
    start = datetime(2023, 1, 1, tzinfo=timezone.utc)
    with SqliteStore(path) as store, store.transaction():
        for s in range(articles // per_story):
            sentences = groups[s % len(groups)]
            story, when = f"s{s:05d}", start + timedelta(hours=8 * s)
            members = _story_articles(rng, sentences, s, per_story, when)
            for n, article in enumerate(members):
                store.add_article(article)
                copy_of = members[0].id if n and rng.random() < 0.1 else None
                store.add_duplicate(Duplicate(article.id, copy_of, "exact" if copy_of else "original"))
                store.set_story(article.id, story, article.published)
            store.set_brief(_brief(rng, story, members))


def _story_articles(rng: random.Random, sentences: list[str], s: int, count: int, when: datetime) -> list[Article]:
    out = []
    for n in range(count):
        body = rng.sample(sentences, min(len(sentences), rng.randint(6, 14)))
        text = "\n\n".join(" ".join(body[i:i + 3]) for i in range(0, len(body), 3))
        site = rng.choice(SITES)
        url = f"https://www.{site}/{when:%Y/%m/%d}/story-{s}-{n}"
        out.append(Article(make_id(url=url), text, body[0][:90], url, site, None,
                           when + timedelta(minutes=37 * n), "en"))
    return out


def _brief(rng: random.Random, story: str, members: list[Article]) -> Brief:
    first = members[0].text.split("\n\n")[0]
    sentences = re.split(r"(?<=[.!?])\s+", first)[:3]
    summary = tuple(Cited(t, tuple(a.id for a in rng.sample(members, 3))) for t in sentences)
    quote = Quote(sentences[0][:120], "A spokesperson", (members[0].id,))
    return Brief(story=story, headline=members[0].title or story, summary=summary, quotes=(quote,),
                 entities=(Entity("United States", "GPE", 4, (members[0].id,)),))


def request_path(rng: random.Random, stories: int, article_ids: list[str]) -> str:
    """One request of the mix: pages 60%, API 40%."""
    def story() -> str:
        return f"s{rng.randrange(stories):05d}"
    choices = [
        (20, lambda: f"/stories/{story()}"), (10, lambda: f"/?page={rng.randint(1, 50)}"),
        (5, lambda: f"/?source={rng.choice(SITES)}&since=2023-03-01&page={rng.randint(1, 5)}"),
        (12, lambda: f"/articles/{rng.choice(article_ids)}"), (8, lambda: f"/search?q={rng.choice(WORDS)}"),
        (3, lambda: "/feed.xml"), (2, lambda: f"/stories/{story()}/brief.md"),
        (15, lambda: f"/api/stories?limit=20&offset={rng.randrange(0, 980)}"),
        (12, lambda: f"/api/stories/{story()}"), (8, lambda: f"/api/articles/{rng.choice(article_ids)}"),
        (5, lambda: f"/api/search?q={rng.choice(WORDS)}"),
    ]
    weights = [w for w, _ in choices]
    return rng.choices(choices, weights)[0][1]()


async def hammer(base: str, urls: list[str], concurrency: int) -> tuple[list[float], list[str]]:
    gate = asyncio.Semaphore(concurrency)
    times: list[float] = []
    errors: list[str] = []
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(base_url=base, timeout=60, limits=limits) as client:
        async def one(url: str) -> None:
            async with gate:
                began = time.perf_counter()
                try:
                    response = await client.get(url)
                    if response.status_code != 200:
                        errors.append(f"{response.status_code} {url}")
                except httpx.HTTPError as exc:
                    errors.append(f"{type(exc).__name__} {url}")
                times.append(time.perf_counter() - began)
        await asyncio.gather(*(one(u) for u in urls))
    return times, errors


def start_server(db: Path, port: int) -> subprocess.Popen:
    code = f"from newsfuse.web import serve; serve({str(db)!r}, '127.0.0.1', {port})"
    process = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/api/stories?limit=1", timeout=2).status_code == 200:
                return process
        except httpx.HTTPError:
            time.sleep(0.2)
    process.kill()
    raise SystemExit("the server did not start")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=2_000)
    parser.add_argument("--concurrency", type=int, default=20)
    args = parser.parse_args()
    import socket

    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "bench.db"
        began = time.perf_counter()
        build(db, args.articles)
        print(f"store: {args.articles} articles, {args.articles // 10} stories in {time.perf_counter() - began:.1f}s")
        with SqliteStore(db, readonly=True) as store:
            ids = [r[0] for r in store.db.execute("SELECT id FROM articles")]
        rng = random.Random(11)
        urls = [request_path(rng, args.articles // 10, ids) for _ in range(args.requests)]
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        server = start_server(db, port)
        try:
            began = time.perf_counter()
            times, errors = asyncio.run(hammer(f"http://127.0.0.1:{port}", urls, args.concurrency))
            wall = time.perf_counter() - began
        finally:
            server.terminate()
            server.wait(10)
    times.sort()
    p99 = times[min(len(times) - 1, int(len(times) * 0.99))]
    print(f"requests: {len(times)} at concurrency {args.concurrency} in {wall:.1f}s ({len(times) / wall:.0f}/s)")
    print(f"errors: {len(errors)}" + (f" e.g. {errors[:5]}" if errors else ""))
    print(f"latency: p50 {statistics.median(times) * 1000:.1f} ms, p99 {p99 * 1000:.1f} ms, "
          f"max {times[-1] * 1000:.1f} ms")


if __name__ == "__main__":
    main()
