"""A generator of realistic syndication from real news text, and the pair scores of the dedup gate.

Sources (read-only, ``../shared/data/stories``): wikiref220 articles (61-1,535 words, paragraphs) serve as wire
stories and, disjointly, as the local text that embeds them; the AllSides docs (three outlets on one event, title
plus opening sentences, ~60 words) serve as short wire briefs and as same-event articles that are NOT copies.

Every copy group has an original and 1-4 copies, each copy derived from the original or from an earlier copy
(a chain, as syndication does) by a random mix of:

- furniture around the body: navigation lines, "Advertisement" between paragraphs, share prompts, a related
  headline, a copyright line (the same few lines recur across outlets, as they do on the web);
- truncation: the copy keeps the first 50-90% of the words, cut at a sentence end;
- light edits: a few word substitutions (one per 40-80 words), punctuation and quote style, "U.S." -> "US";
- retitling: another headline as the first line;
- embedding (wire stories only): the 150-400-word story inside 2-3x its length of another article's text.

Group ids are the gold: two articles are a copy pair iff they share a group. Short briefs are only copied with
furniture, edits and retitling (a 60-word brief truncated to 30 words is below ``containment_min_words`` and is
not a copy anyone could prove). Which AllSides docs get copies is random; the other docs of their story stay in
the corpus, so same-event pairs (different docs of one AllSides story, including their copies) are plentiful.
"""
from __future__ import annotations

import json
import random
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from itertools import combinations
from pathlib import Path

from newsfuse.records import Article

T0 = datetime(2023, 9, 1, tzinfo=timezone.utc)
NAV = ["Skip to main content", "Home | News | World | Politics | Business | Sports | Opinion", "Menu", "Sign In",
       "Subscribe", "Breaking News", "Search", "Local News", "Trending Now"]
ADS = ["Advertisement", "ADVERTISEMENT", "Story continues below advertisement", "Sponsored content"]
SHARE = ["Share this article", "Share on Facebook", "Share on Twitter", "Email this story", "Copy link",
         "Sign up for our newsletter to get the latest headlines in your inbox", "Click here to subscribe"]
COPYRIGHT = ["© 2023 The Associated Press. All rights reserved. This material may not be published, broadcast, "
             "rewritten or redistributed.", "Copyright 2023 Reuters. All rights reserved.",
             "Copyright © 2023 Nexstar Media Inc. All rights reserved.", "© 2023 Cox Media Group"]
SWAPS = {"said": "stated", "says": "stated", "told": "informed", "people": "residents", "government": "administration",
         "president": "President", "also": "additionally", "about": "around", "more": "over", "after": "following",
         "before": "ahead of", "but": "however", "which": "that", "new": "fresh", "big": "large", "show": "reveal"}
FILLER_WORDS = ["reportedly", "meanwhile", "officials", "on Tuesday", "earlier", "local", "however"]
_SENTENCE_END = re.compile(r"(?:(?<=[.!?])|(?<=[.!?][\"”’']))\s+")


@dataclass
class Corpus:
    articles: list[Article] = field(default_factory=list)
    group: dict[str, str] = field(default_factory=dict)  # article id -> copy group id (singletons included)
    event: dict[str, str] = field(default_factory=dict)  # article id -> AllSides story id (brief articles only)
    kind: dict[str, str] = field(default_factory=dict)  # article id -> how it was made ("original", "embed", ...)


def load_sources(data: Path) -> tuple[list[dict], list[dict]]:
    stories = data / "stories"
    allsides = [json.loads(line) for line in (stories / "allsides-roundups.jsonl").read_text().splitlines()]
    wikiref = [json.loads(line) for line in (stories / "wikiref220.jsonl").read_text().splitlines()]
    # .37 repeats most of .36 (a real copy in the set): keep one of them so the gold stays exact.
    wikiref = [w for w in wikiref if not w["id"].endswith("cypriot.financial.crisis.37.txt")]
    return allsides, wikiref


def sentences(text: str) -> list[str]:
    return [s for s in _SENTENCE_END.split(text.strip()) if s]


def paragraphs(text: str) -> list[str]:
    paras = [p.strip() for p in text.split("\n") if p.strip()]
    if len(paras) > 1:
        return paras
    sents = sentences(text)
    return [" ".join(sents[i:i + 3]) for i in range(0, len(sents), 3)] or [text]


def truncate(text: str, rng: random.Random) -> str:
    """The first 50-90% of the words, cut at the sentence end nearest the cut."""
    paras, total = paragraphs(text), len(text.split())
    goal, kept, count = rng.uniform(0.5, 0.9) * total, [], 0
    for para in paras:
        part = []
        for sent in sentences(para):
            if count >= goal:
                break
            part.append(sent)
            count += len(sent.split())
        if part:
            kept.append(" ".join(part))
        if count >= goal:
            break
    return "\n\n".join(kept)


def edit(text: str, rng: random.Random) -> str:
    """A few word substitutions (one per 40-80 words), quote style, punctuation, an inserted word."""
    tokens = re.split(r"(\s+)", text)
    words_at = [i for i, t in enumerate(tokens) if t.strip()]
    for i in rng.sample(words_at, max(1, len(words_at) // rng.randint(40, 80))):
        bare = tokens[i].strip(".,;:\"'“”’")
        swap = SWAPS.get(bare.lower())
        tokens[i] = tokens[i].replace(bare, swap) if swap and bare else tokens[i] + " " + rng.choice(FILLER_WORDS)
    out = "".join(tokens)
    if rng.random() < 0.5:
        out = re.sub(r'"([^"]*)"', r"“\1”", out).replace("'", "’")
    if rng.random() < 0.5:
        out = out.replace("U.S.", "US").replace(" percent", "%")
    if rng.random() < 0.3:
        out = out.replace(", ", " — ", 2)
    return out


def furnish(text: str, rng: random.Random, headlines: list[str]) -> str:
    """Navigation on top, ads and share prompts between paragraphs, related headline and copyright at the end."""
    paras = paragraphs(text)
    out = rng.sample(NAV, rng.randint(2, 5))
    for i, para in enumerate(paras):
        out.append(para)
        if i < len(paras) - 1 and rng.random() < 0.3:
            out.append(rng.choice(ADS if rng.random() < 0.6 else SHARE))
    if rng.random() < 0.6:
        out.append("Related: " + rng.choice(headlines))
    out += rng.sample(SHARE, rng.randint(0, 2)) + ([rng.choice(COPYRIGHT)] if rng.random() < 0.7 else [])
    return "\n".join(out)


def retitle(text: str, rng: random.Random, title: str) -> str:
    body = text.split("\n", 1)[1] if "\n" in text else text
    new = rng.choice(["UPDATE: ", "WATCH: ", "", "Report: "]) + " ".join(rng.sample(title.split(), len(title.split())))
    return new + "\n\n" + body


def clip(text: str, low: int, high: int, rng: random.Random) -> str:
    """A 150-400-word wire story: whole sentences from the start of ``text``, between low and high words."""
    goal, kept, count = rng.randint(low, high), [], 0
    for sent in sentences(text.replace("\n\n", " ")):
        if count >= goal:
            break
        kept.append(sent)
        count += len(sent.split())
    return " ".join(kept)


class SyndicationGenerator:
    """Builds a ``Corpus``; the same seed gives the same corpus."""

    def __init__(self, allsides: list[dict], wikiref: list[dict], seed: int = 7):
        self.rng = random.Random(seed)
        self.allsides, self.wikiref = allsides, list(wikiref)
        self.headlines = [d["title"] for s in allsides for d in s["docs"]]
        self.corpus = Corpus()
        self.clock = 0
        self.filler_at = 0

    def build(self, brief_copy_share: float = 0.35) -> Corpus:
        rng = self.rng
        rng.shuffle(self.wikiref)
        half = len(self.wikiref) // 2
        wires, fillers = self.wikiref[:half], self.wikiref[half:]
        # Some pages repeat their body (as scrapers save them): each filler paragraph is used once.
        filler_paras = dict.fromkeys(p for f in fillers for p in paragraphs(f["text"]))
        filler_words = [w for p in filler_paras for w in p.split()]
        for n, wire in enumerate(wires):
            text = wire["text"] if n % 2 else clip(wire["text"], 150, 400, rng)
            self._group(f"w{n}", wire.get("title") or wire["text"].split("\n")[0], text, long=True,
                        filler=filler_words if n % 2 == 0 else None)
        for story in self.allsides:
            for doc in story["docs"]:
                text = doc["title"] + "\n\n" + doc["text"]
                copies = len(text.split()) >= 50 and rng.random() < brief_copy_share
                ids = self._group(f"b{doc['docno']}", doc["title"], text, long=False, copies=copies)
                for i in ids:
                    self.corpus.event[i] = story["id"]
        return self.corpus

    def _group(self, group: str, title: str, text: str, long: bool, copies: bool = True,
               filler: list[str] | None = None) -> list[str]:
        rng, ids = self.rng, [f"{group}-0"]
        self._add(ids[0], group, text, "original")
        versions = [text]
        for j in range(1, 1 + (rng.randint(1, 4) if copies else 0)):
            source = rng.choice(versions)
            if filler is not None and rng.random() < 0.4:
                kind, copy = "embed", self._embed(source, filler)
            else:
                kind, copy = self._transform(source, title, long)
            ids.append(f"{group}-{j}")
            self._add(ids[-1], group, copy, kind)
            versions.append(copy) if kind != "embed" else None
        return ids

    def _transform(self, text: str, title: str, long: bool) -> tuple[str, str]:
        rng, steps = self.rng, []
        if long and rng.random() < 0.5:
            text, steps = truncate(text, rng), steps + ["truncate"]
        if rng.random() < 0.7:
            text, steps = edit(text, rng), steps + ["edit"]
        if rng.random() < 0.4:
            text, steps = retitle(text, rng, title), steps + ["retitle"]
        if rng.random() < 0.7 or not steps:
            text, steps = furnish(text, rng, self.headlines), steps + ["furniture"]
        return "+".join(steps), text

    def _embed(self, wire: str, filler: list[str]) -> str:
        """The wire story inside 2-3x its length of another article's text (a slice used once)."""
        rng, size = self.rng, len(wire.split())
        need = int(size * rng.uniform(2, 3))
        start = self.filler_at
        self.filler_at = start + need
        words = filler[start:start + need]
        cut = rng.randint(len(words) // 4, 3 * len(words) // 4)
        body = edit(wire, rng) if rng.random() < 0.3 else wire
        return " ".join(words[:cut]) + "\n\n" + body + "\n\n" + " ".join(words[cut:])

    def _add(self, article_id: str, group: str, text: str, kind: str) -> None:
        self.clock += 1
        published = T0 + timedelta(minutes=self.clock)
        self.corpus.articles.append(Article(id=article_id, text=text, published=published))
        self.corpus.group[article_id] = group
        self.corpus.kind[article_id] = kind


def pair_scores(gold: dict[str, str], predicted: dict[str, str]) -> dict[str, float]:
    """Pair precision/recall/F1 of "same copy group": ``gold`` and ``predicted`` map article id -> group id."""
    def pairs(groups: dict[str, str]) -> set[tuple[str, str]]:
        members: dict[str, list[str]] = {}
        for article_id, g in groups.items():
            members.setdefault(g, []).append(article_id)
        return {p for ids in members.values() for p in combinations(sorted(ids), 2)}

    want, got = pairs(gold), pairs(predicted)
    hit = len(want & got)
    precision = hit / len(got) if got else 1.0
    recall = hit / len(want) if want else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1, "gold_pairs": len(want), "predicted_pairs": len(got)}


def same_event_precision(corpus: Corpus, predicted: dict[str, str]) -> tuple[float, int]:
    """Share of same-event pairs that are not copies (different AllSides docs of one story) left unlinked."""
    by_event: dict[str, list[str]] = {}
    for article_id, event in corpus.event.items():
        by_event.setdefault(event, []).append(article_id)
    pairs = [(a, b) for ids in by_event.values() for a, b in combinations(ids, 2)
             if corpus.group[a] != corpus.group[b]]
    apart = sum(predicted[a] != predicted[b] for a, b in pairs)
    return (apart / len(pairs) if pairs else 1.0), len(pairs)


def predicted_groups(links) -> dict[str, str]:
    """Article id -> its original's id, from Duplicate links."""
    return {d.id: d.duplicate_of or d.id for d in links}


__all__ = ["Corpus", "SyndicationGenerator", "load_sources", "pair_scores", "predicted_groups",
           "same_event_precision"]
