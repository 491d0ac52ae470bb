import os
import tomllib
from pathlib import Path

import pytest
from hypothesis import settings

# In CI the property tests draw the same examples every run (a fixed seed), so a red build always names a
# reproducible input; locally they keep exploring new ones.
settings.register_profile("ci", derandomize=True)
if os.environ.get("CI"):
    settings.load_profile("ci")

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
SEEDS = SHARED / "samples" / "seeds"
DATA = SHARED / "data"
TEST_DATA = Path(__file__).resolve().parent / "data"


@pytest.fixture(scope="session")
def floors() -> dict:
    return tomllib.loads((Path(__file__).resolve().parent / "floors.toml").read_text())


def shared_or_fail(path: Path) -> Path:
    """Gates never skip: missing shared data is a failure, not a skip."""
    assert path.exists(), f"missing shared data {path}: tests expect ../shared beside the project"
    return path
