"""Choose story grouping's settings (ClusterConfig.similarity, window_days) by leave-one-set-out.

Run: .venv/bin/python bench/tune_cluster.py             the grid on every dev set, then the leave-one-set-out table
     .venv/bin/python bench/tune_cluster.py --halves    the same with each set split into two halves by gold label
     .venv/bin/python bench/tune_cluster.py --score     the default config only, batch and live, every figure
     .venv/bin/python bench/tune_cluster.py --same-day  same_day_similarity (similarity and window_days at their
                                                        defaults), and its leave-one-set-out; with --halves too
     .venv/bin/python bench/tune_cluster.py --dense     the dense term (embeddings extra): weight x baseline x the
                                                        similarity it is read at, batch, and its leave-one-set-out
     .venv/bin/python bench/tune_cluster.py --length    calibration by article length, measured (not in newsfuse):
                                                        each unit row scaled by (terms / ref) ** (beta / 2), so a
                                                        pair's cosine is scaled by the geometric mean of the two
                                                        lengths' factors; beta x ref x similarity, batch
     .venv/bin/python bench/tune_cluster.py --baseline  the yardstick: single-pass TF-IDF centroids
                                                        (``single_pass.py``) over a threshold grid, its
                                                        leave-one-set-out table, and the default config beside it

The sets (../shared/data): BASIL and Giveme5W1H events (B-cubed F1), AllSides roundups (B-cubed F1), WikiRef220
topics (B-cubed F1), Timeline17 storylines (purity: a story must not mix storylines; every 2nd article), and 400
WCXB dev article pages' gold texts (unrelated pages: the score is min(1, 5 / largest story)). ``--refiled``:
Timeline17 with the articles its collections misfiled refiled (tests/data/stories/timeline17-misfiled.json).
Leave-one-set-out: for each set, the cell chosen on the other sets alone (the best worst score over them, ties by
their mean) and its score on the set left out; beside it the set's own best cell (its oracle). WikiRef220 is
scored but does not choose (see ``leave_one_out``). Nothing here is
timed; batch mode (cluster_articles) is what the grid scores, ``--score`` adds the live path (evaluate.live).
"""
from __future__ import annotations

import itertools
import json
import sys
from pathlib import Path

import numpy as np

from newsfuse.cluster import evaluate, score_clusters
from newsfuse.config import ClusterConfig
from newsfuse.records import Article

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
GRID = {"similarity": [0.1, 0.12, 0.14, 0.16, 0.18, 0.2, 0.22, 0.25], "window_days": [3.0, 7.0, 14.0, 30.0],
        "same_day_similarity": [None]}
SAME_DAY_GRID = {"same_day_similarity": [0.1, 0.12, 0.14, 0.16, 0.18, None]}  # None: no same-day rule
WCXB_PAGES = 400


def wcxb(data: Path) -> evaluate.Labelled:
    """The first WCXB dev article pages' gold main text: each page its own label."""
    articles, gold = [], {}
    for path in sorted((data / "extraction" / "wcxb-dev" / "ground-truth").glob("*.json")):
        truth = json.loads(path.read_text(encoding="utf-8"))
        if truth.get("_internal", {}).get("page_type", {}).get("primary") != "article":
            continue
        text = (truth.get("ground_truth") or {}).get("main_content")
        if text:
            articles.append(Article(id="wcxb" + path.stem, title=truth["ground_truth"].get("title"), text=text))
            gold[articles[-1].id] = path.stem
        if len(articles) >= WCXB_PAGES:
            break
    return articles, gold


MISFILED = Path(__file__).resolve().parents[1] / "tests" / "data" / "stories" / "timeline17-misfiled.json"


def timeline17(refiled: bool = False) -> evaluate.Labelled:
    """Every 2nd Timeline17 article; with ``refiled``, the misfiled ones (tests/data/stories/
    timeline17-misfiled.json) filed under the storyline their text reports."""
    articles, gold = evaluate.timeline17(DATA, every=2)
    if not refiled:
        return articles, gold
    storylines = json.loads(MISFILED.read_text(encoding="utf-8"))["articles"]
    return articles, evaluate.refile(gold, {item: row["storyline"] for item, row in storylines.items()})


SETS = {
    "basil": lambda: evaluate.events_dated(DATA, "basil"),
    "giveme5w1h": lambda: evaluate.events_dated(DATA, "giveme5w1h"),
    "allsides": lambda: evaluate.allsides(DATA),
    "wikiref": lambda: evaluate.wikiref(DATA),
    "timeline17": lambda: timeline17("--refiled" in sys.argv),
    "wcxb": lambda: wcxb(DATA),
}


def score(name: str, predicted: dict[str, str], gold: dict[str, str]) -> float:
    if name == "timeline17":
        return evaluate.purity(predicted, gold)
    if name == "wcxb":
        return min(1.0, 5 / max(evaluate.story_sizes(predicted, gold).values()))
    return score_clusters(predicted, gold).bcubed_f1


def halves(articles: list[Article], gold: dict[str, str]) -> list[evaluate.Labelled]:
    labels = sorted(set(gold.values()))
    out = []
    for half in (set(labels[0::2]), set(labels[1::2])):
        part = [a for a in articles if gold[a.id] in half]
        out.append((part, {a.id: gold[a.id] for a in part}))
    return out


def grid(sets: dict[str, evaluate.Labelled], cells: dict[str, list[float]] = GRID) -> list[dict]:
    rows = []
    for values in itertools.product(*cells.values()):
        cell = dict(zip(cells, values))
        config = ClusterConfig(**cell)
        row = {"cell": cell}
        for name, (articles, gold) in sets.items():
            row[name] = score(name.split("/")[0], evaluate.batch(articles, config), gold)
        rows.append(row)
        print(json.dumps(row), file=sys.stderr, flush=True)
    return rows


def leave_one_out(rows: list[dict], names: list[str]) -> None:
    """WikiRef220 is scored and shown but chooses nothing: its labels are topics (an NBA draft, a Greek debt
    crisis) that span many events, coarser than the stories newsfuse makes; every cell that lifts it merges the
    unrelated WCXB pages and Timeline17's storylines."""
    print(f"{'left out':14s} {'chosen on the others':44s} {'score':>6s}   {'its own best':44s} {'score':>6s}")
    choosers = [n for n in names if not n.startswith("wikiref")]
    for name in names:
        others = [o for o in choosers if o != name and o.split("/")[0] != name.split("/")[0]]
        chosen = max(rows, key=lambda r: (min(r[o] for o in others), sum(r[o] for o in others)))
        best = max(rows, key=lambda r: r[name])
        print(f"{name:14s} {json.dumps(chosen['cell']):44s} {chosen[name]:6.3f}   {json.dumps(best['cell']):44s} "
              f"{best[name]:6.3f}")
    overall = max(rows, key=lambda r: (min(r[o] for o in choosers), sum(r[o] for o in choosers)))
    print("chosen on every set:", json.dumps(overall["cell"]), " ".join(f"{n} {overall[n]:.3f}" for n in names))


def report_default() -> None:
    config = ClusterConfig()
    for name, load in SETS.items():
        articles, gold = load()
        for mode in ("batch", "live"):
            predicted = evaluate.batch(articles, config) if mode == "batch" else evaluate.live(articles, config)
            s, sizes = score_clusters(predicted, gold), evaluate.story_sizes(predicted, gold)
            print(f"{name:11s} {mode:5s} {s}  largest {max(sizes.values())}  purity "
                  f"{evaluate.purity(predicted, gold):.3f}  score {score(name, predicted, gold):.3f}")


DENSE_GRID = {"weight": [0.1, 0.2, 0.3, 0.5], "baseline": [0.1, 0.2], "similarity": [0.2, 0.25]}


def dense_grid(sets: dict[str, evaluate.Labelled]) -> list[dict]:
    """Each set embedded once; each cell clusters with DenseTerm(weight, baseline) read at ``similarity`` (the
    default term's scale turns the chosen one back into the TF-IDF similarity: 0.2 / 0.25 = 0.8)."""
    from newsfuse.cluster.batch import cluster_articles
    from newsfuse.cluster.embed import DenseTerm, embed_articles

    rows_by_id = {}
    for articles, _ in sets.values():
        rows_by_id.update(zip((a.id for a in articles), embed_articles(articles)))

    def dense(articles: list[Article]) -> np.ndarray:
        return np.array([rows_by_id[a.id] for a in articles], dtype=np.float32)

    rows = []
    for weight, baseline, similarity in itertools.product(*DENSE_GRID.values()):
        cell = {"weight": weight, "baseline": baseline, "similarity": similarity}
        term = DenseTerm(weight=weight, baseline=baseline, scale=1.0)
        row = {"cell": cell} | {name: score(name, cluster_articles(articles, ClusterConfig(similarity=similarity),
                                                                   dense=dense, term=term), gold)
                                for name, (articles, gold) in sets.items()}
        rows.append(row)
        print(json.dumps(row), file=sys.stderr, flush=True)
    return rows


LENGTH_GRID = {"beta": [0.25, 0.5, 1.0], "ref": [40.0, 60.0, 80.0], "similarity": [0.18, 0.2, 0.22]}


def length_grid(sets: dict[str, evaluate.Labelled]) -> list[dict]:
    """Calibration by length: the rows ``DocumentFrequencies.weigh`` returns, each scaled by (n / ref) ** (beta / 2)
    where n is the row's count of distinct terms. Scaling each row by a factor of its own is the only per-pair
    calibration that keeps a story's centroid (the sum of its rows) exact for average linkage. Beta 0 is newsfuse."""
    from newsfuse.cluster import features

    weigh, factor = features.DocumentFrequencies.weigh, {"beta": 0.0, "ref": 60.0}

    def scaled(self, rows):
        out = weigh(self, rows)
        terms = np.diff(out.indptr).astype(np.float64)
        out.data *= np.repeat((np.maximum(terms, 1.0) / factor["ref"]) ** (factor["beta"] / 2), np.diff(out.indptr))
        return out

    features.DocumentFrequencies.weigh = scaled
    cells = [(0.0, 60.0, s) for s in LENGTH_GRID["similarity"]] + list(itertools.product(*LENGTH_GRID.values()))
    rows = []
    try:
        for beta, ref, similarity in cells:
            factor.update(beta=beta, ref=ref)
            row = {"cell": {"beta": beta, "ref": ref, "similarity": similarity}}
            row |= {name: score(name, evaluate.batch(articles, ClusterConfig(similarity=similarity)), gold)
                    for name, (articles, gold) in sets.items()}
            rows.append(row)
            print(json.dumps(row), file=sys.stderr, flush=True)
    finally:
        features.DocumentFrequencies.weigh = weigh
    return rows


BASELINE_THRESHOLDS = [0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.5]


def baseline(sets: dict[str, evaluate.Labelled]) -> None:
    """The single-pass baseline's grid and leave-one-set-out table, then per set: the default config's score, the
    baseline's score at the threshold chosen without the set, and the baseline's best threshold on the set."""
    from single_pass import single_pass

    rows = []
    for threshold in BASELINE_THRESHOLDS:
        row = {"cell": {"threshold": threshold}} | {name: score(name, single_pass(articles, threshold), gold)
                                                    for name, (articles, gold) in sets.items()}
        rows.append(row)
        print(json.dumps(row), file=sys.stderr, flush=True)
    leave_one_out(rows, list(sets))
    choosers = [n for n in sets if not n.startswith("wikiref")]
    print(f"{'set':14s} {'newsfuse':>9s} {'baseline, left out':>19s} {'baseline, its best':>19s}")
    for name, (articles, gold) in sets.items():
        others = [o for o in choosers if o != name]
        chosen = max(rows, key=lambda r: (min(r[o] for o in others), sum(r[o] for o in others)))
        best = max(rows, key=lambda r: r[name])
        ours = score(name, evaluate.batch(articles, ClusterConfig()), gold)
        print(f"{name:14s} {ours:9.3f} {chosen[name]:13.3f} ({chosen['cell']['threshold']:.2f}) "
              f"{best[name]:13.3f} ({best['cell']['threshold']:.2f})")


def main(argv: list[str]) -> None:
    if "--score" in argv:
        report_default()
        return
    if "--dense" in argv:
        sets = {name: load() for name, load in SETS.items()}
        leave_one_out(dense_grid(sets), list(sets))
        return
    sets = {name: load() for name, load in SETS.items()}
    if "--baseline" in argv:
        baseline(sets)
        return
    if "--length" in argv:
        leave_one_out(length_grid(sets), list(sets))
        return
    if "--halves" in argv:
        sets = {f"{name}/{i}": half for name, labelled in sets.items() if name != "wcxb"
                for i, half in enumerate(halves(*labelled))} | {"wcxb": sets["wcxb"]}
    rows = grid(sets, SAME_DAY_GRID if "--same-day" in argv else GRID)
    leave_one_out(rows, list(sets))


if __name__ == "__main__":
    main(sys.argv[1:])
