"""Re-render only the pages a change can reach, for ``mkdocs serve`` and other long-lived builds.

The first render records, for each record page, which records the page looked up while it
was rendered (a link's name and preview, a cited source's title, a relayed source).  The
next render compares the new dossier with the previous one and renders again:

* every record that was added, removed or changed;
* every record a changed record names, in its old or its new version (their pages show its
  relations, roles, mentions and citations from the other side);
* every page that looked up a changed record last time;
* the events next to a changed event on the timeline (their previous/next links);
* every page that is not a record page (indexes, timeline, home), which list many records.

Every other page keeps last time's text.  A change to templates, site settings or the
hand-written pages renders everything.  ``tests/test_speed_incremental.py`` checks that the
result always equals a full render.
"""

from __future__ import annotations

import dataclasses
import hashlib
from pathlib import Path
from typing import Callable

from .cache import fewer_collections
from .check import TEXT_LINK_RE
from .link import Dossier
from .manifest import hash_tree
from .render import TEMPLATES_DIR, Renderer, record_path

EVERYTHING = "\0every record"  # in a page's lookups: it iterated a whole collection


class _RecordingDict(dict):
    """A dict of records that notes every key looked up, into a shared set."""

    def __init__(self, records: dict, touched: set):
        super().__init__(records)
        self.touched = touched

    def __getitem__(self, key):
        self.touched.add(key)
        return super().__getitem__(key)

    def get(self, key, default=None):
        self.touched.add(key)
        return super().get(key, default)

    def __contains__(self, key):
        self.touched.add(key)
        return super().__contains__(key)

    def __iter__(self):
        self.touched.add(EVERYTHING)
        return super().__iter__()

    def values(self):
        self.touched.add(EVERYTHING)
        return super().values()

    def items(self):
        self.touched.add(EVERYTHING)
        return super().items()


def _recording_view(dossier: Dossier, touched: set) -> Dossier:
    return dataclasses.replace(dossier, entities=_RecordingDict(dossier.entities, touched),
                               events=_RecordingDict(dossier.events, touched),
                               sources=_RecordingDict(dossier.sources, touched))


def _all_records(dossier: Dossier) -> dict:
    return {**dossier.entities, **dossier.events, **dossier.sources}


def named_ids(record, known_ids) -> set[str]:
    """Every record id a record names: in reference fields and as [[links]] in its text."""
    found: set[str] = set()

    def walk(value) -> None:
        if isinstance(value, str):
            if value.partition("#")[0] in known_ids:  # a citation names its source
                found.add(value.partition("#")[0])
            for match in TEXT_LINK_RE.finditer(value):
                found.add(match.group(1).strip().partition("#")[0])
        elif dataclasses.is_dataclass(value) and not isinstance(value, type):
            for item in dataclasses.fields(value):
                walk(getattr(value, item.name))
        elif isinstance(value, (list, tuple, frozenset, set)):
            for item in value:
                walk(item)
        elif isinstance(value, dict):
            for key, item in value.items():
                walk(key)
                walk(item)

    walk(record)
    return found


def preview_ids(record) -> set[str]:
    """Ids a record's hover preview shows the names of: the [[links]] of its summary (or note).

    Must follow render.PageWriter._preview, which flattens ``summary or note``.
    """
    text = getattr(record, "summary", None) or getattr(record, "note", None)
    return {match.group(1).strip().partition("#")[0] for match in TEXT_LINK_RE.finditer(text)} if text else set()


def _templates_fingerprint(override_dir: Path | None) -> str:
    digest = hashlib.sha1()
    hash_tree(digest, Path(override_dir) if override_dir else None, "overrides")
    hash_tree(digest, TEMPLATES_DIR, "templates")
    return digest.hexdigest()


class IncrementalRenderer:
    """Keeps the last render; ``render()`` returns all pages, re-rendering only what a change reaches."""

    def __init__(self) -> None:
        self.pages: dict[str, str] = {}
        self.lookups_by_path: dict[str, set] = {}
        self.dossier: Dossier | None = None
        self.fingerprint: str | None = None
        self.rendered: set[str] = set()  # record pages rendered in the last call
        self.changed: set[str] = set()  # paths whose text differs from the call before
        self.preview_names_by_id: dict[str, set[str]] = {}  # record id -> ids its hover preview names

    def _targets(self, dossier: Dossier, fingerprint: str) -> set[str] | None:
        """Ids of the records to render again, or None for all."""
        previous = self.dossier
        if previous is None or fingerprint != self.fingerprint or previous.pages != dossier.pages:
            return None
        old_records, new_records = _all_records(previous), _all_records(dossier)
        changed = {record_id for record_id in old_records.keys() | new_records.keys()
                   if old_records.get(record_id) != new_records.get(record_id)}
        targets = set(changed)
        known = old_records.keys() | new_records.keys()
        # A link's hover preview shows the linked record's text with the names it links to, and
        # previews are computed once a render (render.PageWriter._preview), so a page's recorded
        # lookups hold the records it links to but not always the names in their previews: pages
        # that looked up a record whose preview names a changed one are rendered again too.
        # (an unchanged record's preview names what it named last time; only changed ones are read again)
        for record_id in changed:
            if record_id in new_records:
                self.preview_names_by_id[record_id] = preview_ids(new_records[record_id])
            else:
                self.preview_names_by_id.pop(record_id, None)
        changed_or_naming = changed | {record_id for record_id, names in self.preview_names_by_id.items()
                                       if not changed.isdisjoint(names)}
        for record_id in changed:
            for version in (old_records.get(record_id), new_records.get(record_id)):
                if version is not None:
                    targets |= named_ids(version, known)
            if record_id in dossier.events:
                targets.update(e.id for e in dossier.previous_and_next(dossier.events[record_id]) if e is not None)
        for path, lookups in self.lookups_by_path.items():
            if EVERYTHING in lookups or not lookups.isdisjoint(changed_or_naming):
                targets.add(path.rsplit("/", 1)[-1][:-3])
        return targets

    @fewer_collections()
    def render(self, dossier: Dossier, make_renderer: Callable[[Dossier], Renderer] = Renderer,
               override_dir: Path | None = None, settings: str = "") -> dict:
        """All pages of ``dossier``, rendered by ``make_renderer(dossier)``.

        ``override_dir`` (the template overrides) and ``settings`` (anything else the pages
        depend on, as text) are compared with last time: when they differ, all is rendered.
        """
        fingerprint = _templates_fingerprint(override_dir) + settings
        targets = self._targets(dossier, fingerprint)
        if targets is None:
            self.preview_names_by_id = {record_id: preview_ids(record) for record_id, record in
                                        _all_records(dossier).items()}
        touched: set = set()
        renderer = make_renderer(_recording_view(dossier, touched))
        renderer.prefetch_exports()  # the data files build on the other core while the record pages render
        try:
            pages: dict[str, str] = {}
            lookups: dict[str, set] = {}
            self.rendered = set()
            for records, render_one in ((dossier.entities, renderer.render_entity),
                                        (dossier.events, renderer.render_event),
                                        (dossier.sources, renderer.render_source)):
                for record_id, record in records.items():
                    path = record_path(record)
                    if targets is not None and record_id not in targets and path in self.pages:
                        pages[path] = self.pages[path]
                        lookups[path] = self.lookups_by_path.get(path, set())
                        continue
                    touched.clear()
                    pages[path] = render_one(record)
                    lookups[path] = set(touched)
                    self.rendered.add(path)
            record_paths = set(pages)
            for path, text in renderer.render_all(only=set()).items():
                if path not in record_paths:
                    pages[path] = text
        except BaseException:  # a template error: no forked child left waiting on its pipe
            renderer.cancel_exports()
            raise
        pages = dict(sorted(pages.items()))
        self.changed = {path for path, text in pages.items() if self.pages.get(path) != text}
        self.pages, self.lookups_by_path, self.dossier, self.fingerprint = pages, lookups, dossier, fingerprint
        return pages
