"""Fuzzing helpers shared by tests/reliability/test_fuzz.py and bench/fuzz.py.

- ``mutation_corpus(seeds, rng)``: hostile variants of real documents (truncated, garbled, huge lines, deep nesting,
  odd encodings, broken gzip, WARC, JSONL with wrong types, feeds), as ``{relative path: bytes}``.
- ``IsolatedRunner``: runs one document at a time in a forked worker process with a time limit, so a hang or a
  crash in C code (lxml, sqlite) is reported for that document instead of stopping the test.
- ``process_document(path)``: a document through every reader and stage: read_file -> extract_page ->
  Deduplicator -> StoryAssigner -> build_brief (feeds: parse_feed). Returns an outcome summary; raises on a bug.
"""
from __future__ import annotations

import gzip
import io
import json
import multiprocessing
import os
import random
import time
import traceback
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

DOC_TIMEOUT = 10.0  # CPU seconds per document (the worker's own: a loaded machine does not make it time out)
WALL_FACTOR = 6  # and at most this many times DOC_TIMEOUT of wall time (a hang that sleeps or waits)
FEED_SUFFIXES = (".xml", ".rss", ".atom", ".feed.json")


# -- the stages -------------------------------------------------------------------------------------------------
def process_document(path: str) -> dict:
    """One file through every reader and stage. Bad input must come back as Drops; anything raised is a bug."""
    from newsfuse.brief import build_brief
    from newsfuse.cluster import StoryAssigner
    from newsfuse.config import BriefConfig
    from newsfuse.dedup import Deduplicator
    from newsfuse.extract import extract_page
    from newsfuse.ingest import read_file
    from newsfuse.ingest.feeds import ParsedFeed, parse_feed
    from newsfuse.records import Article, Drop, Page

    out: dict = {"pages": 0, "articles": 0, "drops": Counter(), "feed_entries": 0}
    if path.endswith(FEED_SUFFIXES):
        ctype = "application/feed+json" if path.endswith(".json") else ""
        parsed = parse_feed(Path(path).read_bytes(), ctype, "http://feeds.example/feed")
        assert isinstance(parsed, (ParsedFeed, Drop)), type(parsed)
        if isinstance(parsed, Drop):
            out["drops"][parsed.reason] += 1
        else:
            out["feed_entries"] = len(parsed.entries)
            for drop in parsed.drops:
                out["drops"][drop.reason] += 1
        return out
    articles: list[Article] = []
    for item in read_file(Path(path)):
        assert isinstance(item, (Page, Drop)), type(item)
        if isinstance(item, Drop):
            out["drops"][item.reason] += 1
            continue
        out["pages"] += 1
        result = extract_page(item)
        assert isinstance(result, (Article, Drop)), type(result)
        if isinstance(result, Drop):
            assert result.reason, result
            out["drops"][result.reason] += 1
        else:
            articles.append(result)
    out["articles"] = len(articles)
    dedup, assigner = Deduplicator(), StoryAssigner()
    links = {a.id: dedup.add(a) for a in articles}
    stories: dict[str, list[Article]] = {}
    for article in articles:
        original = links[article.id].duplicate_of
        story = assigner.assign(article, assigner.story_of.get(original) if original else None)
        stories.setdefault(story, []).append(article)
    for story, members in list(stories.items())[:3]:  # a few briefs per document: spaCy is the slow part
        build_brief(story, members, {i: links[i].duplicate_of for i in links}, BriefConfig(max_articles=20))
    return out


# -- isolation --------------------------------------------------------------------------------------------------
def _warm_up() -> None:
    """Load trafilatura and the spaCy model before the clock runs: a fresh worker must not spend its first
    document's time limit on imports."""
    import tempfile

    with tempfile.NamedTemporaryFile("wb", suffix=".html", delete=False) as handle:
        handle.write(_html("Ferry resumes", ["The harbour ferry returned to service on Wednesday, officials said."
                                             " Engineers fitted new steel pontoons over the weekend."] * 3))
    try:
        process_document(handle.name)
    finally:
        Path(handle.name).unlink()


def _worker(conn) -> None:  # pragma: no cover - runs in the child
    _warm_up()
    conn.send(("ready", None))
    while True:
        task = conn.recv()
        if task is None:
            return
        name, arg = task
        try:
            conn.send(("ok", _TASKS[name](arg)))
        except BaseException as exc:  # noqa: BLE001 - everything raised is a finding
            conn.send(("crash", f"{type(exc).__name__}: {str(exc)[:300]}\n{traceback.format_exc()[-1500:]}"))


_TASKS: dict[str, Callable] = {"document": process_document}


def _cpu_seconds(pid: int) -> float | None:
    """User + system CPU time of a process (Linux /proc), None where that cannot be read."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return None


@dataclass
class Outcome:
    path: str
    status: str  # ok | crash | timeout | died
    detail: object = None


@dataclass
class IsolatedRunner:
    """One worker process, reused across documents and replaced after a hang or a death."""

    timeout: float = DOC_TIMEOUT
    outcomes: list[Outcome] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._ctx = multiprocessing.get_context("fork")
        self._proc = None

    def _start(self) -> None:
        self._conn, child = self._ctx.Pipe()
        self._proc = self._ctx.Process(target=_worker, args=(child,), daemon=True)
        self._proc.start()
        child.close()
        if not self._conn.poll(300) or self._conn.recv()[0] != "ready":
            raise RuntimeError("the fuzz worker did not start")

    def _kill(self) -> None:
        if self._proc is not None:
            self._proc.kill()
            self._proc.join(5)
            self._proc = None

    def run(self, path: str | Path, task: str = "document") -> Outcome:
        if self._proc is None or not self._proc.is_alive():
            self._start()
        self._conn.send((task, str(path)))
        over = self._wait()
        if over:
            self._kill()
            outcome = Outcome(str(path), "timeout", over)
        else:
            try:
                status, detail = self._conn.recv()
                outcome = Outcome(str(path), status, detail)
            except (EOFError, OSError):
                code = self._proc.exitcode if self._proc else None
                self._kill()
                outcome = Outcome(str(path), "died", f"worker exit code {code}")
        self.outcomes.append(outcome)
        return outcome

    def _wait(self) -> str:
        """Wait for the answer; "" when it came (or the worker died), else why it is a timeout: more than
        ``timeout`` CPU seconds spent by the worker, or ``timeout * WALL_FACTOR`` seconds of wall time."""
        started, cpu0 = time.monotonic(), _cpu_seconds(self._proc.pid)
        while True:
            try:
                if self._conn.poll(0.2):
                    return ""
            except (EOFError, OSError):
                return ""
            cpu, wall = _cpu_seconds(self._proc.pid), time.monotonic() - started
            used = cpu - cpu0 if cpu is not None and cpu0 is not None else wall
            if used > self.timeout:
                return f"> {self.timeout:.0f} s" + (" CPU" if cpu is not None else "")
            if wall > self.timeout * WALL_FACTOR:
                return f"> {self.timeout * WALL_FACTOR:.0f} s wall time"

    def close(self) -> None:
        if self._proc is not None and self._proc.is_alive():
            self._conn.send(None)
            self._proc.join(5)
        self._kill()

    def __enter__(self) -> "IsolatedRunner":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


# -- the mutation corpus ----------------------------------------------------------------------------------------
def _html(title: str, paragraphs: list[str]) -> bytes:
    body = "".join(f"<p>{p}</p>\n" for p in paragraphs)
    return (f"<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>{title}</title></head><body>"
            f"<article><h1>{title}</h1>\n{body}</article></body></html>").encode()


def html_mutations(name: str, seed: bytes, rng: random.Random) -> dict[str, bytes]:
    """Truncated, garbled and re-encoded variants of one HTML page."""
    text = seed.decode("utf-8")
    out = {
        f"html/{name}.orig.html": seed,
        f"html/{name}.trunc_head.html": seed[: rng.randint(10, 120)],
        f"html/{name}.trunc_mid.html": seed[: len(seed) // 2],
        f"html/{name}.trunc_tag.html": seed[: seed.rfind(b"<p>") + 2],
        f"html/{name}.utf16le_nobom.html": text.encode("utf-16-le"),
        f"html/{name}.utf16be_nobom.html": text.encode("utf-16-be"),
        f"html/{name}.utf16_bom.html": text.encode("utf-16"),
        f"html/{name}.utf32.html": text.encode("utf-32"),
        f"html/{name}.mixed.html": text[: len(text) // 2].encode("utf-8") + text[len(text) // 2:].encode("cp1252",
                                                                                                          "replace"),
        f"html/{name}.latin1_declared_utf8.html": text.replace("é", "\xe9").encode("latin-1", "replace"),
        f"html/{name}.bogus_charset.html": seed.replace(b'charset="utf-8"', b'charset="x-no-such-codec"'),
        f"html/{name}.utf7_charset.html": seed.replace(b'charset="utf-8"', b'charset="utf-7"'),
        f"html/{name}.nul_one.html": seed[:200] + b"\x00" + seed[200:],
        f"html/{name}.nul_many.html": bytes(b if rng.random() > 0.05 else 0 for b in seed),
        f"html/{name}.bitflip.html": bytes(b ^ (1 << rng.randrange(8)) if rng.random() < 0.02 else b for b in seed),
        f"html/{name}.invalid_utf8.html": seed.replace(b"<p>", b"<p>\xff\xfe\xc3\x28\xed\xa0\x80 "),
        f"html/{name}.shuffled_tags.html": b"".join(rng.sample(seed.split(b"<"), len(seed.split(b"<")))),
        f"html/{name}.no_close.html": seed.replace(b"</p>", b"").replace(b"</article>", b"").replace(b"</body>", b""),
        f"html/{name}.gz_valid.html.gz": gzip.compress(seed, mtime=0),
        f"html/{name}.gz_truncated.html.gz": gzip.compress(seed, mtime=0)[: 40],
        f"html/{name}.gz_crc.html.gz": gzip.compress(seed, mtime=0)[:-8] + b"\0\0\0\0\0\0\0\0",
        f"html/{name}.gz_not_gzip.html.gz": seed,
        f"text/{name}.as_text.txt": seed,
        f"text/{name}.utf16le_nobom.txt": text.encode("utf-16-le"),
    }
    return out


def structural_cases() -> dict[str, bytes]:
    """Pathological shapes that do not depend on a seed."""
    words = " ".join(f"word{i}" for i in range(40))
    return {
        "html/deep_div_100k.html.gz": gzip.compress(b"<html><body>" + b"<div>" * 100_000 + words.encode()
                                                    + b"</div>" * 100_000 + b"</body></html>", mtime=0),
        "html/deep_unclosed_50k.html.gz": gzip.compress(b"<html><body>" + b"<div><p><span>" * 50_000
                                                        + words.encode(), mtime=0),
        "html/deep_table_20k.html.gz": gzip.compress(b"<table><tr><td>" * 20_000 + words.encode(), mtime=0),
        "html/huge_line_1mb.html.gz": gzip.compress(b"<html><body><p>" + (words.encode() + b" ") * 3_500
                                                    + b"</p></body></html>", mtime=0),
        "html/huge_attr.html.gz": gzip.compress(b'<html><body><p title="' + b"x" * 3_000_000 + b'">' + words.encode()
                                                + b"</p></body></html>", mtime=0),
        "html/comment_unterminated.html": b"<html><body><!-- " + words.encode() * 50,
        "html/script_only.html": b"<html><script>" + b"var a=1;" * 5000 + b"</script></html>",
        "html/cdata_pi.html": b"<?xml version='1.0'?><![CDATA[" + words.encode() + b"]]><?php echo 1 ?><p>"
                              + words.encode() + b"</p>",
        "html/entities.html": b"<p>" + b"&amp;&#0;&#x110000;&#xD800;&nosuch;&#99999999999;" * 500 + b"</p>",
        "html/only_markup.html": b"<" * 10_000,
        "html/empty.html": b"",
        "html/whitespace.html": b" \n\t " * 100,
        "html/binary.html": bytes(random.Random(1).randrange(256) for _ in range(20_000)),
        "html/bom_only.html": b"\xef\xbb\xbf",
        "html/gzip_bomb.html.gz": gzip.compress(b"<p>" + b"a " * 12_500_000, mtime=0),  # 25 MB > max_bytes
        "text/huge_line.txt": ((words + " ") * 1_000).encode(),
        "text/nul.txt": b"hello\x00world " * 100,
        "text/control_chars.txt": bytes(range(32)) * 200 + words.encode(),
    }


def jsonl_cases(sample: dict) -> dict[str, bytes]:
    """JSON Lines with non-object lines, huge numbers and wrong types for every field."""
    text = sample["text"]
    good = {"id": "good", "title": sample["title"], "text": text, "source": "src"}
    wrong = [
        "[1, 2, 3]", '"a string"', "42", "null", "true", "1e999999", "-1e999999",
        json.dumps({**good, "id": "t-list", "text": [text]}),
        json.dumps({**good, "id": "t-dict", "text": {"body": text}}),
        json.dumps({**good, "id": "t-num", "text": 12345}),
        json.dumps({**good, "id": "t-null", "text": None}),
        json.dumps({**good, "id": "t-empty", "text": "   "}),
        json.dumps({**good, "id": "p-garbage", "published": "garbage"}),
        json.dumps({**good, "id": "p-bigfloat", "published": 1e300}),
        json.dumps({**good, "id": "p-negative", "published": -1e20}),
        json.dumps({**good, "id": "p-list", "published": [2024, 1, 1]}),
        json.dumps({**good, "id": "p-bool", "published": True}),
        json.dumps({**good, "id": "p-badiso", "published": "2024-13-45T99:99:99"}),
        json.dumps({**good, "id": "p-offset", "published": "2024-01-01T00:00:00+25:00"}),
        '{"id": "p-inf", "title": "t", "text": ' + json.dumps(text) + ', "published": Infinity}',
        '{"id": "p-nan", "title": "t", "text": ' + json.dumps(text) + ', "published": NaN}',
        json.dumps({**good, "id": {"nested": 1}}),
        json.dumps({**good, "id": ["l"]}),
        json.dumps({**good, "id": 10 ** 30}),
        json.dumps({**good, "id": "f-types", "title": 5, "url": ["http://x"], "source": {"a": 1}, "author": 3.5,
                    "language": False}),
        json.dumps({**good, "id": "f-url", "url": "javascript:alert(1)"}),
        json.dumps({**good, "id": "html-true", "html": True, "text": "<p>" + text + "</p>"}),
        json.dumps({**good, "id": "nul", "text": text.replace(" ", "\x00", 3)}),
        json.dumps({**good, "id": "long", "text": (text + " ") * 200}),
        "{not json",
        '{"text": "unterminated',
        json.dumps(good),
    ]
    lines = "\n".join(wrong).encode()
    return {
        "jsonl/wrong_types.jsonl": lines + b"\n",
        "jsonl/wrong_types.jsonl.gz": gzip.compress(lines, mtime=0),
        "jsonl/truncated.jsonl": lines[: len(lines) * 2 // 3],
        "jsonl/bom.jsonl": b"\xef\xbb\xbf" + json.dumps(good).encode() + b"\n",
        "jsonl/utf16_nobom.jsonl": json.dumps(good, ensure_ascii=False).encode("utf-16-le"),
        "jsonl/crlf_blank.jsonl": b"\r\n\r\n" + json.dumps(good).encode() + b"\r\n\r\n",
        "jsonl/binary.jsonl": bytes(random.Random(2).randrange(256) for _ in range(5000)),
        "jsonl/gz_broken.jsonl.gz": b"\x1f\x8b\x08\x00" + b"\xff" * 64,
        "jsonl/moderate_nesting.jsonl": (b'{"id": "n", "text": "' + text.encode() + b'", "x": ' + b"[" * 500
                                         + b"]" * 500 + b"}\n"),
    }


# Inputs that crash a reader today: kept out of the files above so those files test everything else, each tested
# on its own by a strict xfail in test_fuzz.py. Key: relative corpus path.
KNOWN_BUGS = {
    "bugs/jsonl_deep_nesting.jsonl": "bug: read_jsonl lets json's RecursionError escape on deeply nested lines",
    "bugs/jsonl_huge_int.jsonl": "bug: read_jsonl lets ValueError (int over 4300 digits) escape",
    "bugs/jsonl_lone_surrogate.jsonl": "bug: a lone surrogate (\\ud800) in JSONL text crashes the dedup stage",
    "bugs/jsonl_date_overflow.jsonl": "bug: parse_time lets OverflowError escape for 9999-12-31T23:59:59-12:00",
    "bugs/jsonl_extreme_dates.jsonl": "bug: nlp.dates resolve_date overflows for articles published in year 1/9999",
    "bugs/feed_json_deep.feed.json": "bug: parse_feed lets RecursionError escape on a deeply nested JSON Feed",
    "bugs/html_many_paragraphs.html.gz": "bug: build_brief is quadratic in sentences (sentences._split, disagree.py)",
    "bugs/html_many_inline_tags.html.gz": "bug: extraction of 300k inline tags (2.7 MB) takes ~40 s: no size cap",
    "bugs/jsonl_bad_ipv6_url.jsonl": "bug: canonical_url lets urlsplit's ValueError escape (url 'http://[::1')",
    "bugs/html_bad_ipv6_canonical.html": "bug: canonical_url lets urlsplit's ValueError escape (canonical link)",
    # found by the HTTP fuzzing (test_http_fuzz.py) in the local readers too:
    "bugs/html_meta_charset_undefined.html": "bug: decode_bytes lets UnicodeError escape for <meta charset=undefined>"
                                             " (the 'undefined' codec raises; it caught only UnicodeDecodeError)",
    "bugs/html_meta_unicode_escape.html": "bug: decode_bytes decoded with a declared unicode_escape: '\\ud800' in the"
                                          " page became a lone surrogate and make_id crashed in read_html",
}
OPEN_BUGS: dict[str, str] = {}  # inputs that still crash: strict xfails in test_fuzz.py until fixed


def bug_cases(sample: dict) -> dict[str, bytes]:
    text = json.dumps(sample["text"])
    return {
        "bugs/jsonl_deep_nesting.jsonl": b'{"id": "deep", "text": ' + text.encode() + b', "x": ' + b"[" * 100_000
                                         + b"]" * 100_000 + b"}\n",
        "bugs/jsonl_huge_int.jsonl": b'{"id": "big", "text": ' + text.encode() + b', "n": 1' + b"0" * 5000 + b"}\n",
        "bugs/jsonl_lone_surrogate.jsonl": b'{"id": "sur", "text": "\\ud800 ' + text[1:].encode() + b"}\n",
        "bugs/jsonl_date_overflow.jsonl": b'{"id": "late", "text": ' + text.encode()
                                          + b', "published": "9999-12-31T23:59:59-12:00"}\n',
        "bugs/jsonl_extreme_dates.jsonl": b'{"id": "y1", "text": ' + text.encode()
                                          + b' , "published": "0001-01-01T00:00:00Z"}\n{"id": "y9999", "text": '
                                          + text.encode() + b', "published": "9999-12-31T23:59:59Z"}\n',
        "bugs/feed_json_deep.feed.json": b'{"version": "https://jsonfeed.org/version/1", "items": ' + b"[" * 100_000
                                         + b"]" * 100_000 + b"}",
        "bugs/html_many_inline_tags.html.gz": gzip.compress(b"<html><body>" + b"<b>a</b> " * 300_000
                                                            + b"</body></html>", mtime=0),
        "bugs/jsonl_bad_ipv6_url.jsonl": b'{"id": "v6", "url": "http://[::1", "text": ' + text.encode() + b"}\n",
        "bugs/html_bad_ipv6_canonical.html": b'<html><head><link rel="canonical" href="http://[::1/a"></head><body>'
                                             + b"<p>" + text.encode() + b"</p></body></html>",
        "bugs/html_many_paragraphs.html.gz": gzip.compress(b"<html><body>" + b"<p>Short line.</p>" * 40_000
                                                           + b"</body></html>", mtime=0),
        "bugs/html_meta_charset_undefined.html": b'<html><head><meta charset="undefined"></head><body><p>'
                                                 + text.encode() + b" caf\xe9</p></body></html>",
        "bugs/html_meta_unicode_escape.html": b'<html><head><meta charset="unicode_escape"></head><body><p>'
                                              + text.encode() + b" \\ud800 caf\xe9</p></body></html>",
    }


def warc_cases(seed: bytes) -> dict[str, bytes]:
    """A valid archive, and truncated, garbled and hostile variants of it."""
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    def archive(records: list[tuple[str, str, bytes, str]], gz: bool) -> bytes:
        buf = io.BytesIO()
        writer = WARCWriter(buf, gzip=gz)
        for url, status, body, ctype in records:
            headers = StatusAndHeaders(status, [("Content-Type", ctype)], protocol="HTTP/1.1")
            writer.write_record(writer.create_warc_record(url, "response", payload=io.BytesIO(body),
                                                          http_headers=headers))
        return buf.getvalue()

    ok = [("http://news.example/a", "200 OK", seed, "text/html; charset=utf-8"),
          ("http://news.example/b", "404 Not Found", b"<p>missing</p>", "text/html"),
          ("http://news.example/c", "200 OK", b"\x89PNG....", "image/png"),
          ("http://news.example/d", "200 OK", seed.decode().encode("utf-16-le"), "text/html"),
          ("http://news.example/e", "200 OK", b"<p>" + b"\x00" * 500 + b"</p>", "text/html"),
          ("http://news.example/f", "abc", seed, "text/html"),
          ("not a url at all", "200 OK", seed, "text/html")]
    plain, packed = archive(ok, gz=False), archive(ok, gz=True)
    return {
        "warc/valid.warc": plain,
        "warc/valid.warc.gz": packed,
        "warc/truncated.warc": plain[: len(plain) // 2],
        "warc/truncated.warc.gz": packed[: len(packed) // 2],
        "warc/bad_length.warc": plain.replace(b"Content-Length: ", b"Content-Length: 9", 1),
        "warc/neg_length.warc": plain.replace(b"Content-Length: ", b"Content-Length: -", 1),
        "warc/garbage.warc": b"WARC/1.0\r\nWARC-Type: response\r\nContent-Length: 999999\r\n\r\nHTTP/1.1 200 OK\r\n",
        "warc/not_warc.warc": seed,
        "warc/not_gzip.warc.gz": b"\x1f\x8b\x08\x00" + b"\x00" * 100,
        "warc/empty.warc": b"",
        "warc/bitflip.warc.gz": bytes(b ^ 0x10 if i % 97 == 50 else b for i, b in enumerate(packed)),
    }


def feed_cases() -> dict[str, bytes]:
    item = "<item><title>T {n}</title><link>http://news.example/{n}</link><pubDate>{d}</pubDate></item>"
    dates = ["Mon, 06 Sep 2023 14:30:00 GMT", "garbage", "Mon, 99 Foo 99999 99:99:99 +9999",
             "Fri, 31 Dec 9999 23:59:59 -1400", ""]
    rss = ('<?xml version="1.0"?><rss version="2.0"><channel><title>Feed</title>'
           + "".join(item.format(n=n, d=d) for n, d in enumerate(dates)) + "</channel></rss>").encode()
    lol = "".join(f'<!ENTITY l{i} "' + f"&l{i - 1};" * 10 + '">' for i in range(1, 9))
    return {
        "feeds/rss.xml": rss,
        "feeds/rss_truncated.xml": rss[: len(rss) * 2 // 3],
        "feeds/rss_utf16_nobom.xml": rss.decode().encode("utf-16-le"),
        "feeds/rss_nul.xml": rss.replace(b"<channel>", b"<channel>\x00"),
        "feeds/rss_deep.xml": rss.replace(b"<channel>", b"<channel>" + b"<x>" * 50_000 + b"</x>" * 50_000),
        "feeds/rss_entities.xml": (f'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY l0 "lol">{lol}]>'
                                   '<rss version="2.0"><channel><title>&l8;</title><item><title>&l8;</title>'
                                   "<link>http://news.example/1</link></item></channel></rss>").encode(),
        "feeds/rss_bad_links.xml": b'<rss version="2.0"><channel><item><link>javascript:x</link></item><item>'
                                   b"<link></link></item><item><title>no link</title></item></channel></rss>",
        "feeds/atom_relative.atom": b'<feed xmlns="http://www.w3.org/2005/Atom"><entry><link href="/a"/>'
                                    b"<updated>0001-01-01T00:00:00Z</updated></entry></feed>",
        "feeds/garbage.xml": bytes(random.Random(3).randrange(256) for _ in range(3000)),
        "feeds/empty.xml": b"",
        "feeds/json_ok.feed.json": json.dumps({"version": "https://jsonfeed.org/version/1.1", "title": "J",
                                               "items": [{"url": "http://news.example/j1", "title": "x",
                                                          "date_published": "2024-01-01T00:00:00Z"}]}).encode(),
        "feeds/json_wrong_types.feed.json": json.dumps({
            "version": "https://jsonfeed.org/version/1.1", "title": ["x"], "home_page_url": 5,
            "items": [1, "x", None, {"url": 5}, {"url": "javascript:alert(1)"}, {"url": ["http://a"]},
                      {"url": "http://a/b", "date_published": "garbage", "title": ["x"], "summary": {"a": 1}},
                      {"url": "http://a/c", "date_published": 1e300}]}).encode(),
        "feeds/json_items_not_list.feed.json": b'{"version": "https://jsonfeed.org/version/1", "items": {"a": 1}}',
        "feeds/json_version_number.feed.json": b'{"version": 1, "items": []}',
        "feeds/json_not_object.feed.json": b"[1, 2, 3]",
        "feeds/json_deep_500.feed.json": b'{"version": "https://jsonfeed.org/version/1", "items": ' + b"[" * 500
                                         + b"]" * 500 + b"}",
    }


def seed_documents(stories_jsonl: Path, count: int = 2) -> tuple[list[tuple[str, bytes]], dict]:
    """Real article pages built from the AllSides stories (title and paragraphs), and one sample article object."""
    seeds, sample = [], None
    with stories_jsonl.open() as handle:
        for n, line in enumerate(handle):
            doc = json.loads(line)["docs"][0]
            sample = sample or doc
            paragraphs = [s.strip() + "." for s in doc["text"].split(". ") if s.strip()]
            seeds.append((f"allsides{n}", _html(doc["title"], paragraphs)))
            if len(seeds) == count:
                break
    return seeds, sample


def mutation_corpus(stories_jsonl: Path, extra_html: list[tuple[str, bytes]] = (), seed: int = 7,
                    count: int = 2) -> dict[str, bytes]:
    """The whole corpus, deterministic for a seed."""
    rng = random.Random(seed)
    seeds, sample = seed_documents(stories_jsonl, count)
    seeds += list(extra_html)
    corpus: dict[str, bytes] = {}
    for name, html in seeds:
        corpus.update(html_mutations(name, html, rng))
    corpus.update(structural_cases())
    corpus.update(jsonl_cases(sample))
    corpus.update(warc_cases(seeds[0][1]))
    corpus.update(feed_cases())
    corpus.update(bug_cases(sample))
    return corpus


def random_mutation(data: bytes, rng: random.Random) -> bytes:
    """One random byte-level mutation (for the longer campaign in bench/fuzz.py)."""
    if not data:
        return bytes(rng.randrange(256) for _ in range(rng.randint(1, 64)))
    kind = rng.randrange(7)
    i = rng.randrange(len(data))
    if kind == 0:
        return data[:i]
    if kind == 1:
        return data[:i] + bytes([rng.randrange(256)]) + data[i + 1:]
    if kind == 2:
        return data[:i] + bytes(rng.randrange(256) for _ in range(rng.randint(1, 16))) + data[i:]
    if kind == 3:
        j = rng.randrange(len(data))
        return data[:i] + data[j:j + rng.randint(1, 2000)] * rng.randint(1, 50) + data[i:]
    if kind == 4:
        return data[:i] + b"\x00" + data[i:]
    if kind == 5:
        return data[:i] + rng.choice([b"<div>", b"<p>", b"<!--", b"<![CDATA[", b"&#", b"\xff", b"\xed\xa0\x80",
                                      b"</", b'"', b"{", b"["]) * rng.randint(1, 3000) + data[i:]
    j = rng.randrange(len(data))
    return data[:min(i, j)] + data[max(i, j):]
