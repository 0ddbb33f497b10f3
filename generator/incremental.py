"""Re-render only the pages a change can reach, for ``mkdocs serve`` and other long-lived builds.

While a record page renders, every read of the dossier goes through one recording proxy
(:class:`RecordingDossier`): any attribute (the records, and every derived map: relations,
mentions, citations, who relays a source, timeline neighbours ...), any key looked up in it,
any iteration over it, and any function or property of the dossier's class, which then runs against the
proxy so that its own reads are recorded too.  Nothing lists the attributes: a map the
linker adds later is recorded the same way.  Links and hover previews that one page computes
and later pages take from the render's memo (``render.LinkMemo``) carry the reads made while
computing them, so the pages that reuse them record those reads as well.

The next render compares every attribute of the new dossier with the previous one, key by
key, and renders again:

* every record page that read a key whose value changed, or iterated (or measured) an
  attribute that changed at all;
* the pages of new records;
* every page that is not a record page (indexes, timeline, home, hand-written pages), which
  list many records.

Every other page keeps last time's text.  A change to templates or site settings renders
everything.  ``tests/test_speed_incremental_exact.py`` checks, for every kind of change, that
the result equals a full render byte for byte.
"""

from __future__ import annotations

import collections.abc
import dataclasses
import hashlib
import inspect
from collections.abc import Callable
from pathlib import Path

from .build import SiteBuild
from .cache import fewer_collections
from .link import Dossier
from .manifest import hash_tree
from .render import TEMPLATES_DIR, LinkMemo
from .settings import record_path

EVERYTHING = "\0every key"  # in a page's reads of an attribute: it iterated the whole value
LENGTH = "\0length"  # ... it asked for the value's length
_MISSING = object()


class Recorder:
    """Where the reads of the page being rendered go: attribute name -> keys read.

    Frames nest: a memoised link records into the page's frame and into the link's own frame,
    kept with the memo entry so that a later page taking the link from the memo records them.
    """

    def __init__(self) -> None:
        self.frames: list[dict[str, set]] = []

    def start_page(self) -> dict[str, set]:
        self.frames = [{}]
        return self.frames[0]

    def note(self, attribute: str, key) -> None:
        for frame in self.frames:
            keys = frame.get(attribute)
            if keys is None:
                frame[attribute] = {key}
            else:
                keys.add(key)

    def note_all(self, reads: dict[str, set]) -> None:
        for frame in self.frames:
            for attribute, keys in reads.items():
                frame.setdefault(attribute, set()).update(keys)


class _RecordingMapping:
    """A read-only view of one dict attribute of the dossier that notes every key read."""

    __slots__ = ("_data", "_name", "_recorder")

    def __init__(self, data: dict, name: str, recorder: Recorder):
        self._data, self._name, self._recorder = data, name, recorder

    def __getitem__(self, key):
        self._recorder.note(self._name, key)
        return self._data[key]

    def get(self, key, default=None):
        self._recorder.note(self._name, key)
        return self._data.get(key, default)

    def __contains__(self, key) -> bool:
        self._recorder.note(self._name, key)
        return key in self._data

    def __len__(self) -> int:
        self._recorder.note(self._name, LENGTH)
        return len(self._data)

    def __bool__(self) -> bool:
        self._recorder.note(self._name, LENGTH)
        return bool(self._data)

    def __iter__(self):
        self._recorder.note(self._name, EVERYTHING)
        return iter(self._data)

    def keys(self):
        self._recorder.note(self._name, EVERYTHING)
        return self._data.keys()

    def values(self):
        self._recorder.note(self._name, EVERYTHING)
        return self._data.values()

    def items(self):
        self._recorder.note(self._name, EVERYTHING)
        return self._data.items()

    def __eq__(self, other) -> bool:
        self._recorder.note(self._name, EVERYTHING)
        return self._data == (other._data if isinstance(other, _RecordingMapping) else other)

    __hash__ = None

    def __reversed__(self):
        self._recorder.note(self._name, EVERYTHING)
        return reversed(self._data)

    def __getattr__(self, name: str):  # any other dict operation (copy ...): the whole value is read
        self._recorder.note(self._name, EVERYTHING)
        return getattr(self._data, name)

    def __repr__(self) -> str:
        return f"<recorded {self._name}: {len(self._data)} keys>"


collections.abc.Mapping.register(_RecordingMapping)  # templates' `is mapping` and |dictsort see a dict


class RecordingDossier:
    """The dossier as a page sees it while it renders: every read is noted in ``recorder``.

    Dict attributes come back as recording views; any other attribute is noted as read whole;
    functions and properties of :class:`~generator.link.Dossier` run with this proxy as ``self``.
    """

    def __init__(self, dossier: Dossier, recorder: Recorder):
        object.__setattr__(self, "_dossier", dossier)
        object.__setattr__(self, "_recorder", recorder)

    def __getattr__(self, name: str):
        # Called only for names not yet on the proxy: a bound function or a dict's view is kept on it
        # (one render reads them tens of thousands of times); any other value is noted at each read.
        dossier = self._dossier
        on_class = inspect.getattr_static(type(dossier), name, _MISSING)
        if isinstance(on_class, property):
            return on_class.fget(self)
        if inspect.isfunction(on_class):  # a function of the class: its reads come through this proxy too
            bound = on_class.__get__(self)
            object.__setattr__(self, name, bound)
            return bound
        value = getattr(dossier, name)
        if on_class is not _MISSING and name not in vars(dossier):  # a class constant, a static or class function
            return value
        if isinstance(value, dict):
            view = _RecordingMapping(value, name, self._recorder)
            object.__setattr__(self, name, view)
            return view
        self._recorder.note(name, EVERYTHING)
        return value

    def __setattr__(self, name: str, value) -> None:
        setattr(self._dossier, name, value)


class _RecordingMemoDict(dict):
    """A memo of one render (``render.LinkMemo``) that keeps, with each entry, the reads that made it.

    A miss (``get`` or ``in``) opens a frame; storing the entry closes it.  A hit notes the
    entry's reads in the frames open now, as if the page had computed it itself.
    """

    def __init__(self, recorder: Recorder):
        super().__init__()
        self._recorder = recorder
        self._reads: dict = {}

    def _hit_or_open(self, key) -> bool:
        if dict.__contains__(self, key):
            self._recorder.note_all(self._reads[key])
            return True
        self._recorder.frames.append({})
        return False

    def get(self, key, default=None):
        return dict.__getitem__(self, key) if self._hit_or_open(key) else default

    def __contains__(self, key) -> bool:
        return self._hit_or_open(key)

    def __getitem__(self, key):
        if dict.__contains__(self, key):
            self._recorder.note_all(self._reads[key])
        return dict.__getitem__(self, key)

    def __setitem__(self, key, value) -> None:
        frames = self._recorder.frames
        self._reads[key] = frames.pop() if len(frames) > 1 else {}
        dict.__setitem__(self, key, value)


def _recording_memo(recorder: Recorder) -> LinkMemo:
    """A LinkMemo whose every memo (each field, whatever it is called) records what its entries read."""
    return LinkMemo(**{item.name: _RecordingMemoDict(recorder) for item in dataclasses.fields(LinkMemo)})


def _changes(previous: Dossier, dossier: Dossier) -> dict[str, set | None]:
    """For each attribute of the dossier that differs: the keys whose values differ (None: not a dict).

    A dict whose keys came in another order, or changed in number, counts EVERYTHING and
    LENGTH as changed too, since a page that iterated it may show them in another order.
    """
    changes: dict[str, set | None] = {}
    names = set(vars(previous)) | set(vars(dossier))
    for name in names:
        old, new = getattr(previous, name, _MISSING), getattr(dossier, name, _MISSING)
        if isinstance(old, dict) and isinstance(new, dict):
            keys = {key for key in old.keys() | new.keys() if old.get(key, _MISSING) != new.get(key, _MISSING)}
            if keys or list(old) != list(new):
                keys |= {EVERYTHING}
            if len(old) != len(new):
                keys.add(LENGTH)
            if keys:
                changes[name] = keys
        elif old is _MISSING or new is _MISSING or type(old) is not type(new) or old != new:
            changes[name] = None
    return changes


def _stale(reads: dict[str, set], changes: dict[str, set | None]) -> bool:
    for name, keys in reads.items():
        if name in changes:
            changed = changes[name]
            if changed is None or not keys.isdisjoint(changed):
                return True
    return False


def _templates_fingerprint(override_dir: Path | None) -> str:
    digest = hashlib.sha1()
    hash_tree(digest, Path(override_dir) if override_dir else None, "overrides")
    hash_tree(digest, TEMPLATES_DIR, "templates")
    return digest.hexdigest()


class IncrementalRenderer:
    """Keeps the last render; ``render()`` returns all pages, re-rendering only what a change reaches."""

    def __init__(self) -> None:
        self.pages: dict[str, str] = {}
        self.reads_by_path: dict[str, dict[str, set]] = {}
        self.dossier: Dossier | None = None
        self.fingerprint: str | None = None
        self.rendered: set[str] = set()  # record pages rendered in the last call
        self.changed: set[str] = set()  # paths whose text differs from the call before

    @fewer_collections()
    def render(
        self,
        dossier: Dossier,
        make_renderer: Callable[[Dossier], SiteBuild] = SiteBuild,
        override_dir: Path | None = None,
        settings: str = "",
    ) -> dict:
        """All pages of ``dossier``, rendered by ``make_renderer(dossier)``.

        ``override_dir`` (the template overrides) and ``settings`` (anything else the pages
        depend on, as text) are compared with last time: when they differ, all is rendered.
        """
        fingerprint = _templates_fingerprint(override_dir) + settings
        everything = self.dossier is None or fingerprint != self.fingerprint
        changes = {} if everything else _changes(self.dossier, dossier)
        recorder = Recorder()
        view = RecordingDossier(dossier, recorder)
        renderer = make_renderer(dossier)  # the other pages and the data files: nothing to record
        renderer.start_outputs()  # the data files build on the other core while the record pages render
        try:
            record_renderer = make_renderer(view).renderer
            record_renderer._memo = _recording_memo(recorder)
            pages: dict[str, str] = {}
            reads_by_path: dict[str, dict[str, set]] = {}
            self.rendered = set()
            for kind_name, render_one in (
                ("entities", record_renderer.render_entity),
                ("events", record_renderer.render_event),
                ("sources", record_renderer.render_source),
            ):
                records = getattr(dossier, kind_name)
                recorded_records = getattr(view, kind_name)
                for record_id, record in records.items():
                    path = record_path(record)
                    reads = self.reads_by_path.get(path)
                    if not everything and reads is not None and path in self.pages and not _stale(reads, changes):
                        pages[path] = self.pages[path]
                        reads_by_path[path] = reads
                        continue
                    reads = recorder.start_page()
                    pages[path] = render_one(recorded_records[record_id])  # the page reads its own record
                    reads_by_path[path] = reads
                    self.rendered.add(path)
            recorder.frames = []
            record_paths = set(pages)
            for path, text in renderer.render_all(only=set()).items():
                if path not in record_paths:
                    pages[path] = text
        except BaseException:  # a template error: no forked child left waiting on its pipe
            renderer.cancel_outputs()
            raise
        pages = dict(sorted(pages.items()))
        self.changed = {path for path, text in pages.items() if self.pages.get(path) != text}
        self.pages, self.reads_by_path, self.dossier, self.fingerprint = pages, reads_by_path, dossier, fingerprint
        return pages
