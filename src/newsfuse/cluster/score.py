"""Clustering scores against gold labels: B-cubed precision/recall/F1, pair F1 and cluster counts."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Mapping


@dataclass(frozen=True, slots=True)
class ClusterScore:
    bcubed_precision: float
    bcubed_recall: float
    bcubed_f1: float
    pair_precision: float
    pair_recall: float
    pair_f1: float
    predicted_clusters: int
    gold_clusters: int

    def __str__(self) -> str:
        return (f"B3 P/R/F1 {self.bcubed_precision:.3f}/{self.bcubed_recall:.3f}/{self.bcubed_f1:.3f}  "
                f"pair P/R/F1 {self.pair_precision:.3f}/{self.pair_recall:.3f}/{self.pair_f1:.3f}  "
                f"clusters {self.predicted_clusters} (gold {self.gold_clusters})")


def _f1(p: float, r: float) -> float:
    return 2 * p * r / (p + r) if p + r else 0.0


def _pairs(n: int) -> int:
    return n * (n - 1) // 2


def score_clusters(predicted: Mapping[str, str], gold: Mapping[str, str]) -> ClusterScore:
    """Score a predicted item -> cluster mapping against gold item -> class, over the gold items."""
    items = list(gold)
    both = Counter((predicted[i], gold[i]) for i in items)
    pred_size = Counter(predicted[i] for i in items)
    gold_size = Counter(gold[i] for i in items)
    precision = sum(n * n / pred_size[p] for (p, _), n in both.items()) / len(items)
    recall = sum(n * n / gold_size[g] for (_, g), n in both.items()) / len(items)
    shared = sum(_pairs(n) for n in both.values())
    pred_pairs, gold_pairs = sum(map(_pairs, pred_size.values())), sum(map(_pairs, gold_size.values()))
    pair_p = shared / pred_pairs if pred_pairs else 1.0
    pair_r = shared / gold_pairs if gold_pairs else 1.0
    return ClusterScore(precision, recall, _f1(precision, recall), pair_p, pair_r, _f1(pair_p, pair_r),
                        len(pred_size), len(gold_size))


__all__ = ["ClusterScore", "score_clusters"]
