"""newsfuse.extract, dedup, cluster and brief stay the API functions after their subpackages are imported (as
newsfuse.run imports them), so the README's Python quick start works in one interpreter."""
import subprocess
import sys

CHECK = """
import importlib, types
import newsfuse
importlib.import_module("newsfuse.extract.html")
import newsfuse.dedup.index, newsfuse.cluster, newsfuse.brief.build
from newsfuse.extract import extract_page
names = ("extract", "dedup", "cluster", "brief")
print(all(isinstance(getattr(newsfuse, n), types.FunctionType) for n in names), callable(extract_page))
print(sys.modules["newsfuse.extract"].__name__)
"""


def test_api_functions_survive_importing_their_subpackages():
    proc = subprocess.run([sys.executable, "-c", "import sys\n" + CHECK], capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == ["True", "True", "newsfuse.extract"]


def test_every_public_name_is_exported():
    import newsfuse

    assert all(hasattr(newsfuse, name) for name in newsfuse.__all__)
