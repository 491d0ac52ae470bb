"""The doc-test harness itself: a failing example fails, an exemption needs a reason, placeholders and files
work. Plain shell commands only, so these take well under a second each."""
import pytest

from .markdown_examples import Outcome, Workspace, blocks, strip_comment
from .news_site import NewsSite


@pytest.fixture(scope="module")
def site():
    served = NewsSite()
    yield served
    served.close()


def page(tmp_path, text: str):
    path = tmp_path / "page.md"
    path.write_text(text, encoding="utf-8")
    return path


def run(tmp_path, site, text: str) -> Outcome:
    outcome = Outcome()
    folder = tmp_path / "work"
    folder.mkdir()
    Workspace(folder, site).run_page(page(tmp_path, text), outcome)
    return outcome


def test_an_example_that_exits_non_zero_fails(tmp_path, site):
    with pytest.raises(AssertionError, match=r"page.md:3: the example `false` exited 1"):
        run(tmp_path, site, "text\n```sh\nfalse\n```\n")


def test_a_failing_stage_of_a_pipe_fails(tmp_path, site):
    with pytest.raises(AssertionError, match="exited 1"):
        run(tmp_path, site, "```bash\nfalse | cat\n```\n")


def test_an_exempted_block_is_counted_with_its_reason_and_not_run(tmp_path, site):
    outcome = run(tmp_path, site, "<!-- doctest: skip (needs a live feed) -->\n\n```sh\nfalse\n```\n")
    assert outcome.ran == [] and outcome.skipped[0].endswith("page.md:3: needs a live feed")


@pytest.mark.parametrize("directive", ["<!-- doctest: skip -->", "<!-- doctest: skip () -->",
                                       "<!-- doctest: ignore (why) -->"])
def test_an_exemption_needs_a_reason(tmp_path, directive):
    with pytest.raises(AssertionError, match="unknown doctest directive"):
        blocks(page(tmp_path, f"{directive}\n```sh\nfalse\n```\n"))


def test_an_untagged_block_that_runs_newsfuse_is_an_error(tmp_path):
    with pytest.raises(AssertionError, match="untagged block"):
        blocks(page(tmp_path, "```\nnewsfuse stories\n```\n"))


def test_console_blocks_run_only_their_commands_and_continuations_join(tmp_path, site):
    outcome = run(tmp_path, site, "```console\n$ echo a \\\n  b > out.txt\n$ cat out.txt\na b\n```\n")
    assert len(outcome.ran) == 2


def test_console_output_must_read_as_the_page_shows(tmp_path, site):
    with pytest.raises(AssertionError, match="but the page shows"):
        run(tmp_path, site, "```console\n$ echo one; echo two >&2\none\n```\n")


def test_console_output_may_elide_lines(tmp_path, site):
    outcome = run(tmp_path, site, "```console\n$ echo one; echo two >&2; echo three\none\n...\n```\n")
    assert len(outcome.ran) == 1


def test_a_named_file_block_is_written_with_the_canned_site(tmp_path, site):
    text = ("```toml\n# sources.toml\n[[sources]]\nname = \"Daily\"\nfeed = \"https://example.org/rss\"\n```\n\n"
            f"```sh\ngrep -q '{site.base}/rss' sources.toml\n```\n")
    outcome = run(tmp_path, site, text)
    assert outcome.files == [f"{tmp_path / 'page.md'}:1: sources.toml"] and len(outcome.ran) == 1


def test_a_toml_block_must_be_a_valid_configuration(tmp_path, site):
    with pytest.raises(Exception, match="similarity"):
        run(tmp_path, site, "```toml\n[dedup]\nsimilarity = 80\n```\n")


def test_comments_are_stripped_outside_quotes_only():
    assert strip_comment("newsfuse stories --db news.db   # a table") == "newsfuse stories --db news.db"
    assert strip_comment("echo '# not a comment' a#b") == "echo '# not a comment' a#b"


def test_a_python_example_that_raises_fails_with_its_place(tmp_path, site):
    text = "```python\nx = 1\n```\n\n```python\nraise SystemExit('broken example')\n```\n"
    with pytest.raises(AssertionError, match=r"page.md:5: the Python example raised"):
        run(tmp_path, site, text)
