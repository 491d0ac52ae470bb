"""Related stories: other stories of a stored story's storyline (reports the time window or the similarity kept
apart, ``StoryAssigner.related``), read from the store's saved links or computed from its assigner state."""
from __future__ import annotations

from typing import TYPE_CHECKING, Iterable, Iterator

from .config import ClusterConfig
from .records import Article

if TYPE_CHECKING:
    from .pipeline import RunStore


def stored_stories(store: RunStore) -> Iterator[tuple[str, list[Article]]]:
    """Each stored story with its original articles (copies count once, through their original)."""
    copies = {i for i, d in store.duplicates().items() if d.duplicate_of is not None}
    for story in store.story_ids():
        yield story, store.articles(i for i in store.story_members(story) if i not in copies)


def related_of(store: RunStore, story_ids: Iterable[str], config: ClusterConfig | None = None,
               limit: int = 5) -> dict[str, list[tuple[str, float]]]:
    """Up to ``limit`` related stories of each stored story, most similar first (``StoryAssigner.related``).

    Each run stores the links of the stories it changed; a story changed since (an analyst's edit) or stored
    before links were kept has its links computed here, from the store's saved assigner state, or, where an edit
    dropped it, rebuilt from the stored articles as the next run would."""
    out, missing = {}, []
    for story in story_ids:
        found = store.related(story, limit)
        if found is None:
            missing.append(story)
        else:
            out[story] = found
    if missing:
        out.update(_computed_related(store, missing, config, limit))
    return out


def _computed_related(store: RunStore, story_ids: list[str], config: ClusterConfig | None, limit: int
                      ) -> dict[str, list[tuple[str, float]]]:
    from .cluster import StoryAssigner

    assigner = StoryAssigner(config)
    state = store.cluster_state()
    if state is not None:
        assigner.load_state(state)
    else:
        assigner.load(stored_stories(store))
    return assigner.related(story_ids, limit)


__all__ = ["related_of", "stored_stories"]
