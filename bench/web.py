"""Web benchmark: N articles (default 100,000) in N/10 stories with briefs, served by uvicorn on 127.0.0.1; C clients
(default 8 threads, each with its own httpx client) request every page and API route, shuffled; then one client
requests each route alone. Prints, per route, the request count, errors, p50 and p95 latency under the 8 clients,
p50 and p95 one at a time with the server's CPU time per request, and the store's build time; asserts nothing.

    .venv/bin/python bench/web.py [--articles 100000] [--rounds 40] [--clients 8] [--keep bench/out/web.db]
    .venv/bin/python bench/web.py --postgresql [URL] [--articles N] ...   the same store built in PostgreSQL
                                  [--serve-args "--workers 2"]
    .venv/bin/python bench/web.py --keep DB --baseline OLD/src [--runs 3] [--routes "/api/stories,/articles/ID"]

The server is `newsfuse serve` with --serve-args added (`--cache-mb 0` turns the response cache off, `--workers N`
runs N processes); the CPU column sums the server's processes. The "hits" column counts answers from the response
cache (X-Cache: hit) under the 8 clients.

--keep builds the store once at that path and reuses it on later runs. Articles are recombined sentences of the
AllSides roundups in ../shared/data/stories (real news prose, synthetic articles), published 8 hours apart story by
story; a tenth are exact copies of another outlet's article, so lineage, first reports and "independent sources"
are exercised; each brief names entities and quoted speakers drawn from a pool of 300 names.

--baseline compares two versions of the server on the same store: the newsfuse source folder given (a `git worktree`
of an older commit, its `src`, put first on PYTHONPATH) and the one this script imports, started in turn --runs times each, each
asked the chosen routes one client at a time (the same URLs for every server); it prints, per route, every run's
server CPU ms and p50 ms a request, before and after, and the ratio of the medians. With `--serve-args "--cache-mb 0"`
every request reaches the store.
"""
from __future__ import annotations

import argparse
import os
import json
import random
import re
import shlex
import statistics
import threading
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import httpx

from newsfuse.records import Article, Brief, Cited, Duplicate, Entity, Quote, make_id
from newsfuse.store import open_store

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


def build(db: str, articles: int, per_story: int = 10, seed: int = 7) -> None:
    rng = random.Random(seed)
    groups = corpus_sentences()
    start = datetime(2023, 1, 1, tzinfo=timezone.utc)
    with open_store(db) as store, store.transaction():
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


def link_related(store, stories: int, groups: int) -> bool:
    """Store each story's related stories as a run would (those drawn from the same roundup, nearest first), where
    the store keeps related links; without them every story page computes its related stories afresh."""
    if not hasattr(store, "set_related"):
        return False
    with store.transaction():
        store.set_related({f"s{s:05d}": [(f"s{o:05d}", 0.5) for o in (s - 2 * groups, s - groups)
                                         if o >= 0] for s in range(stories)})
    return True


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


PEOPLE = [f"{first} {last}" for first in ("Ana", "Ben", "Chen", "Dara", "Eli", "Fatima", "Gus", "Hana", "Ivan",
                                          "Jules") for last in ("Ortiz", "Okafor", "Lindqvist", "Nakamura", "Rossi",
                                                                 "Haddad", "Kowalski", "Mensah", "Novak", "Reyes")]
ORGS = [f"{name} {kind}" for name in ("Northern", "Federal", "United", "Pacific", "Central", "Atlantic", "Royal",
                                      "National", "Civic", "Global") for kind in ("Bank", "Party", "Council",
                                                                                  "Union", "Agency", "Institute",
                                                                                  "Court", "Fund", "Alliance", "Group")]
PLACES = [f"{name}{end}" for name in ("Avon", "Bel", "Cres", "Dun", "Elm", "Fair", "Glen", "Hart", "Ivy", "Jas")
          for end in ("ford", "mont", "ton", "wick", "field", "haven", "bury", "dale", "port", "ville")]


def _brief(rng: random.Random, story: str, members: list[Article]) -> Brief:
    first = members[0].text.split("\n\n")[0]
    sentences = re.split(r"(?<=[.!?])\s+", first)[:3]
    summary = tuple(Cited(t, tuple(a.id for a in rng.sample(members, 3))) for t in sentences)
    people = rng.sample(PEOPLE, 3)
    entities = tuple(Entity(name, label, rng.randint(1, 9), (members[0].id,)) for name, label in
                     [(p, "PERSON") for p in people] + [(rng.choice(ORGS), "ORG"), (rng.choice(PLACES), "GPE")])
    quotes = tuple(Quote(t[:120], people[n % 2], (members[n].id,)) for n, t in enumerate(sentences[:2]))
    return Brief(story=story, headline=members[0].title or story, summary=summary, quotes=quotes, entities=entities)


def routes(rng: random.Random, stories: int, article_ids: list[str]) -> dict[str, callable]:
    """Every page and API route, each with a way to draw a concrete URL."""
    def story() -> str:
        return f"s{rng.randrange(stories):05d}"
    return {
        "/": lambda: f"/?page={rng.randint(1, 50)}",
        "/?sort=latest": lambda: f"/?sort=latest&page={rng.randint(1, 50)}",
        "/?source&since": lambda: f"/?source={rng.choice(SITES)}&since=2023-03-01&page={rng.randint(1, 5)}",
        "/?entity": lambda: f"/?entity={rng.choice(PEOPLE)}",
        "/stories/ID": lambda: f"/stories/{story()}",
        "/stories/ID/brief.md": lambda: f"/stories/{story()}/brief.md",
        "/articles/ID": lambda: f"/articles/{rng.choice(article_ids)}",
        "/entities/NAME": lambda: f"/entities/{rng.choice(PEOPLE + ORGS + PLACES)}",
        "/sources/NAME": lambda: f"/sources/{rng.choice(SITES)}",
        "/search?q": lambda: f"/search?q={rng.choice(WORDS)}",
        "/feed.xml": lambda: "/feed.xml",
        "/api/stories": lambda: f"/api/stories?limit=20&offset={rng.randrange(0, 980)}",
        "/api/stories?sort=now": lambda: f"/api/stories?sort=now&offset={rng.randrange(0, 980)}",
        "/api/stories/ID": lambda: f"/api/stories/{story()}",
        "/api/articles/ID": lambda: f"/api/articles/{rng.choice(article_ids)}",
        "/api/entities/NAME": lambda: f"/api/entities/{rng.choice(PEOPLE + ORGS + PLACES)}",
        "/api/sources/NAME": lambda: f"/api/sources/{rng.choice(SITES)}",
        "/api/search?q": lambda: f"/api/search?q={rng.choice(WORDS)}",
    }


def client_loop(base: str, work: list[tuple[str, str]], out: list[tuple[str, float, int, bool]]) -> None:
    """One client: its own connection, its requests one after another."""
    with httpx.Client(base_url=base, timeout=60) as client:
        for route, url in work:
            began = time.perf_counter()
            try:
                response = client.get(url)
                status, hit = response.status_code, response.headers.get("x-cache") == "hit"
            except httpx.HTTPError:
                status, hit = 0, False
            out.append((route, time.perf_counter() - began, status, hit))


def hammer(base: str, work: list[tuple[str, str]], clients: int) -> list[tuple[str, float, int, bool]]:
    out: list[tuple[str, float, int, bool]] = []
    threads = [threading.Thread(target=client_loop, args=(base, work[n::clients], out)) for n in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return out


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(db: str, port: int, options: list[str], source: Path | None = None,
                 wait: float = 60.0) -> subprocess.Popen:
    """`newsfuse serve` on ``port``, waiting up to ``wait`` seconds for its first answer (the story list, which
    waits for the store's snapshot); with ``source``, the newsfuse found there (an older version's src folder)."""
    command = [sys.executable, "-m", "newsfuse.cli", "serve", "--db", str(db), "--host", "127.0.0.1",
               "--port", str(port), *options]
    env = {**os.environ, "PYTHONPATH": str(source.resolve())} if source else None
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/api/stories?limit=1", timeout=wait).status_code == 200:
                return process
        except httpx.HTTPError:
            time.sleep(0.2)
    process.kill()
    raise SystemExit("the server did not start")


def cpu_seconds(pid: int) -> float:
    """The user + system CPU time of the process and its children, the workers (Linux /proc), 0 elsewhere."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return 0.0
    own = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return own + sum(cpu_seconds(int(child)) for child in children)


def settle(pid: int, limit: float = 90) -> None:
    """Wait until the server's processes are idle: every worker has read its snapshot (each reads its own)."""
    deadline, last = time.monotonic() + limit, cpu_seconds(pid)
    while time.monotonic() < deadline:
        time.sleep(1)
        now = cpu_seconds(pid)
        if now - last < 0.05:
            return
        last = now


def one_client(base: str, table: dict, rounds: int, pid: int) -> dict[str, tuple[float, float, float]]:
    """Per route, one request at a time: p50 and p95 wall time and the server's CPU time per request (ms)."""
    out = {}
    with httpx.Client(base_url=base, timeout=60) as client:
        for name, draw in table.items():
            urls = [draw() for _ in range(rounds)]
            client.get(urls[0])  # the route's first request (imports, caches) is not what this measures
            times, cpu = [], cpu_seconds(pid)
            for url in urls:
                began = time.perf_counter()
                client.get(url)
                times.append(time.perf_counter() - began)
            out[name] = (statistics.median(times) * 1000, percentile(times, 0.95) * 1000,
                         (cpu_seconds(pid) - cpu) / rounds * 1000)
    return out


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))]


def report(results: list[tuple[str, float, int, bool]], names: list[str], clients: int,
           alone: dict[str, tuple[float, float, float]]) -> None:
    print(f"{'':<24} {f'{clients} clients at once':>38} | {'one client at a time':>28}")
    print(f"{'route':<24} {'n':>5} {'errors':>6} {'hits':>6} {'p50 ms':>8} {'p95 ms':>8} | {'p50 ms':>8} "
          f"{'p95 ms':>8} {'CPU ms':>8}")
    for name in names + ["all"]:
        rows = [r for r in results if name in ("all", r[0])]
        times = [r[1] for r in rows]
        errors = sum(1 for r in rows if r[2] != 200)
        hits = sum(1 for r in rows if r[3])
        single = alone.get(name)
        tail = " ".join(f"{v:>8.1f}" for v in single) if single else ""
        print(f"{name:<24} {len(rows):>5} {errors:>6} {hits:>6} {statistics.median(times) * 1000:>8.1f} "
              f"{percentile(times, 0.95) * 1000:>8.1f} | {tail}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=40, help="requests per route")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--keep", type=Path, help="build the store here once and reuse it")
    parser.add_argument("--start-wait", type=float, default=60.0,
                        help="seconds to wait for the server's first answer (a store of 1,000,000 articles: ~70)")
    parser.add_argument("--serve-args", default="", help='options for `newsfuse serve`, e.g. "--workers 2"')
    parser.add_argument("--baseline", type=Path, help="A/B against the newsfuse source folder at this path")
    parser.add_argument("--runs", type=int, default=3, help="with --baseline: servers of each version, in turn")
    parser.add_argument("--routes", default="", help="with --baseline: these routes only, comma-separated")
    parser.add_argument("--postgresql", nargs="?", const="", default=None,
                        help="build the store in this empty PostgreSQL database (none given: a throwaway cluster)")
    args = parser.parse_args()
    cluster = None
    if args.postgresql == "":
        sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
        from tests.postgres_cluster import Cluster, bin_dir

        cluster = Cluster(bin_dir())
        cluster.start()
        args.postgresql = cluster.create_database()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            run(args, args.postgresql or str(args.keep or Path(tmp) / "bench.db"))
    finally:
        if cluster is not None:
            cluster.stop()


def run(args: argparse.Namespace, db: str) -> None:
    """Build the store at ``db`` unless it holds articles, then serve it and measure."""
    postgresql = db.startswith("postgres")
    with open_store(db) as store:
        empty = not store.count("articles")
    if empty:
        if not postgresql:
            Path(db).parent.mkdir(parents=True, exist_ok=True)
        began = time.perf_counter()
        build(db, args.articles)
        print(f"store: {args.articles} articles, {args.articles // 10} stories built in "
              f"{time.perf_counter() - began:.0f} s")
    with open_store(db) as store:
        ids = [r[0] for r in store.db.execute("SELECT id FROM articles")]
        stories = store.db.execute("SELECT count(*) FROM stories").fetchone()[0]
        if not link_related(store, stories, len(corpus_sentences())):
            print("note: this store keeps no related links: story routes compute them on each request")
        size = (store.db.execute("SELECT pg_database_size(current_database())").fetchone()[0] if postgresql
                else Path(db).stat().st_size)
    print(f"store: {'PostgreSQL' if postgresql else 'SQLite'}, {len(ids)} articles, {stories} stories, "
          f"{size / 1e6:.0f} MB")
    if args.baseline:
        compare(args, db, stories, ids)
        return
    rng = random.Random(11)
    table = routes(rng, stories, ids)
    work = [(name, draw()) for _ in range(args.rounds) for name, draw in table.items()]
    rng.shuffle(work)
    port = free_port()
    began = time.perf_counter()
    server = start_server(db, port, shlex.split(args.serve_args), wait=args.start_wait)
    print(f"first answer (the story list, after the snapshot is built): {time.perf_counter() - began:.1f} s")
    try:
        began = time.perf_counter()
        warm = httpx.get(f"http://127.0.0.1:{port}/", timeout=120)
        print(f"first front page (builds the snapshot): {time.perf_counter() - began:.2f} s, {warm.status_code}")
        settle(server.pid)
        load, cpu = os.getloadavg(), cpu_seconds(server.pid)
        began = time.perf_counter()
        results = hammer(f"http://127.0.0.1:{port}", work, args.clients)
        wall = time.perf_counter() - began
        cpu = cpu_seconds(server.pid) - cpu
        alone = one_client(f"http://127.0.0.1:{port}", table, args.rounds, server.pid)
    finally:
        server.terminate()
        server.wait(10)
    print(f"requests: {len(results)} from {args.clients} clients in {wall:.1f} s ({len(results) / wall:.0f}/s), "
          f"server CPU {cpu / len(results) * 1000:.1f} ms a request")
    print(f"server: newsfuse serve {args.serve_args}".rstrip())
    print(f"load average at the start: {' '.join(f'{x:.1f}' for x in load)}")
    print(f"load average at the end: {' '.join(f'{x:.1f}' for x in os.getloadavg())} on {os.cpu_count()} CPUs")
    report(results, list(table), args.clients, alone)


def compare(args: argparse.Namespace, db: str, stories: int, ids: list[str]) -> None:
    """Servers of the --baseline source and of this checkout in turn, one client at a time on the chosen routes."""
    chosen = [name.strip() for name in args.routes.split(",") if name.strip()]
    runs: dict[str, list[dict]] = {"before": [], "after": []}
    load = os.getloadavg()
    for _ in range(args.runs):
        for label, source in (("before", args.baseline), ("after", None)):
            table = routes(random.Random(11), stories, ids)
            table = {name: table[name] for name in chosen or table}
            port = free_port()
            server = start_server(db, port, shlex.split(args.serve_args), source)
            try:
                httpx.get(f"http://127.0.0.1:{port}/", timeout=120)  # the snapshot is built
                settle(server.pid)
                runs[label].append(one_client(f"http://127.0.0.1:{port}", table, args.rounds, server.pid))
            finally:
                server.terminate()
                server.wait(10)
    import newsfuse

    print(f"A/B: before = {args.baseline}, after = {Path(newsfuse.__file__).parents[1]}; "
          f"newsfuse serve {args.serve_args}".rstrip())
    print(f"{args.runs} servers of each in turn, {args.rounds} requests a route one at a time; load average "
          f"{load[0]:.1f} at the start, {os.getloadavg()[0]:.1f} at the end on {os.cpu_count()} CPUs")
    print(f"{'route':<24} {'CPU ms before':>22} {'CPU ms after':>22} {'ratio':>6} | {'p50 ms before':>22} "
          f"{'p50 ms after':>22} {'ratio':>6}")
    for name in runs["after"][0]:
        cells = []
        for column in (2, 0):  # CPU, then p50
            before, after = ([r[name][column] for r in runs[label]] for label in ("before", "after"))
            ratio = statistics.median(after) / statistics.median(before) if statistics.median(before) else 0
            cells.append(f"{' '.join(f'{v:.2f}' for v in before):>22} {' '.join(f'{v:.2f}' for v in after):>22} "
                         f"{ratio:>6.2f}")
        print(f"{name:<24} {cells[0]} | {cells[1]}")


if __name__ == "__main__":
    main()
