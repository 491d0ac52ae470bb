import gzip
import json
from pathlib import Path

from hypothesis import given, strategies as st

from newsfuse.ingest import read_paths
from newsfuse.ingest.decode import decode_bytes, looks_binary
from newsfuse.records import Drop, Page

from ..conftest import SEEDS


def test_seed_text_pages_have_stable_ids():
    first = [p for p in read_paths([SEEDS]) if isinstance(p, Page)]
    second = [p for p in read_paths([SEEDS]) if isinstance(p, Page)]
    assert len(first) == 2 and all(p.kind == "text" for p in first)
    assert [p.id for p in first] == [p.id for p in second]
    assert len({p.id for p in first}) == 2


def test_bad_inputs_become_named_drops(tmp_path: Path):
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "noise.html").write_bytes(bytes(range(256)) * 40)
    (tmp_path / "fake.html.gz").write_bytes(b"this is not gzip at all")
    (tmp_path / "mixed.jsonl").write_text(json.dumps({"id": "ok1", "text": "fine text"}) + "\n{broken\n")
    items = list(read_paths([tmp_path]))
    drops = {Path(d.path.split(":")[0]).name: d.reason for d in items if isinstance(d, Drop)}
    assert drops == {"empty.txt": "empty", "noise.html": "binary", "fake.html.gz": "bad_gzip", "mixed.jsonl": "bad_json"}
    pages = [p for p in items if isinstance(p, Page)]
    assert [p.id for p in pages] == ["ok1"]


def test_missing_path_is_reported(tmp_path: Path):
    (drop,) = list(read_paths([tmp_path / "nope"]))
    assert isinstance(drop, Drop) and drop.reason == "not_found"


def test_latin1_and_cp1252_are_decoded(tmp_path: Path):
    text = "Café crème: the minister’s “plan” costs 5 €, said Zoë Müller.\n"
    (tmp_path / "latin1.txt").write_bytes(text.replace("’", "'").replace("“", '"').replace("”", '"')
                                          .replace("€", "EUR").encode("latin-1"))
    (tmp_path / "cp1252.txt").write_bytes(text.encode("cp1252"))
    pages = {Path(p.path).name: p.content for p in read_paths([tmp_path])}
    assert "Café crème" in pages["latin1.txt"] and "Zoë Müller" in pages["latin1.txt"]
    assert "“plan”" in pages["cp1252.txt"] and "5 €" in pages["cp1252.txt"]


def test_html_gz_and_declared_charset(tmp_path: Path):
    html = '<html><head><meta charset="iso-8859-1"><link rel="canonical" href="https://ex.org/a?utm_source=x">' \
           "</head><body><p>Gar\xe7on</p></body></html>"
    (tmp_path / "page.html.gz").write_bytes(gzip.compress(html.encode("latin-1")))
    (page,) = list(read_paths([tmp_path]))
    assert page.kind == "html" and "Garçon" in page.content and page.url == "https://ex.org/a?utm_source=x"


def test_jsonl_objects_keep_metadata(tmp_path: Path):
    obj = {"id": "a1", "title": "T", "text": "Body.", "url": "https://x.org/1", "source": "X", "published": "2024-05-01T10:00:00Z"}
    (tmp_path / "a.jsonl").write_text(json.dumps(obj) + "\n")
    (page,) = list(read_paths([tmp_path / "a.jsonl"]))
    assert (page.id, page.title, page.site, page.kind) == ("a1", "T", "X", "article")
    assert page.published.isoformat() == "2024-05-01T10:00:00+00:00"


@given(st.binary(max_size=2000))
def test_decode_never_fails(data: bytes):
    text, encoding = decode_bytes(data, html=True)
    assert isinstance(text, str) and encoding
    looks_binary(text)
