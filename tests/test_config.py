import pytest

from newsfuse.config import Config, DedupConfig, load_config
from newsfuse.errors import ConfigError


def test_defaults_and_toml_override(tmp_path):
    path = tmp_path / "n.toml"
    path.write_text("[dedup]\nsimilarity = 0.7\n[cluster]\nwindow_days = 3\n")
    config = load_config(path)
    assert config.dedup.similarity == 0.7 and config.cluster.window_days == 3
    assert Config().dedup.similarity == DedupConfig().similarity


def test_percentages_are_caught_with_a_hint():
    with pytest.raises(ConfigError, match="percentage"):
        DedupConfig(similarity=80)


def test_unknown_keys_are_named(tmp_path):
    path = tmp_path / "n.toml"
    path.write_text("[dedup]\nsimilarty = 0.7\n")
    with pytest.raises(ConfigError, match="similarty"):
        load_config(path)


def test_keys_of_the_old_cluster_rules_load_with_a_warning(tmp_path):
    path = tmp_path / "old.toml"
    path.write_text("[cluster]\nbatch_similarity = 0.25\ndistinct_core = 0.3\nwindow_days = 3\n")
    with pytest.warns(FutureWarning) as caught:
        config = load_config(path)
    assert config.cluster.similarity == 0.25 and config.cluster.window_days == 3  # renamed key carried over
    assert sorted(str(w.message).split()[1] for w in caught) == ["batch_similarity", "distinct_core"]
    path.write_text("[cluster]\nbatch_similarity = 0.25\nsimilarity = 0.3\n")
    with pytest.warns(FutureWarning):
        assert load_config(path).cluster.similarity == 0.3  # the new key wins
