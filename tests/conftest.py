import tomllib
from pathlib import Path

import pytest

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
