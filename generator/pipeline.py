"""Load -> check -> link: turn a content folder into a :class:`~generator.link.Dossier`."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from .cache import ParseCache, check_record_files, fewer_collections
from .check import TEXT_LINK_RE, CheckedFile, resolve_references
from .evidence import EvidenceCounts, check_stored_texts, whole_source_warnings
from .link import Dossier, link_dossier
from .loader import BIDI_CONTROL_RE, bad_character, discover_record_files, display_path
from .model import Entity, Event, Origin, Page, Source
from .problems import DossierError, Problem, Severity, suggest_closest
from .published import vanished_ids
from .vocabulary import Vocabulary, load_vocabulary, removed_types_in_use

PAGE_FRONT_MATTER_RE = re.compile(r"\A---\n(.*?)\n---\n", re.DOTALL)


@dataclass
class LoadResult:
    dossier: Dossier
    warnings: list[Problem]
    counts: dict[str, int]
    evidence: EvidenceCounts | None = None
    #: The parse cache the load used (None without one), for a caller that keeps it for the next load.
    parse_cache: ParseCache | None = None

    @property
    def vocabulary(self) -> Vocabulary:
        return self.dossier.vocabulary


@dataclass(frozen=True)
class PageLink:
    """A [[link]] in a hand-written page, checked once every record id is known."""

    path: str
    line: int
    column: int
    target: str


def load_pages(pages_dir: Path) -> tuple[list[Page], list[PageLink], list[Problem]]:
    """Hand-written Markdown pages: front matter with a ``title``, then a body with [[links]]."""
    pages, links, problems = [], [], []
    if not pages_dir.is_dir():
        return pages, links, problems
    for path in sorted(pages_dir.glob("*.md")):
        shown = display_path(path)
        try:
            text = path.read_text(encoding="utf-8")
        except (UnicodeDecodeError, OSError) as error:
            problems.append(Problem(shown, 1, 1, "unreadable", f"cannot read page: {error}", "save it as UTF-8"))
            continue
        match = PAGE_FRONT_MATTER_RE.match(text)
        title = None
        if match:
            try:
                front = yaml.safe_load(match.group(1))
            except yaml.YAMLError:
                front = None
            title = front.get("title") if isinstance(front, dict) else None
        if not isinstance(title, str) or not title.strip():
            problems.append(
                Problem(
                    shown,
                    1,
                    1,
                    "page-title",
                    "page needs front matter with a title",
                    "start the file with ---, title: ..., ---",
                )
            )
            continue
        body = text[match.end() :]
        body_line = match.group(0).count("\n") + 1
        refused = _refused_characters(shown, text)
        if refused:
            problems.extend(refused)
            continue
        for line_offset, line in enumerate(body.splitlines()):
            for link in TEXT_LINK_RE.finditer(line):
                links.append(PageLink(shown, body_line + line_offset, link.start() + 1, link.group(1).strip()))
        pages.append(Page(path.stem, Origin(shown), title.strip(), body))
    return pages, links, problems


def _refused_characters(shown: str, text: str) -> list[Problem]:
    """Bidirectional and control characters in a hand-written page, one problem a line, as in records."""
    problems = []
    for line_number, line in enumerate(text.split("\n"), 1):
        bad = BIDI_CONTROL_RE.search(line) or _PAGE_CONTROL_RE.search(line)
        if bad:
            code, message, hint = bad_character(bad.group(), "in the page")
            problems.append(Problem(shown, line_number, bad.start() + 1, code, message, hint))
    return problems


_PAGE_CONTROL_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def _check_page_links(
    links: list[PageLink], known_ids: set[str], source_ids: set[str], excerpts_by_source: dict[str, list[str]]
) -> list[Problem]:
    """Links of hand-written pages: known ids, and for [[source#excerpt]] an excerpt the source has.

    A source whose file had errors has no excerpt list (``excerpts_by_source``): its own errors come first.
    """
    problems = []
    for link in links:
        target, _, excerpt = link.target.partition("#")
        if target not in known_ids:
            problems.append(
                Problem(
                    link.path,
                    link.line,
                    link.column,
                    "unknown-reference",
                    f"[[{link.target}]]: no record with id '{target}'",
                    suggest_closest(target, known_ids) or "fix the id",
                )
            )
        elif excerpt and target in excerpts_by_source and excerpt not in excerpts_by_source[target]:
            problems.append(
                Problem(
                    link.path,
                    link.line,
                    link.column,
                    "unknown-excerpt",
                    f"[[{link.target}]]: source '{target}' has no excerpt '{excerpt}'",
                    suggest_closest(excerpt, excerpts_by_source[target])
                    or "add it to the source's 'excerpts:' or fix the id",
                )
            )
        elif excerpt and target not in source_ids and target in known_ids:
            problems.append(
                Problem(
                    link.path,
                    link.line,
                    link.column,
                    "wrong-kind",
                    f"[[{link.target}]]: only sources have excerpts, and '{target}' is not one",
                    f"link the record as [[{target}]]",
                )
            )
    return problems


def _warnings(checked_files: list[CheckedFile], page_links: list[PageLink]) -> list[Problem]:
    """Soft problems, found from what phase one collected, so that they are reported even when
    other files have errors: an entity nothing links to, a summary that cites no source, an event
    without a place.  A file with errors of its own gets no warnings: its errors come first."""
    kinds_by_id = {checked.raw.record_id: checked.raw.kind for checked in checked_files}
    referenced = {link.target.partition("#")[0] for link in page_links}
    citing = set()  # entities whose summary cites a source, or that list sources
    placed = set()  # events with a place
    for checked in checked_files:
        raw = checked.raw
        if checked.relations:
            referenced.add(raw.record_id)  # its own relationships link it into the network
        for ref in checked.refs:
            if ref.in_text:
                if ref.target != raw.record_id:
                    referenced.add(ref.target)
                if ref.path == ("summary",) and kinds_by_id.get(ref.target) == "source":
                    citing.add(raw.record_id)
                continue
            referenced.add(ref.target)
            if ref.path[:1] == ("sources",):
                citing.add(raw.record_id)
            elif ref.path == ("place",):
                placed.add(raw.record_id)
    warnings = []
    for checked in checked_files:
        raw = checked.raw
        if checked.problems:
            continue
        if raw.kind == "entity":
            if raw.record_id not in referenced:
                warnings.append(
                    Problem(
                        raw.path,
                        1,
                        1,
                        "unlinked-entity",
                        f"nothing links to entity '{raw.record_id}'",
                        "add a relationship, an event participant or a [[link]] that names it",
                        Severity.WARNING,
                    )
                )
            if raw.record_id not in citing:
                warnings.append(
                    Problem(
                        raw.path,
                        1,
                        1,
                        "uncited-summary",
                        f"the summary of '{raw.record_id}' cites no source",
                        "end it with [[source-id]] or add 'sources:'",
                        Severity.WARNING,
                    )
                )
        elif raw.kind == "event" and raw.record_id not in placed:
            warnings.append(
                Problem(
                    raw.path,
                    1,
                    1,
                    "event-without-place",
                    f"event '{raw.record_id}' has no place",
                    "add 'place:' if the source names one",
                    Severity.WARNING,
                )
            )
    return warnings


def published_ids(dossier: Dossier) -> set[str]:
    """The ids a build publishes a page for."""
    return set(dossier.entities) | set(dossier.events) | set(dossier.sources)


def _uses_of_removed(checked_files: list[CheckedFile], vocabulary: Vocabulary) -> dict:
    """(section, name) -> where records use a word the dossier's vocabulary removed."""
    if not vocabulary.removed:
        return {}
    fields = {"entity": (("type",), "entity_types"), "source": (("kind",), "source_kinds")}
    uses: dict = {}
    for checked in checked_files:
        raw = checked.raw
        path, section = fields.get(raw.kind, (None, None))
        if path is None:
            continue
        value = raw.values.get(path[0])
        if isinstance(value, str) and (section, value) in vocabulary.removed:
            line, column = raw.mark(path)
            uses.setdefault((section, value), []).append(Origin(raw.path, line, column))
    return uses


def default_workers() -> int:
    """Processes to parse a cold cache in: the cores this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


@fewer_collections()
def load_dossier(
    content_dir: Path, cache_dir: Path | None = None, workers: int = 1, kept_cache: ParseCache | None = None
) -> LoadResult:
    """Load and check every record below ``content_dir``; raise :class:`DossierError` on errors.

    With ``cache_dir``, files whose bytes were checked before are not parsed again
    (:mod:`generator.cache`); ``workers`` > 1 parses a cold cache in that many processes.
    ``kept_cache``, the ``parse_cache`` of an earlier result, is used instead of reading the
    cache file again, unless the vocabulary (or the engine) changed since.
    """
    vocabulary = load_vocabulary(content_dir)  # raises DossierError with the vocabulary's own problems
    files, problems = discover_record_files(content_dir)
    checked_files: list[CheckedFile] = []
    if kept_cache is not None and kept_cache.serves(vocabulary.digest):
        cache = kept_cache
        cache.start_load()
    else:
        cache = ParseCache(cache_dir, vocabulary.digest) if cache_dir is not None else None
    unreadable_ids: set[str] = set()  # files that exist but gave no record (unreadable, bad id): their error says why
    for (_kind, path), (load_problems, checked) in zip(files, check_record_files(files, vocabulary, cache, workers)):
        problems.extend(load_problems)
        if checked is not None:
            problems.extend(checked.problems)
            checked_files.append(checked)
        else:
            unreadable_ids.add(path.stem)
    problems.extend(resolve_references(checked_files, vocabulary, unreadable_ids))
    problems.extend(removed_types_in_use(vocabulary, _uses_of_removed(checked_files, vocabulary)))
    live_ids = {checked.raw.record_id for checked in checked_files} | unreadable_ids
    problems.extend(
        vanished_ids(
            content_dir,
            live_ids,
            {former for checked in checked_files for former, _line, _column in checked.former_ids},
        )
    )
    pages, page_links, page_problems = load_pages(content_dir / "pages")
    problems.extend(page_problems)
    known_ids = {checked.raw.record_id for checked in checked_files} | unreadable_ids
    raw_by_id = {checked.raw.record_id: checked.raw for checked in checked_files}
    excerpts_by_source = {
        checked.raw.record_id: [e.id for e in checked.record.excerpts]
        for checked in checked_files
        if isinstance(checked.record, Source)
    }
    source_ids = {record_id for record_id, raw in raw_by_id.items() if raw.kind == "source"}
    problems.extend(_check_page_links(page_links, known_ids, source_ids, excerpts_by_source))

    def marks_of(record_id: str, path: tuple) -> tuple[int, int]:
        return raw_by_id[record_id].mark(path)

    records = [checked.record for checked in checked_files if checked.record is not None]
    sources = [r for r in records if isinstance(r, Source)]
    problems.extend(check_stored_texts(sources, marks_of, content_dir))
    # Warnings of the records that could be built, listed with the errors: one run reports every problem.
    problems.extend(_warnings(checked_files, page_links))
    evidence_warnings, evidence = whole_source_warnings(records, source_ids, marks_of)
    problems.extend(evidence_warnings)
    errors = [p for p in problems if p.severity is Severity.ERROR]
    if errors:
        raise DossierError(problems)
    dossier = link_dossier(
        [r for r in records if isinstance(r, Entity)],
        [r for r in records if isinstance(r, Event)],
        [r for r in records if isinstance(r, Source)],
        pages,
        vocabulary,
    )
    return LoadResult(dossier, problems, dossier.counts(), evidence, cache)
