"""Exact and near-duplicate detection, containment, lineage. Articles -> Duplicate links.

``Deduplicator`` is the online index (rensa MinHash signatures, LSH bands in ``BandIndex``, candidates
verified on the shingle sets, every article a row of ``table.ArticleTable``: ~1.7 KB per 500-word article);
``find_duplicates`` runs it over a batch in time order. Per-article state for the store comes from
``Deduplicator.export_state`` and goes back with ``Deduplicator.load``. ``added_passages`` lists what a copy adds
to its original; ``Deduplicator.repointed`` lists links changed when an older article arrived late.
"""
from .batch import find_duplicates, time_key, time_order
from .index import Deduplicator
from .passages import added_passages
from .shingles import containment, jaccard, shingle_hashes
from .state import Fingerprint

__all__ = ["Deduplicator", "Fingerprint", "added_passages", "containment", "find_duplicates", "jaccard",
           "shingle_hashes", "time_key", "time_order"]
