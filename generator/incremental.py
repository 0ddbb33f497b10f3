"""Re-render only the pages a change can reach, for ``mkdocs serve`` and other long-lived builds.

While a page renders, every read of the dossier goes through one recording proxy
(:class:`RecordingDossier`): any attribute (the records, and every derived map: relations,
mentions, citations, who relays a source, timeline neighbours ...), any key looked up in it,
any iteration over it, and any function or property of the dossier's class, which then runs against the
proxy so that its own reads are recorded too.  Nothing lists the attributes: a map the
linker adds later is recorded the same way.  A record (entity, event, source, page) read
from a map comes back as a recording view too (:class:`_RecordingRecord`), which notes each
field read: a page that shows an entity's name and summary is not reached by an edit of its
description.  Links and hover previews that one page computes and later pages take from the
render's memo (``render.LinkMemo``) carry the reads made while computing them, so the pages
that reuse them record those reads as well.

The next render compares every attribute of the new dossier with the previous one, key by
key, and renders again:

* every record page that read a key whose value changed (for a record read field by field:
  a field whose value changed), or iterated (or measured) an attribute whose keys changed;
* the pages of new records;
* the pages that list records (indexes, timeline, graph, home, hand-written pages, the
  format reference and the redirects at former addresses), recorded as one group, when any
  of their reads changed;
* the data files and the data page, always (they show every field of every record).

Every other page keeps last time's text.  A change to templates or site settings renders
everything.  ``tests/test_speed_incremental_exact.py`` checks, for every kind of change, that
the result equals a full render byte for byte.
"""

from __future__ import annotations

import collections.abc
import dataclasses
import functools
import hashlib
import inspect
from collections.abc import Callable
from pathlib import Path

from .build import SiteBuild
from .cache import fewer_collections
from .link import Dossier
from .manifest import hash_tree
from .model import Entity, Event, Page, Source
from .render import TEMPLATES_DIR, LinkMemo
from .settings import record_path

EVERYTHING = "\0every key"  # in a page's reads of an attribute: it read the whole value
KEYS = "\0keys"  # ... it iterated the keys (their set and order), reading the values it needed one by one
LENGTH = "\0length"  # ... it asked for the value's length
FIELDS = "\0fields"  # (FIELDS, key): it read fields of the record under key; which: reads[(attribute, key)]
PRESENT = "\0present"  # (PRESENT, key): it asked whether the key is there
_MISSING = object()
#: Values read field by field (see :class:`_RecordingRecord`).
RECORD_TYPES = (Entity, Event, Source, Page)
#: The reads of the pages that list records, kept as one group beside the record pages' paths.
LIST_PAGES = "\0list pages"


class Recorder:
    """Where the reads of the page being rendered go: attribute name -> keys read.

    Frames nest: a memoised link records into the page's frame and into the link's own frame,
    kept with the memo entry so that a later page taking the link from the memo records them.
    """

    def __init__(self) -> None:
        self.frames: list[dict[str, set]] = []
        #: Changes whenever the frames do: a record view notes a field once a generation (_RecordingRecord).
        self.generation = 0

    def start_page(self) -> dict[str, set]:
        self.frames = [{}]
        self.generation += 1
        return self.frames[0]

    def stop(self) -> None:
        self.frames = []
        self.generation += 1

    def push(self) -> None:
        self.frames.append({})
        self.generation += 1

    def pop(self) -> dict[str, set]:
        self.generation += 1
        return self.frames.pop()

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


class _RecordingRecord:
    """One record as a page sees it: each field read is noted, under ``(attribute, key)``.

    Anything that takes the record whole (comparing, hashing, printing it) notes the whole
    value, as for any other value of a map.  ``isinstance`` and ``__class__`` see the record's
    own class, so that templates and helpers treat the view as the record.
    """

    __slots__ = ("_record", "_name", "_key", "_recorder", "_fields_key", "_noted", "_present_at")

    def __init__(self, record, name: str, key, recorder: Recorder):
        self._record, self._name, self._key, self._recorder = record, name, key, recorder
        self._fields_key = (name, key)
        self._noted: dict[str, int] = {}  # field -> the recorder's generation when last noted
        self._present_at = -1

    def _taken(self) -> _RecordingRecord:
        """The map gave this view out (again): note that the page reads fields of the record."""
        recorder = self._recorder
        if self._present_at != recorder.generation:
            self._present_at = recorder.generation
            recorder.note(self._name, (FIELDS, self._key))
        return self

    def __getattr__(self, field: str):
        # Noted once while the frames stay the same: a page reads a record's name many times.
        recorder = self._recorder
        if self._noted.get(field) != recorder.generation:
            self._noted[field] = recorder.generation
            recorder.note(self._fields_key, field)
        return getattr(self._record, field)

    @property
    def __class__(self):  # noqa: D105 - isinstance() falls back on it
        return self._record.__class__

    def _whole(self):
        self._recorder.note(self._name, self._key)
        return self._record

    def __eq__(self, other) -> bool:
        return self._whole() == (other._whole() if type(other) is _RecordingRecord else other)

    def __ne__(self, other) -> bool:
        return not self == other

    def __hash__(self) -> int:
        return hash(self._whole())

    def __repr__(self) -> str:
        return repr(self._whole())

    def __str__(self) -> str:
        return str(self._whole())


class _RecordingMapping:
    """A read-only view of one dict attribute of the dossier that notes every key read."""

    __slots__ = ("_data", "_name", "_recorder", "_views")

    def __init__(self, data: dict, name: str, recorder: Recorder):
        self._data, self._name, self._recorder = data, name, recorder
        self._views: dict = {}  # key -> the record's view, made once a render

    def _value(self, key, value):
        """A record as a view noting its fields; any other value noted as read whole."""
        if isinstance(value, RECORD_TYPES):
            view = self._views.get(key)
            if view is None:
                view = self._views[key] = _RecordingRecord(value, self._name, key, self._recorder)
            return view._taken()
        self._recorder.note(self._name, key)
        return value

    def __getitem__(self, key):
        try:
            value = self._data[key]
        except KeyError:
            self._recorder.note(self._name, (PRESENT, key))
            raise
        return self._value(key, value)

    def get(self, key, default=None):
        value = self._data.get(key, _MISSING)
        if value is _MISSING:
            self._recorder.note(self._name, (PRESENT, key))
            return default
        return self._value(key, value)

    def __contains__(self, key) -> bool:
        self._recorder.note(self._name, (PRESENT, key))
        return key in self._data

    def __len__(self) -> int:
        self._recorder.note(self._name, LENGTH)
        return len(self._data)

    def __bool__(self) -> bool:
        self._recorder.note(self._name, LENGTH)
        return bool(self._data)

    def __iter__(self):
        self._recorder.note(self._name, KEYS)
        return iter(self._data)

    def keys(self):
        self._recorder.note(self._name, KEYS)
        return self._data.keys()

    def values(self):
        self._recorder.note(self._name, KEYS)
        return [self._value(key, value) for key, value in self._data.items()]

    def items(self):
        self._recorder.note(self._name, KEYS)
        return [(key, self._value(key, value)) for key, value in self._data.items()]

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


@functools.cache
def _on_class(cls: type, name: str):
    """What ``cls`` itself holds under ``name`` (a property, a function ...), or _MISSING; asked once."""
    return inspect.getattr_static(cls, name, _MISSING)


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
        on_class = _on_class(type(dossier), name)
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
        self._recorder.push()
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
        recorder = self._recorder
        self._reads[key] = recorder.pop() if len(recorder.frames) > 1 else {}
        dict.__setitem__(self, key, value)


def _recording_memo(recorder: Recorder) -> LinkMemo:
    """A LinkMemo whose every memo (each field, whatever it is called) records what its entries read."""
    return LinkMemo(**{item.name: _RecordingMemoDict(recorder) for item in dataclasses.fields(LinkMemo)})


def _changes(previous: Dossier, dossier: Dossier) -> dict[str, set | None]:
    """For each attribute of the dossier that differs: the keys whose values differ (None: not a dict).

    Each changed key is there as itself (the value read whole), as ``(FIELDS, key)`` (some of
    its fields may differ: :class:`_Staleness` compares the fields a page read) and, when it
    came or went, as ``(PRESENT, key)``.  A dict whose keys came in another order, or changed
    in number, counts KEYS, EVERYTHING and LENGTH as changed too, since a page that iterated
    it may show them in another order.
    """
    changes: dict[str, set | None] = {}
    names = set(vars(previous)) | set(vars(dossier))
    for name in names:
        old, new = getattr(previous, name, _MISSING), getattr(dossier, name, _MISSING)
        if isinstance(old, dict) and isinstance(new, dict):
            keys = {key for key in old.keys() | new.keys() if old.get(key, _MISSING) != new.get(key, _MISSING)}
            changed = set(keys)
            for key in keys:
                changed.add((FIELDS, key))
                if (key in old) != (key in new):
                    changed.add((PRESENT, key))
            if keys:
                changed.add(EVERYTHING)
            if list(old) != list(new):
                changed |= {KEYS, EVERYTHING}
            if len(old) != len(new):
                changed.add(LENGTH)
            if changed:
                changes[name] = changed
        elif old is _MISSING or new is _MISSING or type(old) is not type(new) or old != new:
            changes[name] = None
    return changes


class _Staleness:
    """Whether a page's reads meet a change; the fields of each changed record compared once a render."""

    def __init__(self, previous: Dossier, dossier: Dossier, changes: dict[str, set | None]):
        self.previous, self.dossier, self.changes = previous, dossier, changes
        self._field_changed: dict[tuple, bool] = {}

    def __call__(self, reads: dict) -> bool:
        changes = self.changes
        for name, keys in reads.items():
            if name not in changes:  # also every (attribute, key) entry: the fields read of one record
                continue
            changed = changes[name]
            if changed is None:
                return True
            if keys.isdisjoint(changed):
                continue
            for hit in keys & changed:
                if type(hit) is not tuple or hit[0] is not FIELDS:
                    return True
                if self._fields_changed(name, hit[1], reads.get((name, hit[1]), ())):
                    return True
        return False

    def _fields_changed(self, name: str, key, fields) -> bool:
        old = getattr(self.previous, name).get(key, _MISSING)
        new = getattr(self.dossier, name).get(key, _MISSING)
        if old is _MISSING or new is _MISSING:
            return True
        for field in fields:
            known = self._field_changed.get((name, key, field))
            if known is None:
                on_class = _on_class(type(new), field)
                if inspect.isfunction(on_class):  # a function of its class ran on the whole record
                    known = old != new
                else:
                    known = getattr(old, field, _MISSING) != getattr(new, field, _MISSING)
                self._field_changed[(name, key, field)] = known
            if known:
                return True
        return False


class DataPieces:
    """What each record gave the data files last time, with what it read (:mod:`generator.pieces`).

    A piece whose reads meet no change is taken from last time; any other is made again with
    ``function(*args)``, which reads the dossier through :attr:`view` so that its reads are noted.
    """

    def __init__(self, dossier: Dossier, kept: dict, stale: Callable[[dict], bool] | None):
        self.recorder = Recorder()
        self.view = RecordingDossier(dossier, self.recorder)
        self.kept, self.stale = kept, stale
        self.pieces: dict = {}  # key -> (reads, value), for the next render
        self.computed = 0

    def __call__(self, key, function: Callable, *args):
        entry = self.kept.get(key)
        if entry is None or self.stale is None or self.stale(entry[0]):
            reads = self.recorder.start_page()
            entry = (reads, function(*args))
            self.recorder.stop()
            self.computed += 1
        self.pieces[key] = entry
        return entry[1]


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
        self.listed: dict[str, str] = {}  # the pages that list records (LIST_PAGES), as last rendered
        #: The record-by-record parts of the data files (and anything else a caller builds through it after
        #: ``render()``, such as the search's entries: the next call keeps them too).
        self.pieces: DataPieces | None = None
        self.pieces_built = 0  # how many of the data files' parts the last call built again
        self.rendered: set[str] = set()  # record pages rendered in the last call
        self.lists_rendered = False  # whether the last call rendered the pages listing records again
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
        stale = _Staleness(self.dossier, dossier, {} if everything else _changes(self.dossier, dossier))
        recorder = Recorder()
        view = RecordingDossier(dossier, recorder)
        renderer = make_renderer(dossier)  # the data files, record by record where it pays (DataPieces)
        kept = self.pieces.pieces if self.pieces is not None else {}
        renderer.data_pieces = DataPieces(dossier, kept, None if everything else stale)
        renderer.start_outputs()
        try:
            recording_build = make_renderer(view)
            record_renderer = recording_build.renderer
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
                    if not everything and reads is not None and path in self.pages and not stale(reads):
                        pages[path] = self.pages[path]
                        reads_by_path[path] = reads
                        continue
                    reads = recorder.start_page()
                    pages[path] = render_one(recorded_records[record_id])  # the page reads its own record
                    reads_by_path[path] = reads
                    self.rendered.add(path)
            record_paths = set(pages)
            reads = self.reads_by_path.get(LIST_PAGES)
            if not everything and reads is not None and not stale(reads):
                listed = self.listed
                self.lists_rendered = False
            else:
                self.lists_rendered = True
                reads = recorder.start_page()
                listed = dict(record_renderer.redirect_pages())  # in the order of a full render
                listed.update(recording_build.list_pages())
            reads_by_path[LIST_PAGES] = reads
            recorder.stop()
            for path, text in (*listed.items(), *renderer.data_pages()):
                if path not in record_paths:
                    pages[path] = text
        except BaseException:  # a template error: no forked child left waiting on its pipe
            renderer.cancel_outputs()
            raise
        self.listed, self.pieces = listed, renderer.data_pieces
        self.pieces_built = renderer.data_pieces.computed
        pages = dict(sorted(pages.items()))
        self.changed = {path for path, text in pages.items() if self.pages.get(path) != text}
        self.pages, self.reads_by_path, self.dossier, self.fingerprint = pages, reads_by_path, dossier, fingerprint
        return pages
