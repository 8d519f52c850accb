"""Content under version control (courses/, assessments/): validate everything, then write everything.

Each feature registers a ``ContentSource``. ``lms content check`` parses every source and lists every problem
with file and line; ``lms content sync`` does the same and, only if there is no problem at all, asks each source
to write its part in one transaction. Sources run in the order they were registered (features register in
dependency order), and each sees what the earlier ones parsed, so cross-references (a quiz naming a lesson) are
checked against the files, not against the database.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import click
import yaml
from flask import Flask, current_app
from flask.cli import with_appcontext

from lms.core.db import db

MAX_FILE_BYTES = 1024 * 1024


@dataclass(frozen=True, order=True)
class Problem:
    path: str
    line: int | None
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}" if self.line else f"{self.path}: {self.message}"


class Problems(list[Problem]):
    """Collects problems; ``root`` makes the reported paths relative and readable."""

    def __init__(self, root: Path) -> None:
        super().__init__()
        self.root = root

    def add(self, path: Path | str, line: int | None, message: str) -> None:
        path = Path(path)
        try:
            shown = str(path.relative_to(self.root))
        except ValueError:
            shown = str(path)
        self.append(Problem(shown, line, message))


@dataclass
class Changes:
    """What a sync did to one source's records, by id."""

    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: int = 0

    def summary(self) -> str:
        return (
            f"{len(self.added)} added, {len(self.changed)} changed, {len(self.removed)} removed, "
            f"{self.unchanged} unchanged"
        )


def reconcile(
    rows: Mapping[Any, Any],
    items: Mapping[Any, Any],
    changes: Changes,
    *,
    new: Callable[[Any], Any],
    fill: Callable[[Any, Any], None],
    label: Callable[[Any], str] = str,
    retire: Callable[[Any], None] | None = None,
) -> None:
    """Bring keyed rows in line with parsed items, the way every source's ``write`` does.

    Rows have ``content_hash`` and ``retired`` columns; items have the ``content_hash`` of their file.

    A new key gets ``new(key)`` (added to the session) then ``fill``; a key whose ``content_hash`` changed, or
    whose row was retired, gets ``fill`` again; an unchanged one is counted and left alone; a row whose key is
    no longer in the files is retired (``retire`` retires what hangs from it), never deleted, so learners'
    history that points at it stays valid.
    """
    for key, item in items.items():
        row = rows.get(key)
        if row is not None and row.content_hash == item.content_hash and not row.retired:
            changes.unchanged += 1
            continue
        if row is None:
            row = new(key)
            db.session.add(row)
            changes.added.append(label(key))
        else:
            changes.changed.append(label(key))
        row.content_hash, row.retired = item.content_hash, False
        fill(row, item)
    for key, row in rows.items():
        if key not in items and not row.retired:
            row.retired = True
            if retire is not None:
                retire(row)
            changes.removed.append(label(key))


class ContentSource(Protocol):
    #: A short name, e.g. "courses"; the key of this source's parsed result for the sources after it.
    name: str

    def parse(self, root: Path, parsed: Mapping[str, Any], problems: Problems) -> Any:
        """Read and validate the files under ``root``; report every problem; write nothing."""

    def write(self, result: Any, parsed: Mapping[str, Any]) -> Changes:
        """Bring the database in line with ``result`` (add, update, retire); never commit."""


class ContentInvalid(Exception):
    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(f"{len(problems)} problem(s) in the content")
        self.problems = sorted(problems)


def register(app: Flask, source: ContentSource) -> None:
    app.extensions.setdefault("lms_content_sources", []).append(source)


def sources() -> list[ContentSource]:
    return list(current_app.extensions.get("lms_content_sources", []))


def check(root: Path) -> dict[str, Any]:
    """Parse every source; raise ``ContentInvalid`` listing every problem, or return the parsed results."""
    problems = Problems(root)
    parsed: dict[str, Any] = {}
    for source in sources():
        parsed[source.name] = source.parse(root, parsed, problems)
    if problems:
        raise ContentInvalid(problems)
    return parsed


def sync(root: Path) -> dict[str, Changes]:
    """Validate everything, then write everything. The caller commits (or rolls back) once."""
    parsed = check(root)
    return {source.name: source.write(parsed[source.name], parsed) for source in sources()}


# ---------------------------------------------------------------------------------------------------------
# Reading files with line numbers


class LineDict(dict[str, Any]):
    """A YAML mapping that remembers the line it started on (1-based), for error messages."""

    line: int = 0


class LineList(list[Any]):
    line: int = 0


class _LineLoader(yaml.SafeLoader):
    pass


def _mapping(loader: _LineLoader, node: yaml.MappingNode) -> LineDict:
    seen: set[Any] = set()
    for key_node, _value in node.value:
        key = loader.construct_object(key_node, deep=True)
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key!r}", key_node.start_mark
            )
        seen.add(key)
    result = LineDict(loader.construct_mapping(node, deep=True))
    result.line = node.start_mark.line + 1
    return result


def _sequence(loader: _LineLoader, node: yaml.SequenceNode) -> LineList:
    result = LineList(loader.construct_sequence(node, deep=True))
    result.line = node.start_mark.line + 1
    return result


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping)
_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _sequence)


def read_text(path: Path, problems: Problems) -> str | None:
    """The file as UTF-8 text, or None (with a problem) if it is too large or not UTF-8."""
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            problems.add(path, None, f"file is {size:,} bytes; the limit is {MAX_FILE_BYTES:,}")
            return None
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        problems.add(path, None, "file is not valid UTF-8")
    except OSError as error:
        problems.add(path, None, f"cannot read the file: {error.strerror}")
    return None


def parse_yaml(text: str, path: Path, problems: Problems, *, first_line: int = 1) -> Any:
    """YAML whose mappings and lists carry their line numbers; None (with a problem) if it is malformed."""
    try:
        data = yaml.load(text, Loader=_LineLoader)  # noqa: S506 - _LineLoader is a SafeLoader
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
        line = mark.line + first_line if mark else first_line
        reason = getattr(error, "problem", None) or str(error)
        problems.add(path, line, f"invalid YAML: {reason}")
        return None
    if first_line != 1:
        _shift_lines(data, first_line - 1)
    return data


def _shift_lines(data: Any, offset: int) -> None:
    if isinstance(data, LineDict | LineList):
        data.line += offset
        for item in data.values() if isinstance(data, dict) else data:
            _shift_lines(item, offset)


def read_yaml(path: Path, problems: Problems) -> Any:
    text = read_text(path, problems)
    return None if text is None else parse_yaml(text, path, problems)


@dataclass
class Document:
    """A Markdown file with YAML front matter."""

    meta: LineDict
    body: str
    #: The line of the file on which ``body`` starts, so body problems can name their line.
    body_line: int


def split_front_matter(text: str, path: Path, problems: Problems) -> tuple[LineDict, str, int] | None:
    """Front matter (a YAML mapping with line numbers), body, and the body's first line; None on a problem."""
    lines = text.splitlines(keepends=True)
    if not lines or lines[0].strip() != "---":
        problems.add(path, 1, "front matter missing: the file must start with a line '---'")
        return None
    end = next((i for i in range(1, len(lines)) if lines[i].strip() == "---"), None)
    if end is None:
        problems.add(path, 1, "front matter not closed: add a line '---' after it")
        return None
    before = len(problems)
    meta = parse_yaml("".join(lines[1:end]), path, problems, first_line=2)
    if len(problems) > before:
        return None
    if not isinstance(meta, LineDict):
        problems.add(path, 2, "front matter must be a mapping of keys to values")
        return None
    return meta, "".join(lines[end + 1 :]), end + 2


def read_front_matter(path: Path, problems: Problems) -> Document | None:
    text = read_text(path, problems)
    split = None if text is None else split_front_matter(text, path, problems)
    return None if split is None else Document(*split)


def check_keys(
    data: LineDict, path: Path, problems: Problems, *, required: set[str], optional: set[str], what: str
) -> bool:
    """Report missing required keys and unknown keys (usually typos). True if nothing was wrong."""
    ok = True
    for key in sorted(required - data.keys()):
        problems.add(path, data.line, f"{what}: missing required key '{key}'")
        ok = False
    for key in sorted(data.keys() - required - optional):
        problems.add(path, data.line, f"{what}: unknown key '{key}'")
        ok = False
    return ok


# ---------------------------------------------------------------------------------------------------------
# Commands


@click.group("content")
def content_cli() -> None:
    """Validate and load the curricula and question banks."""


def _root(path: str | None) -> Path:
    return Path(path or current_app.config["LMS_CONTENT_ROOT"]).resolve()


def _print_problems(error: ContentInvalid) -> None:
    for problem in error.problems:
        click.echo(str(problem), err=True)
    click.echo(f"{len(error.problems)} problem(s); nothing was written.", err=True)


@content_cli.command("check")
@click.argument("path", required=False, type=click.Path(exists=True, file_okay=False))
@with_appcontext
def check_command(path: str | None) -> None:
    """Validate the content under PATH (default: the configured content root) without writing."""
    try:
        check(_root(path))
    except ContentInvalid as error:
        _print_problems(error)
        raise SystemExit(1) from None
    click.echo("content is valid")


@content_cli.command("sync")
@click.argument("path", required=False, type=click.Path(exists=True, file_okay=False))
@with_appcontext
def sync_command(path: str | None) -> None:
    """Validate everything under PATH, then load it all in one transaction (or nothing)."""
    try:
        changes = sync(_root(path))
    except ContentInvalid as error:
        db.session.rollback()
        _print_problems(error)
        raise SystemExit(1) from None
    db.session.commit()
    for name, change in changes.items():
        click.echo(f"{name}: {change.summary()}")
