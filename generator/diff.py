"""What a change does to the dossier: records added, removed, renamed and changed against a git revision.

``python -m generator diff BASE`` compares the record files under ``content/`` as they are now
(the work tree, so a new file not yet added to git counts too) with the same folder at ``BASE``
(read with ``git archive``).  A changed record lists each changed top-level field with its old
and new value; a file git sees as renamed (``git diff -M``), or an added file with the very bytes
of a removed one, is a rename, not a removal and an addition.  The pages affected are each
touched record's own page, the pages of the records that link to it or cite it (before and
after), and the lists the record appears in.  The report is Markdown, for a pull request's
comment or job summary; record text in it is escaped, so it never becomes live Markdown or HTML.
"""

from __future__ import annotations

import io
import json
import re
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import yaml

from . import schema
from .link import Dossier
from .pipeline import load_dossier
from .problems import DossierError, Severity

MARKER = "<!-- dossier-diff -->"  # lets the pull-request job find its own comment to update
VALUE_LIMIT = 300  # characters of a value shown before it is cut


class DiffError(Exception):
    """git could not answer (not a repository, unknown revision); the message says what to do."""


@dataclass(frozen=True)
class RecordFile:
    kind_folder: str  # "entities", "events", "sources"
    record_id: str
    path: str  # repository-relative, POSIX

    @property
    def page(self) -> str:
        return f"{self.kind_folder}/{self.record_id}/"


@dataclass
class FieldChange:
    name: str
    before: object  # None: the field was absent
    after: object


@dataclass
class RecordChange:
    before: RecordFile | None
    after: RecordFile | None
    fields: list[FieldChange] = field(default_factory=list)
    title: str = ""

    @property
    def status(self) -> str:
        if self.before is None:
            return "added"
        if self.after is None:
            return "removed"
        return "renamed" if self.before.record_id != self.after.record_id else "changed"


@dataclass
class DossierDiff:
    base: str
    changes: list[RecordChange]
    pages: list[str]
    notes: list[str]

    def by_status(self, status: str) -> list[RecordChange]:
        return [change for change in self.changes if change.status == status]


def _git(repo: Path, *arguments: str, binary: bool = False):
    try:
        result = subprocess.run(["git", *arguments], cwd=repo, capture_output=True, text=not binary)
    except FileNotFoundError:
        raise DiffError("git is not installed: `generator diff` reads the old records with git") from None
    if result.returncode != 0:
        message = result.stderr if not binary else result.stderr.decode("utf-8", "replace")
        raise DiffError(f"git {' '.join(arguments[:2])} failed: {message.strip()}")
    return result.stdout


def _record_file(path: str, content_rel: PurePosixPath) -> RecordFile | None:
    """A record file's folder and id from its repository path, or None for anything else."""
    pure = PurePosixPath(path)
    try:
        inside = pure.relative_to(content_rel) if str(content_rel) != "." else pure
    except ValueError:
        return None
    if len(inside.parts) != 2 or inside.suffix != ".yaml" or inside.parts[0] not in schema.KIND_FOLDERS.values():
        return None
    return RecordFile(inside.parts[0], inside.stem, path)


def _fields(text: bytes | None) -> dict | None:
    """The top-level fields of a record file; None when it is no YAML mapping (``check`` says why)."""
    if text is None:
        return None
    try:
        value = yaml.safe_load(text.decode("utf-8-sig"))
    except (yaml.YAMLError, UnicodeDecodeError):
        return None
    return value if isinstance(value, dict) else None


def _title(fields: dict | None, record_id: str) -> str:
    if fields:
        for key in ("name", "title"):
            if isinstance(fields.get(key), str) and fields[key].strip():
                return fields[key].strip()
    return record_id


def _field_changes(before: dict | None, after: dict | None) -> list[FieldChange]:
    if before is None or after is None:
        if before == after:
            return []
        return [
            FieldChange(
                "(whole file)",
                "unreadable YAML" if before is None else "a mapping",
                "unreadable YAML" if after is None else "a mapping",
            )
        ]
    return _mapping_changes("", before, after)


def _mapping_changes(prefix: str, before: dict, after: dict) -> list[FieldChange]:
    """Changed keys of two mappings; a mapping in both (``facts``) is compared key by key, one level down."""
    changes: list[FieldChange] = []
    for name in list(before) + [name for name in after if name not in before]:
        old, new = before.get(name), after.get(name)
        if old == new:
            continue
        label = f"{prefix}{name}"
        if not prefix and isinstance(old, dict) and isinstance(new, dict):
            changes.extend(_mapping_changes(f"{label}.", old, new))
        elif isinstance(old, list) and isinstance(new, list):
            removed = [item for item in old if item not in new]
            added = [item for item in new if item not in old]
            if not removed and not added:
                changes.append(FieldChange(f"{label} (order)", old, new))
            else:
                changes.append(FieldChange(f"{label} (items)", removed or "–", added or "–"))
        else:
            changes.append(FieldChange(label, old, new))
    return changes


def _links_both_ways(dossier: Dossier) -> dict[str, set[str]]:
    """For each record id, the ids of the records whose pages show it, and of those its own page shows
    (whose *Mentioned in*, *References* or timeline lists it): mentions, citations, relations, events."""
    linked: dict[str, set[str]] = {}

    def join(one: str, other: str) -> None:
        if one != other:
            linked.setdefault(one, set()).add(other)
            linked.setdefault(other, set()).add(one)

    for target, mentions in dossier.mentions_by_record.items():
        for mention in mentions:
            join(target, mention.record)
    for source_id, citations in dossier.citations_by_source.items():
        for citation in citations:
            join(source_id, citation.record)
    for entity_id, views in dossier.relations_by_entity.items():
        for view in views:
            join(entity_id, view.other)
    for entity_id, roles in dossier.events_by_entity.items():
        for role in roles:
            join(entity_id, role.event.id)
    for by_record in (dossier.relayed_by, dossier.published_by):
        for record_id, others in by_record.items():
            for other in others:
                join(record_id, other)
    for event_id, states in dossier.lifecycle_by_event.items():
        for entity_id, _state in states:
            join(event_id, entity_id)
    return linked


def _page_of(dossier: Dossier, record_id: str) -> str | None:
    record = dossier.get(record_id)
    return f"{schema.KIND_FOLDERS[record.kind]}/{record_id}/" if record is not None else None


def _load(content_dir: Path, what: str, notes: list[str]) -> Dossier | None:
    try:
        return load_dossier(content_dir).dossier
    except DossierError as error:
        count = len([p for p in error.problems if p.severity is Severity.ERROR])
        notes.append(
            f"The records {what} have {count} error{'s' if count != 1 else ''} "
            f"(`python -m generator check` lists them), so the pages that link to them are not listed."
        )
        return None


def diff_dossier(base: str, content_dir: Path) -> DossierDiff:
    """Compare ``content_dir`` now with the same folder at git revision ``base``."""
    content_dir = content_dir.resolve()
    if not content_dir.is_dir():
        raise DiffError(f"{content_dir}: no such content folder")
    repo = Path(_git(content_dir, "rev-parse", "--show-toplevel").strip())
    content_rel = PurePosixPath(content_dir.relative_to(repo).as_posix())
    try:
        _git(repo, "rev-parse", "--verify", "--quiet", f"{base}^{{commit}}")
    except DiffError:
        raise DiffError(
            f"{base}: no such commit in {repo} (a branch, tag or commit id, e.g. origin/main; "
            f"in a shallow clone, fetch the history first: git fetch --unshallow)"
        ) from None

    with tempfile.TemporaryDirectory(prefix="dossier-diff-") as scratch:
        old_root = Path(scratch)
        archive = (
            _git(repo, "archive", "--format=tar", base, "--", str(content_rel), binary=True)
            if _git(repo, "ls-tree", "--name-only", base, "--", str(content_rel)).strip()
            else b""
        )
        old_files: dict[str, RecordFile] = {}
        if archive:
            with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
                # Regular files only: a link in the old tree is no record (and never points outside).
                members = [m for m in tar.getmembers() if m.isfile() or m.isdir()]
                if hasattr(tarfile, "data_filter"):  # Python 3.11.4+; 3.11.2 (Debian 12) has no filters
                    tar.extractall(old_root, members=members, filter="data")
                else:
                    tar.extractall(old_root, members=members)
            for path in sorted(old_root.rglob("*.yaml")):
                record_file = _record_file(path.relative_to(old_root).as_posix(), content_rel)
                if record_file:
                    old_files[record_file.path] = record_file
        new_files: dict[str, RecordFile] = {}
        for path in sorted(content_dir.glob("*/*.yaml")):
            record_file = _record_file(path.relative_to(repo).as_posix(), content_rel)
            if record_file:
                new_files[record_file.path] = record_file

        def old_bytes(path: str) -> bytes:
            return (old_root / path).read_bytes()

        def new_bytes(path: str) -> bytes:
            return (repo / path).read_bytes()

        renames: dict[str, str] = {}  # old path -> new path
        status = _git(repo, "diff", "-M", "--name-status", "-z", base, "--", str(content_rel))
        fields = status.split("\0")
        index = 0
        while index < len(fields) - 1:
            code = fields[index]
            if code.startswith(("R", "C")):
                old_path, new_path = fields[index + 1], fields[index + 2]
                if code.startswith("R") and old_path in old_files and new_path in new_files:
                    renames[old_path] = new_path
                index += 3
            else:
                index += 2
        gone = [p for p in old_files if p not in new_files and p not in renames]
        arrived = [p for p in new_files if p not in old_files and p not in renames.values()]
        arrived_by_bytes = {new_bytes(p): p for p in arrived}
        for old_path in gone:  # e.g. a rename not yet staged: the same bytes under a new name
            new_path = arrived_by_bytes.pop(old_bytes(old_path), None)
            if new_path is not None:
                renames[old_path] = new_path

        changes: list[RecordChange] = []
        for path, record_file in old_files.items():
            if path in renames:
                after_file = new_files[renames[path]]
                before, after = _fields(old_bytes(path)), _fields(new_bytes(after_file.path))
                changes.append(
                    RecordChange(
                        record_file, after_file, _field_changes(before, after), _title(after, after_file.record_id)
                    )
                )
            elif path in new_files:
                old_text, new_text = old_bytes(path), new_bytes(path)
                if old_text != new_text:
                    before, after = _fields(old_text), _fields(new_text)
                    field_changes = _field_changes(before, after)
                    if field_changes or before is None:
                        changes.append(
                            RecordChange(
                                record_file, new_files[path], field_changes, _title(after, record_file.record_id)
                            )
                        )
            else:
                changes.append(
                    RecordChange(record_file, None, [], _title(_fields(old_bytes(path)), record_file.record_id))
                )
        renamed_to = set(renames.values())
        for path, record_file in new_files.items():
            if path not in old_files and path not in renamed_to:
                changes.append(
                    RecordChange(None, record_file, [], _title(_fields(new_bytes(path)), record_file.record_id))
                )
        order = {"added": 0, "changed": 1, "renamed": 2, "removed": 3}
        changes.sort(key=lambda c: (order[c.status], (c.after or c.before).path))

        notes: list[str] = []
        pages: set[str] = set()
        if changes:
            old_dossier = _load(old_root / content_rel, f"at `{base}`", notes) if archive else None
            new_dossier = _load(content_dir, "now", notes)
            links = [(dossier, _links_both_ways(dossier)) for dossier in (old_dossier, new_dossier) if dossier]
            for change in changes:
                for side in (change.before, change.after):
                    if side is None:
                        continue
                    pages.add(side.page)
                    for dossier, linked in links:
                        pages.update(
                            filter(None, (_page_of(dossier, other) for other in linked.get(side.record_id, ())))
                        )
                if change.status != "changed":
                    pages.add(f"{(change.after or change.before).kind_folder}/")
                if "events" in {side.kind_folder for side in (change.before, change.after) if side}:
                    pages.add("timeline/")
    return DossierDiff(base, changes, sorted(pages), notes)


def _one_line(value: object) -> str:
    if isinstance(value, list):
        text = "; ".join(_one_line(item) for item in value)
    elif isinstance(value, str):
        text = value
    else:
        text = json.dumps(value, ensure_ascii=False, default=str)
    return " ".join(text.split())


def _shown_pair(before: object, after: object, limit: int = VALUE_LIMIT) -> tuple[str, str]:
    """Both values on one line each; long ones cut to a window around where they first differ."""
    old = _one_line(before) if before is not None else ""
    new = _one_line(after) if after is not None else ""
    common = 0
    while common < min(len(old), len(new)) and old[common] == new[common]:
        common += 1
    start = max(0, common - limit // 3) if max(len(old), len(new)) > limit else 0

    def window(text: str) -> str:
        cut = text[start : start + limit]
        return ("…" if start else "") + cut + ("…" if start + limit < len(text) else "")

    return window(old), window(new)


def markdown_code(text: str) -> str:
    """``text`` as an inline code span, safe in a table cell: nothing in it is Markdown, HTML or a mention."""
    if not text:
        return "*(none)*"
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    padded = f" {text} " if text.startswith("`") or text.endswith("`") or longest else text
    return f"{fence}{padded.replace('|', chr(92) + '|')}{fence}"


def _cell_pair(change: FieldChange) -> tuple[str, str]:
    old, new = _shown_pair(change.before, change.after)
    return (
        markdown_code(old) if change.before is not None else "*(absent)*",
        markdown_code(new) if change.after is not None else "*(absent)*",
    )


def render_markdown(diff: DossierDiff) -> str:
    """The report: a summary line, then Added, Changed, Renamed, Removed and the pages affected."""
    counts = {status: len(diff.by_status(status)) for status in ("added", "changed", "renamed", "removed")}
    lines = [MARKER, f"## Dossier changes against `{diff.base}`", ""]
    if not diff.changes:
        lines.append("No record was added, removed, renamed or changed.")
        return "\n".join(lines) + "\n"
    lines += [", ".join(f"{count} {status}" for status, count in counts.items()) + ".", ""]
    for status, heading in (("added", "Added"), ("changed", "Changed"), ("renamed", "Renamed"), ("removed", "Removed")):
        group = diff.by_status(status)
        if not group:
            continue
        lines += [f"### {heading}", ""]
        for change in group:
            side = change.after or change.before
            if status == "renamed":
                lines.append(
                    f"- {markdown_code(change.before.record_id)} → {markdown_code(change.after.record_id)} "
                    f"({markdown_code(change.before.path)} → {markdown_code(change.after.path)}): "
                    f"{markdown_code(change.title)}"
                )
            else:
                lines.append(
                    f"- {markdown_code(side.record_id)} ({markdown_code(side.path)}): {markdown_code(change.title)}"
                )
            if change.fields:
                lines += ["", "  | field | before | after |", "  | --- | --- | --- |"]
                lines += [f"  | {markdown_code(f.name)} | {' | '.join(_cell_pair(f))} |" for f in change.fields]
                lines.append("")
        if lines[-1] != "":
            lines.append("")
    lines += [f"### Pages affected ({len(diff.pages)})", ""]
    lines += [f"- {markdown_code(page)}" for page in diff.pages]
    for note in diff.notes:
        lines += ["", f"> {note}"]
    return "\n".join(lines).rstrip("\n") + "\n"
