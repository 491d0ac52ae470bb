"""The web server loads what a page needs only: a brief download renders with ``brief/render.py`` alone, without
the scikit-learn and SciPy the brief builder imports (about 2 s of CPU and 150 MB a process, paid by the first
download in each worker while it held the others up). A story page of a store without related links still imports
them: it groups the stories to find its related ones."""
from __future__ import annotations

import subprocess
import sys

from .conftest import build_store

CHECK = """
import sys
from fastapi.testclient import TestClient
from newsfuse.web import create_app
client = TestClient(create_app(sys.argv[1]))
for path in ("/", "/feed.xml", "/stories/" + sys.argv[2] + "/brief.md", "/stories/" + sys.argv[2] + "/brief.json"):
    assert client.get(path).status_code == 200, path
print(sorted(m for m in ("sklearn", "scipy", "spacy", "torch") if m in sys.modules))
"""


def test_pages_and_brief_downloads_load_no_model_libraries(tmp_path):
    db = tmp_path / "n.db"
    ids = build_store(db, fillers=0)
    proc = subprocess.run([sys.executable, "-c", CHECK, str(db), ids["story"]], capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.split() == ["[]"]
