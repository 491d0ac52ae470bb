"""The shell and Python examples of README.md and docs/*.md, found and run as a user would type them.

Conventions (stated for readers in docs/examples.md):

- Every ```sh, ```bash, ```shell and ```console block is run, line by line, in order, in a folder that holds
  a copy of examples/ and a `.venv` link to the test's virtualenv (whose bin/ is first on PATH). A line that
  exits non-zero fails the test. In a console block the `$ ` lines are commands, and the lines under one are
  its output: stdout and stderr together must read exactly so (a line `...` stands for any lines).
  README.md has a folder of its own; the guide's pages share one, in the order of the guide's nav, as a reader
  follows them (so the store the command page makes with `newsfuse run examples/ --db news.db` is there for the
  pages after it).
- Every ```python block runs too, after the page's shell blocks, all of a page's in one interpreter, each in a
  fresh namespace.
- A block is exempted only by an HTML comment right above it, with a reason:
  `<!-- doctest: skip (why) -->`. An unknown directive, or a skip without a reason, fails the test.
- A ```toml or ```text block whose first line is `# NAME` (a file name) is written to that file in the folder,
  so later commands can read it; a TOML block of stage tables must load as a configuration, one of
  `[[sources]]` as a sources file.
- STORY, OTHER and ARTICLE are placeholders, filled from the store the line names (`--db`, else the server the
  block started, else newsfuse.db): STORY is the biggest story (chosen once per folder), ARTICLE its
  last article (once per folder), OTHER any other story at the time of the line.
- https://example.org stands for a news site: the test serves one on 127.0.0.1 (an RSS feed at any path ending
  in rss, xml or feed, articles at /news/1 and /news/2 made from examples/), so `newsfuse run` and
  `newsfuse watch` lines get `--allow-private`.
- `newsfuse serve` starts on a free port (instead of 8000) and stays up for the rest of its block, once GET /
  answers 200; later lines' 127.0.0.1:8000 and localhost:8000 point to it. `newsfuse watch` without `--once`
  passes when its first poll's summary line appears, and is then stopped.
"""
from __future__ import annotations

import os
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import tomllib
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from .news_site import NewsSite

ROOT = Path(__file__).resolve().parents[2]
SHELL = ("sh", "bash", "shell", "console")
PYTHON = ("python", "py")
FENCE = re.compile(r"^(?P<indent>\s*)(?P<fence>`{3,}|~{3,})\s*(?P<lang>[\w+-]*)")
DIRECTIVE = re.compile(r"^<!--\s*doctest:\s*(?P<body>.*?)\s*-->$")
SKIP = re.compile(r"^skip\s+\((?P<reason>.+)\)$")
PLACEHOLDER = re.compile(r"\b(STORY|OTHER|ARTICLE)\b")
FILE_LINE = re.compile(r"^#\s*(?P<name>[\w.-]+\.\w+)\s*$")
EXAMPLE_SITE = re.compile(r"https?://example\.org")
DEFAULT_PORT = re.compile(r"\b(127\.0\.0\.1|localhost):8000\b")
COMMAND_TIMEOUT = 180


@dataclass
class Block:
    path: Path
    line: int  # of the opening fence, 1-based
    lang: str
    text: str
    skip: str | None = None  # the reason, when exempted

    @property
    def where(self) -> str:
        return f"{_name(self.path)}:{self.line}"

    def commands(self) -> list[tuple[int, str]]:
        """``(line number, command)`` for every command of a shell block; continuations joined."""
        out: list[tuple[int, str]] = []
        pending, start = "", 0
        for offset, raw in enumerate(self.text.splitlines(), start=1):
            line = raw.rstrip()
            if not pending:
                if self.lang == "console":
                    if not line.startswith("$ "):
                        continue
                    line = line[2:]
                if not line.strip() or line.lstrip().startswith("#"):
                    continue
                start = self.line + offset
            if line.endswith("\\"):
                pending += line[:-1] + " "
                continue
            out.append((start, pending + line))
            pending = ""
        if pending:
            raise AssertionError(f"{self.where}: the last line continues with a backslash")
        return out

    def outputs(self) -> dict[int, list[str]]:
        """For a console block: ``{line of a command: the output lines shown under it}``."""
        shown: dict[int, list[str]] = {}
        current, continuing = None, False
        for offset, raw in enumerate(self.text.splitlines(), start=1):
            if raw.startswith("$ "):
                current, continuing = self.line + offset, raw.rstrip().endswith("\\")
                shown[current] = []
            elif continuing:
                continuing = raw.rstrip().endswith("\\")
            elif current is not None:
                shown[current].append(raw.rstrip())
        return {line: _trimmed(lines) for line, lines in shown.items()}


def _trimmed(lines: list[str]) -> list[str]:
    while lines and not lines[-1]:
        lines = lines[:-1]
    return lines


def blocks(path: Path) -> list[Block]:
    """Every fenced block of a Markdown file, with the doctest directive right above it, if any."""
    lines = path.read_text(encoding="utf-8").splitlines()
    found: list[Block] = []
    index = 0
    while index < len(lines):
        match = FENCE.match(lines[index])
        if not match:
            index += 1
            continue
        indent, fence, lang = match["indent"], match["fence"], match["lang"].lower()
        end = index + 1
        while end < len(lines) and not (lines[end].strip().startswith(fence[0] * len(fence))
                                         and not lines[end].strip().strip(fence[0])):
            end += 1
        body = "\n".join(line[len(indent):] if line.startswith(indent) else line.lstrip()
                         for line in lines[index + 1:end])
        block = Block(path, index + 1, lang, body, _directive(path, lines, index))
        if not lang and re.search(r"^(\$ )?newsfuse\b", body, re.M):
            raise AssertionError(f"{block.where}: an untagged block runs newsfuse; tag it ```sh (or skip it)")
        found.append(block)
        index = end + 1
    return found


def _directive(path: Path, lines: list[str], fence: int) -> str | None:
    above = fence - 1
    while above >= 0 and not lines[above].strip():
        above -= 1
    match = DIRECTIVE.match(lines[above].strip()) if above >= 0 else None
    if not match:
        return None
    skip = SKIP.match(match["body"])
    if not skip or not skip["reason"].strip():
        raise AssertionError(f"{_name(path)}:{above + 1}: unknown doctest directive "
                             f"{match['body']!r}; write <!-- doctest: skip (the reason) -->")
    return skip["reason"].strip()


def file_name(block: Block) -> str | None:
    """The file a toml/text block is written to (its first line is ``# NAME``)."""
    first = block.text.splitlines()[0] if block.text.strip() else ""
    match = FILE_LINE.match(first) if block.lang in ("toml", "text", "") else None
    return match["name"] if match else None


# --- running a page's examples -------------------------------------------------------------------------------

@dataclass
class Outcome:
    ran: list[str] = field(default_factory=list)  # "file:line: command"
    skipped: list[str] = field(default_factory=list)  # "file:line: reason"
    files: list[str] = field(default_factory=list)  # "file:line: name"
    seconds: list[float] = field(default_factory=list)  # per command run, as ``ran``


class Workspace:
    """A fresh folder for one page's examples, and the rules above for running them."""

    def __init__(self, folder: Path, site: NewsSite) -> None:
        self.folder, self.site = folder, site
        shutil.copytree(ROOT / "examples", folder / "examples")
        venv = Path(sys.prefix)
        if (venv / "bin" / "activate").exists():
            (folder / ".venv").symlink_to(venv)
        env = {k: v for k, v in os.environ.items() if k not in ("NEWSFUSE_DB", "VIRTUAL_ENV")}
        env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
        env["COLUMNS"] = "200"
        self.env = env
        self.fixed: dict[tuple[str, str], str] = {}  # (db, placeholder) -> id, for STORY and ARTICLE
        self.servers: list[tuple[subprocess.Popen, str]] = []  # (process, db) of this block's `serve`
        self.port: int | None = None

    # The whole page, block by block.
    def run_page(self, path: Path, outcome: Outcome) -> None:
        for block in blocks(path):
            if block.lang in SHELL and block.skip:
                outcome.skipped.append(f"{block.where}: {block.skip}")
            elif block.lang in SHELL:
                try:
                    shown = block.outputs() if block.lang == "console" else {}
                    for line, command in block.commands():
                        started = time.monotonic()
                        self.run(f"{_name(block.path)}:{line}", command, shown.get(line))
                        outcome.ran.append(f"{_name(block.path)}:{line}: {command}")
                        outcome.seconds.append(time.monotonic() - started)
                finally:
                    self.stop_servers()
            elif block.lang in ("toml", "text", ""):
                self.write_file(block, outcome)
        self.run_python([b for b in blocks(path) if b.lang in PYTHON], outcome)

    def run_python(self, found: list[Block], outcome: Outcome) -> None:
        """The page's Python blocks, after its shell blocks, in one interpreter (the models load once), each in
        a fresh namespace; a block that raises fails the test with its page:line and traceback."""
        for block in (b for b in found if b.skip):
            outcome.skipped.append(f"{block.where} (python): {block.skip}")
        found = [b for b in found if not b.skip]
        if not found:
            return
        script = "import sys\n" + "".join(
            f"print({b.where!r}, file=sys.stderr, flush=True)\n"
            f"exec(compile({b.text!r}, {b.where!r}, 'exec'), {{'__name__': '__main__'}})\n" for b in found)
        started = time.monotonic()
        proc = subprocess.run([sys.executable, "-c", script], cwd=self.folder, env=self.env, capture_output=True,
                              text=True, timeout=COMMAND_TIMEOUT)
        where = proc.stderr.strip().splitlines()
        last = next((line for line in reversed(where) if line in {b.where for b in found}), found[0].where)
        assert proc.returncode == 0, (f"{last}: the Python example raised (exit {proc.returncode})\n"
                                      f"--- stdout (tail) ---\n{proc.stdout[-1500:]}\n"
                                      f"--- stderr (tail) ---\n{proc.stderr[-3000:]}")
        outcome.ran.extend(f"{b.where}: python block" for b in found)
        outcome.seconds.extend([(time.monotonic() - started) / len(found)] * len(found))

    def write_file(self, block: Block, outcome: Outcome) -> None:
        name = file_name(block)
        if block.skip:
            outcome.skipped.append(f"{block.where} ({block.lang or 'untagged'}): {block.skip}")
            return
        if block.lang == "toml":
            self.check_toml(block)
        if name:
            text = EXAMPLE_SITE.sub(self.site.base, block.text)
            (self.folder / name).write_text(text + "\n", encoding="utf-8")
            outcome.files.append(f"{block.where}: {name}")

    @staticmethod
    def check_toml(block: Block) -> None:
        from newsfuse.config import Config, load_config
        from newsfuse.ingest.sources import parse_sources

        data = tomllib.loads(block.text)
        sections = {f for f in Config.__dataclass_fields__}
        if "sources" in data:
            parse_sources(block.text, block.where)
        elif set(data) <= sections:
            path = Path(os.environ.get("TMPDIR", "/tmp")) / f"newsfuse-doc-{os.getpid()}.toml"
            path.write_text(block.text, encoding="utf-8")
            try:
                load_config(path)
            finally:
                path.unlink()
        else:
            raise AssertionError(f"{block.where}: a TOML block that is neither configuration tables "
                                 f"({sorted(sections)}) nor [[sources]]; skip it with a reason if it is meant")

    # One command.
    def run(self, where: str, command: str, shown: list[str] | None = None) -> None:
        """Run one command; with ``shown`` (a console block's output lines), stdout and stderr must read so."""
        code = strip_comment(command)
        if not code.strip():
            return
        code = EXAMPLE_SITE.sub(self.site.base, code)
        if self.port is not None:
            code = DEFAULT_PORT.sub(rf"\g<1>:{self.port}", code)
        words = _words(code)
        verb = _verb(words)
        if verb in ("run", "watch"):
            at = re.search(rf"\b{verb}\b", code).end()
            code = f"{code[:at]} --allow-private{code[at:]}"
        if PLACEHOLDER.search(code):
            db = self.db_of(words)
            code = PLACEHOLDER.sub(lambda m: self.placeholder(m.group(1), db, where), code)
        if verb == "serve":
            return self.start_server(where, code, words)
        if verb == "watch" and "--once" not in words:
            return self.watch_briefly(where, code)
        proc = subprocess.run(["bash", "-o", "pipefail", "-c", code], cwd=self.folder, env=self.env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE if shown is None else subprocess.STDOUT,
                              text=True, timeout=COMMAND_TIMEOUT)
        assert proc.returncode == 0, _failure(where, command, code, proc.returncode, proc.stdout, proc.stderr or "")
        if shown is not None:
            actual = _trimmed([line.rstrip() for line in proc.stdout.splitlines()])
            assert same_output(shown, actual), (f"{where}: `{command}` printed\n" + "\n".join(actual)
                                                + "\n--- but the page shows ---\n" + "\n".join(shown))

    def db_of(self, words: list[str]) -> str:
        for index, word in enumerate(words):
            if word == "--db" and index + 1 < len(words):
                return words[index + 1]
            if word.startswith("--db="):
                return word[5:]
        return self.servers[-1][1] if self.servers else "newsfuse.db"

    def placeholder(self, name: str, db: str, where: str) -> str:
        from newsfuse.store import SqliteStore

        path = self.folder / db
        assert path.exists(), f"{where}: {name} needs a story from {db}, and there is no {db}"
        with SqliteStore(path, readonly=True) as store:
            stories = store.story_ids()
            assert stories, f"{where}: {name} needs a story, and {db} holds none"
            if name == "OTHER":
                story = self.fixed.get((db, "STORY"), stories[0])
                others = [s for s in stories if s != story]
                assert others, f"{where}: OTHER needs a second story in {db} (split one off first)"
                return others[0]
            story = self.fixed.setdefault((db, "STORY"), stories[0])
            if name == "STORY":
                return story
            members = store.story_members(store.resolve_story(story))
            return self.fixed.setdefault((db, "ARTICLE"), members[-1])

    def start_server(self, where: str, code: str, words: list[str]) -> None:
        port = _free_port()
        code = re.sub(r"\s--port[= ]\d+", "", code) + f" --port {port}"
        log = tempfile.TemporaryFile("w+")
        process = subprocess.Popen(["bash", "-c", f"exec {code}"], cwd=self.folder, env=self.env,
                                   stdout=log, stderr=subprocess.STDOUT, text=True, start_new_session=True)
        self.servers.append((process, self.db_of(words)))
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if process.poll() is not None:
                log.seek(0)
                raise AssertionError(_failure(where, code, code, process.returncode, "", log.read()))
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as response:
                    if response.status == 200:
                        self.port = port
                        return
            except OSError:
                time.sleep(0.3)
        self.stop_servers()
        raise AssertionError(f"{where}: `{code}` did not answer GET / within 60 s")

    def watch_briefly(self, where: str, code: str) -> None:
        """Start a polling watch, wait for its first poll's summary line, then stop it (Ctrl-C)."""
        process = subprocess.Popen(["bash", "-c", f"exec {code}"], cwd=self.folder, env=self.env,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                                   start_new_session=True)
        lines: list[str] = []
        reader = threading.Thread(target=lambda: lines.extend(process.stderr), daemon=True)
        reader.start()
        deadline = time.monotonic() + COMMAND_TIMEOUT
        while time.monotonic() < deadline and process.poll() is None:
            if any("documents read" in line for line in lines):
                break
            time.sleep(0.2)
        running = process.poll() is None
        if running:
            os.killpg(process.pid, signal.SIGINT)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        reader.join(timeout=5)
        err = "".join(lines)
        assert running and "documents read" in err, _failure(where, code, code, process.returncode, "", err)

    def stop_servers(self) -> None:
        for process, _ in self.servers:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
                try:
                    process.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)
                    process.wait()
        self.servers.clear()
        self.port = None


def same_output(shown: list[str], actual: list[str]) -> bool:
    """The lines match, each exactly; a shown line ``...`` stands for any number of lines."""
    if not shown:
        return not actual
    if shown[0] == "...":
        return any(same_output(shown[1:], actual[i:]) for i in range(len(actual) + 1))
    return bool(actual) and shown[0] == actual[0] and same_output(shown[1:], actual[1:])


def _name(path: Path) -> str:
    """The page as the test names it: relative to the project."""
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


def strip_comment(command: str) -> str:
    """The command without a trailing ``# comment`` (a # that starts a word, outside quotes)."""
    quote = None
    for index, char in enumerate(command):
        if quote:
            quote = None if char == quote else quote
        elif char in "'\"":
            quote = char
        elif char == "#" and (index == 0 or command[index - 1].isspace()):
            return command[:index].rstrip()
    return command


def _words(code: str) -> list[str]:
    try:
        return shlex.split(code)
    except ValueError:
        return code.split()


def _verb(words: list[str]) -> str | None:
    """The newsfuse subcommand of a command line (after global options), or None."""
    if not words or words[0] != "newsfuse":
        return None
    rest = words[1:]
    while rest and rest[0].startswith("--"):
        rest = rest[2:] if rest[0] == "--config" else rest[1:]
    return rest[0] if rest else None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _failure(where: str, command: str, code: str, returncode: int | None, out: str, err: str) -> str:
    ran = f"\n  ran as: {code}" if code != command else ""
    return (f"{where}: the example `{command}` exited {returncode}{ran}\n"
            f"--- stdout (tail) ---\n{out[-1500:]}\n--- stderr (tail) ---\n{err[-3000:]}")
