"""Online story assignment. Articles -> story ids.

``StoryAssigner`` assigns articles in time order to stories (hashed TF-IDF cosines of title, body and
entities, time window); ``cluster_articles`` runs dedup then assignment over a batch; ``score_clusters``
scores a clustering against gold labels (B-cubed and pair F1).
"""
from .assigner import StoryAssigner, story_id_for
from .batch import cluster_articles
from .score import ClusterScore, score_clusters

__all__ = ["ClusterScore", "StoryAssigner", "cluster_articles", "score_clusters", "story_id_for"]
