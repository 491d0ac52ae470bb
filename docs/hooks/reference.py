"""MkDocs hook: the reference parts of the guide are generated from the code at build time, so they cannot drift.

A page asks for a generated part with a marker on a line of its own:

- ``<!-- generated: config -->``: every configuration key, per ``[section]``, read from the dataclasses in
  ``newsfuse.config`` (name, type, default) and the comments beside each field in ``config.py``.
- ``<!-- generated: cli -->``: every ``newsfuse`` command with its usage, help and options, read from the Typer app.
- ``<!-- generated: api -->``: every name in ``newsfuse.__all__`` with its signature and docstring.

An unknown marker, a CLI command the guide's ``cli.md`` never shows, or a public name ``python-api.md`` never
mentions is logged as a warning, which fails ``mkdocs build --strict``.
"""
from __future__ import annotations

import ast
import dataclasses
import html
import importlib
import inspect
import io
import logging
import re
import sys
import textwrap
import tokenize
from pathlib import Path
from typing import Any

log = logging.getLogger("mkdocs.hooks.newsfuse")
ROOT = Path(__file__).resolve().parents[2]
MARKER = re.compile(r"^<!-- generated: ([\w-]+) -->$", re.M)


def _import(name: str) -> Any:
    """Import a newsfuse module; from src/ when the package is not installed (a plain ``pip install mkdocs``)."""
    try:
        return importlib.import_module(name)
    except ImportError:
        sys.path.insert(0, str(ROOT / "src"))
        return importlib.import_module(name)


def on_page_markdown(markdown: str, page: Any, config: Any, files: Any) -> str:
    def replace(match: re.Match[str]) -> str:
        kind = match.group(1)
        if kind not in GENERATORS:
            log.warning("%s: unknown marker 'generated: %s'; known: %s", page.file.src_path, kind,
                        ", ".join(sorted(GENERATORS)))
            return match.group(0)
        return GENERATORS[kind]()

    src = page.file.src_path
    for key in unknown_config_keys(markdown):
        log.warning("%s mentions `%s`, which is not a configuration key (see the tables in configuration.md)",
                    src, key)
    if src == "cli.md":
        _check_cli_coverage(markdown)
    if src == "python-api.md":
        _check_api_coverage(markdown)
    return MARKER.sub(replace, markdown)


# --- configuration ------------------------------------------------------------------------------------------

KEY_MENTION = re.compile(r"`(ingest|extract|dedup|cluster|brief)\.([a-z_]+)")


def unknown_config_keys(markdown: str) -> list[str]:
    """The `section.key` mentions in a page that name no configuration key, so prose cannot drift either."""
    module = _import("newsfuse.config")
    known = {(s.name, k.name) for s in dataclasses.fields(module.Config)
             for k in dataclasses.fields(s.default_factory)}  # type: ignore[arg-type]
    return sorted({f"{section}.{key}" for section, key in KEY_MENTION.findall(markdown)
                   if (section, key) not in known})


def config_reference() -> str:
    """One table per section of ``Config``: key, type, default, meaning, and the rule ``__post_init__`` checks."""
    module = _import("newsfuse.config")
    source = Path(inspect.getsourcefile(module)).read_text(encoding="utf-8")
    notes, rules = _field_notes(source), _field_rules(source)
    out: list[str] = []
    for section in dataclasses.fields(module.Config):
        cls = section.default_factory  # type: ignore[misc]
        out.append(f"### `[{section.name}]`\n")
        intro, more = _docstring_parts(cls)
        if intro:
            out.append(intro + "\n")
        if more:
            out.append(f'??? info "More on `{cls.__name__}`"\n' + textwrap.indent(more, "    ") + "\n")
        out.append("| Key | Type | Default | Meaning | Allowed |\n|---|---|---|---|---|")
        for item in dataclasses.fields(cls):
            meaning = (item.metadata.get("help") or notes.get((cls.__name__, item.name)) or "").strip()
            rule = rules.get((section.name, item.name), "")
            out.append(f"| <code>{item.name}</code> | <code>{_html(str(item.type))}</code> "
                       f"| <code>{_html(_toml(_default(item)))}</code> | {_md_cell(meaning)} | {_md_cell(rule)} |")
        out.append("")
    return "\n".join(out)


def _default(item: dataclasses.Field) -> Any:
    if item.default is not dataclasses.MISSING:
        return item.default
    if item.default_factory is not dataclasses.MISSING:  # type: ignore[misc]
        return item.default_factory()  # type: ignore[misc]
    return None


def _toml(value: Any) -> str:
    """A default as it is written in the TOML file (TOML has no null: an unset key is left out)."""
    if value is None:
        return "(not set)"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return '""' if value == "" else f'"{value}"'
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    if isinstance(value, int):
        return f"{value:_}" if abs(value) >= 10_000 else str(value)
    return repr(value)


def _html(value: Any) -> str:
    return html.escape(str(value), quote=False).replace("|", "&#124;").replace("\n", " ")


def _md_cell(text: str) -> str:
    """Text for a table cell: `code` spans as <code>, everything else escaped (a | would end the cell)."""
    parts = text.replace("``", "`").split("`")
    return "".join(f"<code>{_html(p)}</code>" if i % 2 else _html(p) for i, p in enumerate(parts)) or "&nbsp;"


def _docstring_parts(cls: type) -> tuple[str, str]:
    """The docstring's first paragraph, and the rest (shown folded)."""
    doc = inspect.getdoc(cls) or ""
    if doc.startswith(cls.__name__ + "("):  # the signature dataclasses writes when there is no docstring
        return "", ""
    first, _, rest = doc.partition("\n\n")
    return first.replace("\n", " ").replace("``", "`"), rest.strip().replace("``", "`")


def _field_notes(source: str) -> dict[tuple[str, str], str]:
    """``{(class, field): note}``: a field's trailing comment (continued on the comment lines below while its
    brackets are open), else an attribute docstring below it, else the first sentence of the comment block
    right above it. A short trailing note of a field in a group (fields under one comment block) gets the
    block's first sentence after it."""
    comments: dict[int, tuple[int, str]] = {}  # line -> (column, text)
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type == tokenize.COMMENT:
            comments[token.start[0]] = (token.start[1], token.string.lstrip("#").strip())
    lines = source.splitlines()
    used: set[int] = set()
    notes: dict[tuple[str, str], str] = {}
    for node in ast.parse(source).body:
        if not isinstance(node, ast.ClassDef):
            continue
        group = ""
        previous_end = 0
        for index, stmt in enumerate(node.body):
            if not (isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name)):
                continue
            above = _first_sentence(_block_above(stmt.lineno, comments, lines, used))
            if above:
                group = above
            elif stmt.lineno != previous_end + 1:
                group = ""
            previous_end = stmt.end_lineno or stmt.lineno
            note = _trailing(stmt, comments, lines, used)
            following = node.body[index + 1] if index + 1 < len(node.body) else None
            if not note and isinstance(following, ast.Expr) and isinstance(following.value, ast.Constant) \
                    and isinstance(following.value.value, str):
                note = " ".join(following.value.value.split())
            if not note:
                note = above
            elif group and not above and len(note.split()) < 4:
                note = f"{note}. {group}"
            if note:
                notes[(node.name, stmt.target.id)] = note
    return notes


def _trailing(stmt: ast.AnnAssign, comments: dict[int, tuple[int, str]], lines: list[str], used: set[int]) -> str:
    line = next((n for n in range(stmt.lineno, (stmt.end_lineno or stmt.lineno) + 1)
                 if n in comments and lines[n - 1][:comments[n][0]].strip()), None)
    if line is None:
        return ""
    parts = [comments[line][1]]
    while _open(" ".join(parts)) and line + 1 in comments and not lines[line][:comments[line + 1][0]].strip():
        line += 1
        used.add(line)
        parts.append(comments[line][1])
    return " ".join(parts)


def _open(text: str) -> bool:
    return text.count("(") > text.count(")")


def _block_above(lineno: int, comments: dict[int, tuple[int, str]], lines: list[str], used: set[int]) -> str:
    parts: list[str] = []
    line = lineno - 1
    while line in comments and line not in used and not lines[line - 1][:comments[line][0]].strip():
        parts.insert(0, comments[line][1])
        line -= 1
    return " ".join(parts)


def _first_sentence(text: str, limit: int = 300) -> str:
    match = re.match(r"(.+?[.])(\s|$)", text)
    sentence = match.group(1) if match else text
    return sentence if len(sentence) <= limit else sentence[:limit].rsplit(" ", 1)[0] + " …"


def _field_rules(source: str) -> dict[tuple[str, str], str]:
    """``{(section, field): rule}`` from the messages of the ``_check`` calls in each ``__post_init__``: the
    part of "dedup.similarity is a Jaccard in (0, 1], got 0.9" between the key and ", got"."""
    rules: dict[tuple[str, str], str] = {}
    for node in ast.walk(ast.parse(source)):
        if not (isinstance(node, ast.FunctionDef) and node.name == "__post_init__"):
            continue
        loops = {id(call): loop for loop in ast.walk(node) if isinstance(loop, ast.For)
                 for call in ast.walk(loop)}
        for call in ast.walk(node):
            if not (isinstance(call, ast.Call) and getattr(call.func, "id", "") == "_check" and len(call.args) == 2):
                continue
            message = _message(call.args[1])
            match = re.match(r"(\w+)\.(\{name\}|\w+) (.+?)(?:, got .*)?$", message)
            if not match:
                continue
            section, key, rule = match.groups()
            names = [key]
            if key == "{name}":
                loop = loops.get(id(call))
                names = [e.value for e in getattr(getattr(loop, "iter", None), "elts", [])
                         if isinstance(e, ast.Constant)]
            for name in names:
                rules.setdefault((section, name), rule)
    return rules


def _message(node: ast.AST) -> str:
    """An f-string (or a sum of them) as text; each {expression} as its source, {name} kept as is."""
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return _message(node.left)
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(v.value if isinstance(v, ast.Constant) else "{" + ast.unparse(v.value) + "}"
                       for v in node.values)
    return ""


# --- command line -------------------------------------------------------------------------------------------
# Typer (0.29 and later) carries its own copy of click, so commands are told apart by what they have, not by
# click's classes.

def _root() -> Any:
    import typer

    return typer.main.get_command(_import("newsfuse.cli").app)


def _cli_commands() -> list[tuple[str, Any]]:
    """``[("extract", command), ..., ("story merge", ...)]`` in the app's order."""
    out: list[tuple[str, Any]] = []

    def walk(group: Any, prefix: str) -> None:
        ctx = group.context_class(group, info_name="newsfuse")
        for name in group.list_commands(ctx):
            command = group.get_command(ctx, name)
            if hasattr(command, "list_commands"):
                walk(command, f"{prefix}{name} ")
            else:
                out.append((prefix + name, command))

    walk(_root(), "")
    return out


def cli_reference() -> str:
    out = ["Generated from the installed `newsfuse` command: each command's help, arguments and options, as "
           "`newsfuse COMMAND --help` prints them.\n",
           "## Global options\n", "Given before the command: `newsfuse [OPTIONS] COMMAND ...`.\n",
           _options_table(_root(), "newsfuse"), ""]
    for name, command in _cli_commands():
        out.append(f"## `newsfuse {name}`\n")
        out.append("```text\n" + _usage(name, command) + "\n```\n")
        out.append(_help_text(command.help or "") + "\n")
        arguments = [p for p in command.params if p.param_type_name == "argument"]
        if arguments:
            ctx = command.context_class(command, info_name=f"newsfuse {name}")
            out.append("| Argument | Meaning |\n|---|---|")
            for param in arguments:
                record = param.get_help_record(ctx) if hasattr(param, "get_help_record") else None
                meaning = record[1] if record else getattr(param, "help", None) or ""
                out.append(f"| <code>{_metavar_name(param)}</code> | {_md_cell(meaning)} |")
            out.append("")
        out.append(_options_table(command, f"newsfuse {name}"))
        out.append("")
    return "\n".join(out)


def _metavar_name(param: Any) -> str:
    name = param.name.upper() + ("..." if param.nargs == -1 else "")
    return name if param.required else f"[{name}]"


def _usage(name: str, command: Any) -> str:
    arguments = " ".join(_metavar_name(p) for p in command.params if p.param_type_name == "argument")
    return f"newsfuse {name} [OPTIONS] {arguments}".rstrip()


def _help_text(text: str) -> str:
    """The command's docstring, its examples set as code."""
    lines = []
    for line in inspect.cleandoc(text).splitlines():
        if line.startswith("Example:"):
            line = f"Example: `{line[len('Example:'):].strip()}`"
        elif line.startswith("(or ") and line.endswith(")") and ": " in line:
            head, _, example = line[1:-1].partition(": ")
            line = f"({head}: `{example}`)"
        lines.append(line)
    return "\n".join(lines)


def _options_table(command: Any, name: str) -> str:
    """The options as ``--help`` shows them: names with metavar, help with default and environment variable."""
    ctx = command.context_class(command, info_name=name)
    rows = ["| Option | Meaning |", "|---|---|"]
    for param in command.params:
        record = param.get_help_record(ctx) if param.param_type_name == "option" else None
        if record:
            rows.append(f"| <code>{_html(record[0])}</code> | {_md_cell(record[1])} |")
    return "\n".join(rows) + "\n" if len(rows) > 2 else "No options but `--help`.\n"


def _check_cli_coverage(markdown: str) -> None:
    for name, _ in _cli_commands():
        if not re.search(rf"\bnewsfuse {re.escape(name)}\b", markdown):
            log.warning("cli.md never shows `newsfuse %s`: document it (the reference page lists it)", name)


# --- Python API ---------------------------------------------------------------------------------------------

def api_reference() -> str:
    package = _import("newsfuse")
    out = []
    for name in sorted(package.__all__, key=lambda n: (not n[0].islower(), n.lower())):
        obj = getattr(package, name)
        kind = "class" if inspect.isclass(obj) else "def"
        if kind == "class" and dataclasses.is_dataclass(obj):
            signature = "(" + ", ".join(_dataclass_field(f) for f in dataclasses.fields(obj)) + ")"
        else:
            signature = _signature(obj)
        out.append(f"### `newsfuse.{name}`\n")
        out.append(f"```python\n{kind} {name}{_wrap(signature)}\n```\n")
        doc = inspect.getdoc(obj) or ""
        if doc and not doc.startswith(name + "("):
            out.append(doc.replace("``", "`") + "\n")
    return "\n".join(out)


def _signature(obj: Any) -> str:
    """The signature as written in the source: annotations unquoted, a default config as ``Config()``."""
    try:
        signature = inspect.signature(obj)
    except (TypeError, ValueError):
        return "(...)"
    parts = []
    for param in signature.parameters.values():
        text = param.name if param.kind is not param.VAR_POSITIONAL else "*" + param.name
        if param.annotation is not param.empty:
            text += f": {_annotation(param.annotation)}"
        if param.default is not param.empty:
            text += f" = {_value(param.default)}"
        parts.append(text)
    result = f" -> {_annotation(signature.return_annotation)}" \
        if signature.return_annotation is not signature.empty else ""
    return "(" + ", ".join(parts) + ")" + result


def _annotation(value: Any) -> str:
    return value if isinstance(value, str) else inspect.formatannotation(value)


def _value(value: Any) -> str:
    if dataclasses.is_dataclass(value) and not isinstance(value, type) and value == type(value)():
        return f"{type(value).__name__}()"
    return repr(value)


def _dataclass_field(item: dataclasses.Field) -> str:
    text = f"{item.name}: {_annotation(item.type)}"
    if item.default is not dataclasses.MISSING:
        text += f" = {_value(item.default)}"
    elif item.default_factory is not dataclasses.MISSING:  # type: ignore[misc]
        text += f" = {_value(item.default_factory())}"  # type: ignore[misc]
    return text


def _wrap(signature: str, width: int = 100) -> str:
    """Long signatures one parameter a line, as black would set them."""
    if len(signature) <= width:
        return signature
    depth, close = 0, len(signature) - 1
    for index, char in enumerate(signature):
        depth += char in "([{"
        depth -= char in ")]}"
        if depth == 0:
            close = index
            break
    inner, tail = signature[1:close], signature[close + 1:]
    parts, depth, current = [], 0, ""
    for char in inner:
        depth += char in "([{"
        depth -= char in ")]}"
        if char == "," and depth == 0:
            parts.append(current.strip())
            current = ""
        else:
            current += char
    parts.append(current.strip())
    return "(\n" + "".join(f"    {p},\n" for p in parts if p) + ")" + tail


def _check_api_coverage(markdown: str) -> None:
    package = _import("newsfuse")
    body = MARKER.sub("", markdown)
    for name in package.__all__:
        if not re.search(rf"\b{re.escape(name)}\b", body):
            log.warning("python-api.md never mentions newsfuse.%s (in __all__): say what it is for", name)


GENERATORS = {"config": config_reference, "cli": cli_reference, "api": api_reference}
