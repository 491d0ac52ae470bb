"""Story assignment. Articles -> story ids.

``StoryAssigner`` places each run's new articles (``assign_many``) or one article (``assign``) with the batch
method, the held stories as fixed seeds, and persists its state (``export_state``/``load_state``); ``cluster_articles`` runs dedup then assignment over a batch; ``score_clusters``
scores a clustering against gold labels (B-cubed and pair F1); ``Corrections`` carries the analyst's merges,
splits and exclusions, respected by both modes. ``cluster_articles`` is batch mode: TF-IDF fitted on the batch
and average-linkage agglomeration (``agglomerate``). Both modes add a dense term (sentence
embeddings, ``embed``) when the ``embeddings`` mode asks for it and the extra is installed.
"""
from .assigner import StoryAssigner, story_id_for
from .batch import cluster_articles
from .corrections import Corrections
from .score import ClusterScore, score_clusters


__all__ = ["ClusterScore", "Corrections", "StoryAssigner", "cluster_articles", "score_clusters",
           "story_id_for"]
