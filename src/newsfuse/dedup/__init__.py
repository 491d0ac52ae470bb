"""Exact and near-duplicate detection, containment, lineage. Articles -> Duplicate links.

``Deduplicator`` is the online index (MinHash LSH with rensa, candidates verified on exact shingle sets);
``find_duplicates`` runs it over a batch in time order. Per-article state for the store comes from
``Deduplicator.export_state`` and goes back with ``Deduplicator.load``.
"""
from .batch import find_duplicates, time_key, time_order
from .index import Deduplicator
from .shingles import containment, jaccard, shingle_hashes
from .state import Fingerprint

__all__ = ["Deduplicator", "Fingerprint", "containment", "find_duplicates", "jaccard", "shingle_hashes",
           "time_key", "time_order"]
