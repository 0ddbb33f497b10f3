"""``python -m generator rename OLD NEW``: give a record a new id without breaking an address.

The record's file moves to ``NEW.yaml``; every reference to ``OLD`` in every record
(relationship targets, participants, places, topics, publishers, relays, lifecycle events,
``sources:`` lists including ``OLD#excerpt``, and ``[[OLD]]``, ``[[OLD|label]]`` and
``[[OLD#excerpt]]`` in any text) and in the hand-written pages is rewritten; ``OLD`` is added
to the record's ``former_ids``, so that the site keeps a page at the old address that forwards
to the new one, and the exports list it.

The files are edited as text, at the positions the loader reports, so comments, quoting and
line breaks stay exactly as they were: only the id changes.  Everything is worked out before
anything is written; a file that cannot be read, or a spot that does not hold the id where the
loader says it does, stops the rename with nothing changed.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from pathlib import Path

from . import schema
from .check import TEXT_LINK_RE
from .loader import RawRecord, check_record_id, discover_record_files, display_path, load_record_file

#: A hand-written page's links, as :func:`generator.pipeline.load_pages` reads them.
PAGES_FOLDER = "pages"


class RenameError(Exception):
    """The rename cannot be made; the message says why and what to do.  Nothing was changed."""


@dataclass
class RenameReport:
    old_path: str
    new_path: str
    references: dict[str, int] = field(default_factory=dict)  # shown path -> references rewritten
    former_ids: tuple[str, ...] = ()

    @property
    def total(self) -> int:
        return sum(self.references.values())


@dataclass(frozen=True, order=True)
class _Edit:
    offset: int  # in the file's text
    length: int
    text: str


def _line_starts(text: str) -> list[int]:
    starts = [0]
    index = text.find("\n")
    while index != -1:
        starts.append(index + 1)
        index = text.find("\n", index + 1)
    return starts


def _offset(starts: list[int], line: int, column: int) -> int:
    return starts[line - 1] + column - 1


def _names_the_id(value: str, record_id: str) -> bool:
    return value == record_id or value.startswith(record_id + "#")


class _FileEdits:
    """The edits of one file, each checked against the text before it is kept."""

    def __init__(self, shown: str, text: str):
        self.shown, self.text = shown, text
        self.starts = _line_starts(text)
        self.edits: list[_Edit] = []

    def replace_id_at(self, line: int, column: int, old: str, new: str) -> None:
        offset = _offset(self.starts, line, column)
        if self.text[offset : offset + 1] in ("'", '"') and not self.text.startswith(old, offset):
            offset += 1  # a quoted scalar's position is its opening quote
        if not self.text.startswith(old, offset):
            raise RenameError(
                f"{self.shown}:{line}:{column}: '{old}' is not written out here (an escape?); "
                f"write it plainly, then rename again"
            )
        self.edits.append(_Edit(offset, len(old), new))

    def insert(self, offset: int, text: str) -> None:
        self.edits.append(_Edit(offset, 0, text))

    def result(self) -> str:
        text = self.text
        for edit in sorted(self.edits, reverse=True):
            text = text[: edit.offset] + edit.text + text[edit.offset + edit.length :]
        return text


def _is_reference(spec: schema.Spec) -> bool:
    """A field that holds a record id (or a citation ``id#excerpt``), whatever its spec class."""
    return isinstance(spec, (schema.Ref, schema.Cite))


def _walk(raw: RawRecord, value, spec: schema.Spec, path: tuple, old: str, new: str, edits: _FileEdits) -> None:
    """Add an edit for every place under ``value`` that names ``old``."""
    if _is_reference(spec):
        if isinstance(value, str) and _names_the_id(value, old):
            edits.replace_id_at(*raw.mark(path), old, new)
    elif isinstance(spec, schema.ListOf) and isinstance(value, list):
        for index, item in enumerate(value):
            _walk(raw, item, spec.item, path + (index,), old, new, edits)
    elif isinstance(spec, schema.Obj) and isinstance(value, dict):
        specs = {name: field_spec for name, field_spec, _required in spec.fields}
        for key, item in value.items():
            if key in specs:
                _walk(raw, item, specs[key], path + (key,), old, new, edits)
    elif isinstance(spec, schema.MapOf) and isinstance(value, dict):
        for key, item in value.items():
            _walk(raw, item, spec.value, path + (key,), old, new, edits)
    elif isinstance(spec, schema.Text) and spec.rich and isinstance(value, str):
        for match in TEXT_LINK_RE.finditer(value):
            target = match.group(1)
            if _names_the_id(target.strip(), old):
                offset = match.start(1) + len(target) - len(target.lstrip())
                edits.replace_id_at(*raw.position(path, offset), old, new)


def _former_ids_edit(raw: RawRecord, edits: _FileEdits, old: str, new: str) -> tuple[str, ...]:
    """Record ``old`` in ``former_ids`` (renaming back to a former id puts the id it leaves in its place)."""
    formers = raw.values.get("former_ids")
    if formers is None:
        text = edits.text
        separator = "" if text.endswith("\n") or not text else "\n"
        edits.insert(len(text), f"{separator}former_ids: [{old}]\n")
        return (old,)
    if not isinstance(formers, list) or not all(isinstance(item, str) for item in formers):
        raise RenameError(
            f"{raw.path}:{raw.mark(('former_ids',))[0]}: former_ids must be a list of ids; fix it "
            f"first ('python -m generator check' says how)"
        )
    if new in formers:
        edits.replace_id_at(*raw.mark(("former_ids", formers.index(new))), new, old)
        return tuple(old if item == new else item for item in formers)
    if old in formers:
        return tuple(formers)
    if not formers:
        raise RenameError(
            f"{raw.path}:{raw.mark(('former_ids',))[0]}: former_ids is an empty list; remove it and rename again"
        )
    line, column = raw.mark(("former_ids", len(formers) - 1))
    last = _offset(edits.starts, line, column)
    opening = _offset(edits.starts, *raw.mark(("former_ids",)))
    if edits.text[opening] == "[":  # former_ids: [a, b]
        quoted = edits.text[last] in ("'", '"')
        end = last + len(formers[-1]) + (2 if quoted else 0)
        edits.insert(end, f", {old}")
    else:  # a block list: a new '- id' line below the last one, indented alike
        line_start = edits.starts[line - 1]
        line_end = edits.text.find("\n", last)
        line_end = len(edits.text) if line_end == -1 else line_end
        dash = edits.text.rfind("-", line_start, last)
        edits.insert(line_end, "\n" + edits.text[line_start:dash] + f"- {old}")
    return (*formers, old)


def rename_record(content_dir: Path, old: str, new: str, write: bool = True) -> RenameReport:
    """Rename record ``old`` to ``new`` under ``content_dir``; raises :class:`RenameError` and writes
    nothing when it cannot.  With ``write`` false, only reports what it would do."""
    files, _tree_problems = discover_record_files(content_dir)
    paths_by_id = {path.stem: (kind, path) for kind, path in files}
    if old not in paths_by_id:
        close = difflib.get_close_matches(old, list(paths_by_id), n=1)
        raise RenameError(f"no record has the id '{old}'" + (f"; did you mean '{close[0]}'?" if close else ""))
    id_problem = check_record_id(new)
    if id_problem:
        raise RenameError(f"{id_problem[0]}: choose an id of lowercase letters, digits and single hyphens")
    if new in paths_by_id:
        raise RenameError(f"'{new}' is already the id of {display_path(paths_by_id[new][1])}; choose another id")

    unreadable, file_edits, raws = [], {}, {}
    for kind, path in files:
        raw, problems = load_record_file(kind, path)
        if raw is None:
            unreadable.extend(problem.format() for problem in problems)
            continue
        raws[path] = raw
        edits = _FileEdits(raw.path, path.read_text(encoding="utf-8"))
        _walk(raw, raw.values, schema.RECORD_SPECS[kind], (), old, new, edits)
        file_edits[path] = edits
        formers = raw.values.get("former_ids")
        if path.stem != old and isinstance(formers, list) and new in formers:
            raise RenameError(
                f"'{new}' is a former id of {raw.path}: its old address forwards there; choose another id"
            )
    if unreadable:
        raise RenameError(
            "every record must be readable to find the references to rename; fix these first:\n" + "\n".join(unreadable)
        )

    old_path = paths_by_id[old][1]
    record_edits = file_edits[old_path]
    former_ids = _former_ids_edit(raws[old_path], record_edits, old, new)
    new_path = old_path.with_name(f"{new}.yaml")
    report = RenameReport(display_path(old_path), display_path(new_path), former_ids=former_ids)

    page_edits = {}
    pages_dir = content_dir / PAGES_FOLDER
    for page in sorted(pages_dir.glob("*.md")) if pages_dir.is_dir() else []:
        text = page.read_text(encoding="utf-8")
        edits = _FileEdits(display_path(page), text)
        for match in TEXT_LINK_RE.finditer(text):
            target = match.group(1)
            if _names_the_id(target.strip(), old):
                edits.edits.append(_Edit(match.start(1) + len(target) - len(target.lstrip()), len(old), new))
        if edits.edits:
            page_edits[page] = edits

    for path, edits in [*file_edits.items(), *page_edits.items()]:
        references = sum(1 for edit in edits.edits if edit.length)
        if path == old_path:
            references -= sum(1 for edit in edits.edits if edit.length and edit.text == old)  # a former id put back
        if references:
            report.references[display_path(new_path) if path == old_path else edits.shown] = references
    if not write:
        return report
    for path, edits in [*file_edits.items(), *page_edits.items()]:
        if path != old_path and edits.edits:
            _write_text(path, edits.result())
    _write_text(new_path, record_edits.result())
    old_path.unlink()
    return report


def _write_text(path: Path, text: str) -> None:
    temporary = path.with_name(path.name + ".rename-tmp")
    temporary.write_text(text, encoding="utf-8")
    temporary.replace(path)


def describe(report: RenameReport, written: bool = True) -> str:
    verb = "renamed" if written else "would rename"
    lines = [f"{verb} {report.old_path} -> {report.new_path}"]
    files = len(report.references)
    lines.append(
        f"{'rewrote' if written else 'would rewrite'} {report.total} reference"
        f"{'s' if report.total != 1 else ''} in {files} file{'s' if files != 1 else ''}" + (":" if files else "")
    )
    lines.extend(f"  {shown}: {count}" for shown, count in sorted(report.references.items()))
    lines.append(f"former_ids: [{', '.join(report.former_ids)}]: the old address forwards to the new page")
    return "\n".join(lines)
