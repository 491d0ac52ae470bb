"""Store benchmark: disk bytes per article, and `run` of 1,000 new articles into a store already holding many,
on the SQLite store and on the PostgreSQL store.

Run: .venv/bin/python bench/store.py [--held N] [--new N] [--postgresql URL]    (N = 20,000 held, 1,000 new)

Without --postgresql a throwaway cluster is started as the tests start theirs (tests/postgres_cluster.py: initdb
and pg_ctl, fsync off); with it, the URL's database must be empty. Articles are bench/scale.py's synthetic ones
(400 words from the allsides vocabulary, a story every 5 articles, 5% edited copies). The held articles' lineage,
dedup states, stories and assigner state are computed once (Deduplicator, StoryAssigner) and written into both
stores as the runner writes them, with a placeholder brief per story (its first article's title and lead
sentence), so both stores hold the same rows; the held stories' briefs are not rebuilt by the timed run.
Disk: the SQLite file after a WAL checkpoint, and pg_database_size less the size of the empty schema, each per
held article. The timed run is ``Runner._run`` on the new articles, annotated beforehand (extraction and
annotation are not counted): store, dedup, clustering against the held stories, and the touched stories' briefs;
then the writes alone (article, lineage and state, story) for 1,000 more articles. Prints; asserts nothing.
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from scale import synthetic  # noqa: E402

from newsfuse.config import ClusterConfig, Config, DedupConfig  # noqa: E402
from newsfuse.pipeline import Runner  # noqa: E402
from newsfuse.records import Article, Brief, Cited, Duplicate  # noqa: E402
from newsfuse.store import open_store  # noqa: E402


def held_rows(held: list[Article]) -> dict[str, Any]:
    """What a store holding these articles holds: lineage with dedup states, stories, assigner state, briefs."""
    from newsfuse.cluster import StoryAssigner
    from newsfuse.dedup import Deduplicator

    started = time.perf_counter()
    dedup = Deduplicator(DedupConfig())
    links = {a.id: dedup.add(a) for a in held}
    states = {a.id: dedup.export_state(a.id) for a in held}
    for link in dedup.repointed():
        links[link.id] = link
    copy_of = {i: d.duplicate_of for i, d in links.items() if d.duplicate_of}
    assigner = StoryAssigner(ClusterConfig())
    stories = assigner.assign_many(held, copy_of=copy_of)
    first: dict[str, Article] = {}
    for article in held:
        first.setdefault(stories[article.id], article)
    briefs = [Brief(story=s, headline=a.title or "", summary=(Cited(a.text.split(". ")[0][:300], (a.id,)),))
              for s, a in first.items()]
    print(f"held rows computed for {len(held):,} articles in {time.perf_counter() - started:,.0f} s: "
          f"{len(first):,} stories, {len(copy_of):,} copies", flush=True)
    return {"links": links, "states": states, "stories": stories, "state": assigner.export_state(),
            "briefs": briefs}


def fill(store: Any, held: list[Article], rows: dict[str, Any], every: int = 1_000) -> float:
    """Writes the held rows; returns the wall seconds it took."""
    started = time.perf_counter()
    for first in range(0, len(held), every):
        with store.transaction():
            for article in held[first:first + every]:
                store.add_article(article)
                store.add_duplicate(rows["links"][article.id], rows["states"][article.id])
                store.set_story(article.id, rows["stories"][article.id], article.published)
    with store.transaction():
        for brief in rows["briefs"]:
            store.set_brief(brief)
        store.set_cluster_state(rows["state"])
    return time.perf_counter() - started


def disk_bytes(backend: str, store: Any, db: str, empty: int) -> int:
    if backend == "sqlite":
        store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return sum(Path(db + suffix).stat().st_size for suffix in ("", "-wal", "-shm") if Path(db + suffix).exists())
    return store.db.execute("SELECT pg_database_size(current_database())").fetchone()[0] - empty


def timed_run(store: Any, new: list[Article]) -> tuple[float, float]:
    """Wall and CPU seconds (this process and its workers) of a run of ``new`` into the store."""
    wall, cpu = time.perf_counter(), _cpu()
    report = Runner(store, Config())._run(iter(new), ["bench"])
    assert report.articles == len(new), report.summary_line()
    return time.perf_counter() - wall, _cpu() - cpu


def _cpu() -> float:
    times = os.times()
    return times.user + times.system + times.children_user + times.children_system


def writes_alone(store: Any, articles: list[Article], every: int = 200) -> float:
    """Articles per second of the store writes alone (article, lineage with a 1,300-byte state, story)."""
    state, started = bytes(1_300), time.perf_counter()
    for first in range(0, len(articles), every):
        with store.transaction():
            for article in articles[first:first + every]:
                store.add_article(article)
                store.add_duplicate(Duplicate(article.id, None, "original", 1.0), state)
                store.set_story(article.id, "w" + article.id, article.published)
    return len(articles) / (time.perf_counter() - started)


def bench(backend: str, db: str, held: list[Article], rows: dict[str, Any], new: list[Article],
          extra: list[Article]) -> None:
    with open_store(db) as store:
        empty = 0 if backend == "sqlite" else \
            store.db.execute("SELECT pg_database_size(current_database())").fetchone()[0]
        filled = fill(store, held, rows)
        size = disk_bytes(backend, store, db, empty)
        wall, cpu = timed_run(store, new)
        rate = writes_alone(store, extra)
    print(f"{backend:<10} held {len(held):>8,}: disk {size / len(held):7,.0f} B/article "
          f"({size / 2**20:,.1f} MiB; filled at {len(held) / filled:,.0f} articles/s); run of {len(new):,} new: "
          f"{len(new) / wall:6,.1f} articles/s wall ({cpu:,.0f} CPU-s); writes alone {rate:7,.0f} articles/s; "
          f"load {os.getloadavg()[0]:.1f}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--held", type=int, default=20_000)
    parser.add_argument("--new", type=int, default=1_000)
    parser.add_argument("--postgresql", help="an empty PostgreSQL database's URL (default: a throwaway cluster)")
    args = parser.parse_args()
    from newsfuse.brief.annotate import annotate_articles
    from newsfuse.config import BriefConfig

    articles = list(synthetic(args.held + 2 * args.new))
    held, new, extra = articles[:args.held], articles[args.held:args.held + args.new], articles[args.held + args.new:]
    new = annotate_articles(new, BriefConfig())  # the run's extraction step does this; not timed
    rows = held_rows(held)
    with tempfile.TemporaryDirectory() as tmp:
        bench("sqlite", str(Path(tmp) / "bench.db"), held, rows, new, extra)
    cluster, url = None, args.postgresql
    if url is None:
        from tests.postgres_cluster import Cluster, bin_dir

        if bin_dir() is None:
            print("postgresql: not measured (no initdb; scripts/install-postgresql.sh installs it)")
            return
        cluster = Cluster(bin_dir())
        cluster.start()
        url = cluster.create_database()
    try:
        bench("postgresql", url, held, rows, new, extra)
    finally:
        if cluster is not None:
            cluster.stop()


if __name__ == "__main__":
    main()
