"""A cache of checked record files, keyed by each file's content, so unchanged files are not parsed again.

Parsing is the floor of the record stage (libyaml reads ~2,000 records a second), so a warm
check of a large dossier spends its time here or nowhere.  An entry holds phase one's result
for one file (the load problems and the :class:`~generator.check.CheckedFile`), stored under
the file's kind and shown path together with the SHA-1 of its bytes.  The whole cache is one
JSON file named after the engine version: a digest of the source of every module that shapes a
checked record, of Python's and PyYAML's versions.  Changing any of them starts a fresh cache;
changing a file's bytes misses its entry.

The cache is data, never code: it is JSON, and reading it can build only the engine's own
record classes (dataclasses and enums of the modules in ``_CACHED_CLASS_MODULES``), never call
anything else, so a cache file someone else placed cannot run a command (pickle could).  A
damaged, foreign or hostile cache file is refused with a message naming it, and rebuilt.
"""

from __future__ import annotations

import contextlib
import dataclasses
import enum
import gc
import hashlib
import importlib
import json
import logging
import os
import sys
from pathlib import Path

import yaml

from . import background

log = logging.getLogger("generator.cache")

_ENGINE_MODULES = ("cache.py", "check.py", "loader.py", "model.py", "problems.py", "schema.py")
# Below this many files a worker, its fork and sending its results back cost more than the parsing saved.
PARALLEL_MIN_FILES_PER_WORKER = 400


def engine_version() -> str:
    """A digest that changes whenever a checked record could come out differently."""
    digest = hashlib.sha1(f"{sys.version}|{yaml.__version__}|{yaml.__with_libyaml__}".encode())
    package = Path(__file__).parent
    for name in _ENGINE_MODULES:
        digest.update((package / name).read_bytes())
    return digest.hexdigest()[:16]


def content_key(data: bytes) -> str:
    return hashlib.sha1(data).hexdigest()


# The only classes a cache file may name: every value of a phase-one result is built from them,
# from JSON's own types, tuples and dicts.
_CACHED_CLASS_MODULES = ("model", "loader", "check", "problems", "schema")
_CLASS, _TUPLE, _DICT, _FROZENSET, _SAME = "\0class", "\0tuple", "\0dict", "\0frozenset", "\0same"
_FORMAT = "dossier-parse-cache/2"


class CacheRefused(ValueError):
    """A cache file that is not one this engine wrote: its entries are not used."""


def _cached_classes() -> dict[str, type]:
    classes = {}
    for module_name in _CACHED_CLASS_MODULES:
        module = importlib.import_module(f"{__package__}.{module_name}")
        for value in vars(module).values():
            if (isinstance(value, type) and value.__module__ == module.__name__
                    and (dataclasses.is_dataclass(value) or issubclass(value, enum.Enum))):
                classes[f"{module_name}.{value.__qualname__}"] = value
    return classes


def _class_name(cls: type) -> str:
    return f"{cls.__module__.rsplit('.', 1)[-1]}.{cls.__qualname__}"


def to_json_value(value):
    """``value`` as plain JSON values; every JSON object in the result is one tagged value.

    Dicts, tuples, frozensets, dataclasses and enums become tagged objects, so that reading
    them back (:func:`from_json_value`) can tell them apart from anything a record holds.  A
    dataclass instance met more than once (a record's raw values, shared by its references) is
    written once with an ``id`` and then referred to, as pickle would: the cache stays small.
    """
    seen: dict[int, int] = {}
    _count_shared(value, seen)
    shared = {key for key, count in seen.items() if count > 1}
    return _encode(value, shared, {})


def _count_shared(value, seen: dict[int, int]) -> None:
    if value is None or type(value) in (str, int, float, bool) or isinstance(value, enum.Enum):
        return
    if isinstance(value, dict):
        for key, item in value.items():
            _count_shared(key, seen)
            _count_shared(item, seen)
    elif isinstance(value, (list, tuple, frozenset)):
        for item in value:
            _count_shared(item, seen)
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        seen[id(value)] = seen.get(id(value), 0) + 1
        if seen[id(value)] == 1:
            for item in dataclasses.fields(value):
                _count_shared(getattr(value, item.name), seen)


def _encode(value, shared: set[int], ids: dict[int, int]):
    if value is None or type(value) in (str, int, float, bool):
        return value
    if isinstance(value, enum.Enum):
        return {_CLASS: _class_name(type(value)), "value": value.value}
    if isinstance(value, list):
        return [_encode(item, shared, ids) for item in value]
    if isinstance(value, tuple):
        return {_TUPLE: [_encode(item, shared, ids) for item in value]}
    if isinstance(value, dict):
        return {_DICT: [[_encode(key, shared, ids), _encode(item, shared, ids)] for key, item in value.items()]}
    if isinstance(value, frozenset):
        return {_FROZENSET: [_encode(item, shared, ids) for item in value]}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        if id(value) in ids:
            return {_SAME: ids[id(value)]}
        encoded = {_CLASS: _class_name(type(value)),
                   "fields": [_encode(getattr(value, f.name), shared, ids) for f in dataclasses.fields(value)]}
        if id(value) in shared:
            encoded["id"] = ids[id(value)] = len(ids)
        return encoded
    raise TypeError(f"the parse cache cannot hold a {type(value).__name__}")


def from_json_value(text: str | bytes, classes: dict[str, type] | None = None):
    """The value :func:`to_json_value` encoded, from JSON text; raises :class:`CacheRefused`.

    Only the classes in ``classes`` (the engine's own, by default) can be built, by their
    constructors with the fields (a list in declaration order) as keywords; anything else
    refuses the whole file.
    """
    classes = _cached_classes() if classes is None else classes
    field_names: dict[type, list[str]] = {}
    by_id: dict[int, object] = {}  # objects written once with an id, referred to afterwards

    def tagged(obj: dict):
        if len(obj) == 1:
            (tag, body), = obj.items()
            if tag == _TUPLE and isinstance(body, list):
                return tuple(body)
            if tag == _DICT and isinstance(body, list) and all(isinstance(p, list) and len(p) == 2 for p in body):
                try:
                    return {key: item for key, item in body}
                except TypeError:  # an unhashable key
                    raise CacheRefused("holds a mapping key that no record has") from None
            if tag == _FROZENSET and isinstance(body, list):
                try:
                    return frozenset(body)
                except TypeError:
                    raise CacheRefused("holds a set of unhashable values") from None
            if tag == _SAME:
                if type(body) is not int or body not in by_id:
                    raise CacheRefused("refers to a value it does not hold")
                return by_id[body]
        elif len(obj) in (2, 3) and _CLASS in obj and (len(obj) == 2 or type(obj.get("id")) is int):
            name = obj[_CLASS]
            cls = classes.get(name) if isinstance(name, str) else None
            if cls is None:
                raise CacheRefused(f"names {str(name)[:80]!r}, which is not one of the engine's record classes")
            try:
                if "value" in obj and issubclass(cls, enum.Enum):
                    return cls(obj["value"])
                if "fields" in obj and isinstance(obj["fields"], list) and dataclasses.is_dataclass(cls):
                    names = field_names.get(cls)
                    if names is None:
                        names = field_names[cls] = [f.name for f in dataclasses.fields(cls)]
                    if len(names) != len(obj["fields"]):
                        raise CacheRefused(f"holds a {name} with {len(obj['fields'])} fields, not {len(names)}")
                    built = cls(**dict(zip(names, obj["fields"])))
                    if "id" in obj:
                        by_id[obj["id"]] = built
                    return built
            except (TypeError, ValueError) as error:
                if isinstance(error, CacheRefused):
                    raise
                raise CacheRefused(f"holds a {name} that this engine cannot build ({error})") from None
        raise CacheRefused("holds a value the engine never writes")

    try:
        return json.loads(text, object_hook=tagged)
    except (ValueError, RecursionError) as error:  # json.JSONDecodeError, UnicodeDecodeError are ValueErrors
        if isinstance(error, CacheRefused):
            raise
        raise CacheRefused(f"is not JSON the engine wrote ({type(error).__name__})") from None


class ParseCache:
    """Phase-one results by (kind, shown path), valid while the file's bytes hash the same."""

    def __init__(self, cache_dir: Path | None):
        self.cache_dir = Path(cache_dir) if cache_dir is not None else None
        self.version = engine_version()
        self._entries: dict[tuple[str, str], tuple[str, object]] = {}
        self._used: set[tuple[str, str]] = set()
        self._new: set[tuple[str, str]] = set()  # entries put in this run: encoded when saved
        self._dirty = False
        self._refused = False
        self.hits = 0
        self.misses = 0
        if self.cache_dir is not None:
            try:
                self._entries = read_entries(self.file, self.version)
            except FileNotFoundError:
                pass
            except OSError:
                self._refused = True
            except CacheRefused as refusal:
                log.warning("%s: parse cache refused: the file %s; every record is parsed again and the cache "
                            "rewritten (it holds only data and is never run)", self.file, refusal)
                self._dirty = self._refused = True  # rewrite it even when no record changed

    @property
    def file(self) -> Path | None:
        return self.cache_dir / f"records-{self.version}.json" if self.cache_dir is not None else None

    def get(self, kind: str, shown: str, key: str):
        """The cached result for this file's content, or None."""
        entry = self._entries.get((kind, shown))
        if entry is not None and entry[0] == key:
            self._used.add((kind, shown))
            self.hits += 1
            return entry[1]
        self.misses += 1
        return None

    def put(self, kind: str, shown: str, key: str, result) -> None:
        self._entries[(kind, shown)] = (key, result)
        self._used.add((kind, shown))
        self._new.add((kind, shown))
        self._dirty = True

    def save(self) -> None:
        """Write the entries used in this run (files deleted since are dropped), atomically.

        Entries read from the file are copied as they were written (encoding all of them again
        cost seconds at 1,000 records); only the ones put in this run are encoded.
        """
        if set(self._entries) != self._used:
            self._entries = {name: entry for name, entry in self._entries.items() if name in self._used}
            self._dirty = True
        if self.cache_dir is None or not self._dirty:
            return
        try:
            self.cache_dir.mkdir(parents=True, exist_ok=True)
            kept: list[str] = []
            if not self._refused:
                try:
                    old_lines = self.file.read_text(encoding="utf-8").split("\n")[1:]
                except (OSError, UnicodeDecodeError):
                    old_lines = []
                for line in old_lines:
                    header, _tab, _body = line.partition("\t")
                    try:
                        kind, shown, key = json.loads(header)
                    except (ValueError, TypeError):
                        continue
                    name = (kind, shown)
                    entry = self._entries.get(name)
                    if entry is not None and name not in self._new and entry[0] == key:
                        kept.append(line)
            lines = [json.dumps({"format": _FORMAT, "engine": self.version}), *kept]
            for name in sorted(self._new & self._entries.keys()):
                key, result = self._entries[name]
                lines.append(json.dumps([*name, key], ensure_ascii=False) + "\t"
                             + json.dumps(to_json_value(result), ensure_ascii=False, separators=(",", ":")))
            for stale in self.cache_dir.glob("records-*"):  # older engines' caches, pickles of old
                if stale != self.file and stale.suffix in (".json", ".pickle"):
                    stale.unlink()
            temporary = self.file.with_name(f"{self.file.name}.{os.getpid()}.tmp")
            temporary.write_text("\n".join(lines) + "\n", encoding="utf-8")
            temporary.replace(self.file)
            self._dirty, self._refused, self._new = False, False, set()
        except OSError:  # a read-only checkout still builds, only without the cache
            pass


def read_entries(path: Path, version: str) -> dict[tuple[str, str], tuple[str, object]]:
    """The entries of a cache file: ``(kind, shown path) -> (content key, phase-one result)``.

    The file is a header line, then one line an entry: ``[kind, shown, key]``, a tab, the
    result as :func:`to_json_value` wrote it.  Raises :class:`CacheRefused` for anything else
    and OSError when it cannot be read.
    """
    data = path.read_bytes()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise CacheRefused("is not text (UTF-8)") from None
    lines = text.split("\n")
    try:
        header = json.loads(lines[0])
    except ValueError:
        raise CacheRefused("does not start with a parse cache's header") from None
    if header != {"format": _FORMAT, "engine": version}:
        raise CacheRefused("is not a parse cache of this engine")
    classes = _cached_classes()
    entries = {}
    for number, line in enumerate(lines[1:], start=2):
        if not line:
            continue
        head, tab, body = line.partition("\t")
        try:
            name_and_key = json.loads(head)
        except ValueError:
            raise CacheRefused(f"line {number} is not an entry") from None
        if not (tab and isinstance(name_and_key, list) and len(name_and_key) == 3
                and all(isinstance(part, str) for part in name_and_key)):
            raise CacheRefused(f"line {number} is not an entry")
        kind, shown, key = name_and_key
        entries[(kind, shown)] = (key, from_json_value(body, classes))
    return entries


def slim(result):
    """A phase-one result with only what phase two reads of the raw values: half the cache, twice as fast.

    Phase two (``check.resolve_references``) reads a raw record's id, kind, path and entity
    type, and the positions of its references and relationships; the built record holds the rest.
    """
    import dataclasses

    from .loader import KEY

    load_problems, checked = result
    if checked is None:
        return result
    raw = checked.raw
    wanted = {ref.path for ref in checked.refs}
    # Fields and their items (for evidence warnings), relationships and excerpts (for their checks).
    marks = {path: mark for path, mark in raw.marks.items()
             if (path[:1] in (("relationships",), ("excerpts",)) and path[-1:] != (KEY,)) or path in wanted
             or (len(path) <= 2 and path[-1:] != (KEY,))}
    values = {"type": raw.values["type"]} if isinstance(raw.values.get("type"), str) else {}
    slim_raw = dataclasses.replace(raw, values=values, marks=marks)
    refs = [dataclasses.replace(ref, record=slim_raw) for ref in checked.refs]
    return load_problems, dataclasses.replace(checked, raw=slim_raw, refs=refs)


def _check_one(kind: str, path: Path, data: bytes | None):
    from .check import check_record
    from .loader import load_record_file

    raw, load_problems = load_record_file(kind, path, data)
    return load_problems, (check_record(raw) if raw is not None else None)


def _check_chunk(chunk: list[tuple[str, str, bytes]]) -> list:
    """Phase one for a share of the files, slimmed: a worker sends less back, and the parent keeps less."""
    return [slim(_check_one(kind, Path(path), data)) for kind, path, data in chunk]


def check_record_files(files: list[tuple[str, Path]], cache: ParseCache | None = None, workers: int = 1) -> list:
    """Phase one for every file, in order: ``(load problems, CheckedFile or None)`` each.

    Files whose bytes are in ``cache`` are not parsed.  With ``workers`` > 1 and enough
    files left to parse, they are parsed in that many processes.
    """
    from .loader import MAX_FILE_BYTES, display_path

    results: list = [None] * len(files)
    todo: list[tuple[int, str, Path, bytes, str]] = []
    for index, (kind, path) in enumerate(files):
        try:
            data = path.read_bytes() if path.stat().st_size <= MAX_FILE_BYTES else None
        except OSError:
            data = None
        if data is None:  # the loader reports it, with the right message
            results[index] = _check_one(kind, path, None)
            continue
        key = content_key(data)
        hit = cache.get(kind, display_path(path), key) if cache is not None else None
        if hit is not None:
            results[index] = hit
        else:
            todo.append((index, kind, path, data, key))
    jobs = [(kind, str(path), data) for _i, kind, path, data, _k in todo]
    workers = max(1, min(workers, len(jobs) // PARALLEL_MIN_FILES_PER_WORKER))
    # Every n-th file to each process, so that each gets its share of large and small records; forked
    # children inherit the files' bytes (nothing to send them) and send back slim results.
    others = [background.start(_check_chunk, jobs[worker::workers]) for worker in range(1, workers)]
    parsed: list = [None] * len(jobs)
    parsed[0::workers] = _check_chunk(jobs[0::workers])
    for worker, other in enumerate(others, start=1):
        parsed[worker::workers] = other.result()
    for (index, kind, path, _data, key), result in zip(todo, parsed):
        results[index] = result
        if cache is not None:
            cache.put(kind, display_path(path), key, result)  # slim already
    if cache is not None:
        cache.save()
    return results


@contextlib.contextmanager
def fewer_collections():
    """Raise the cyclic garbage collector's thresholds while the dossier is built.

    Loading and rendering make millions of small objects that live until the end; with the
    default thresholds CPython 3.11 scans them again and again, which made a warm load of
    10,000 records three times slower (66 s against 22 s on the benchmark machine) and the
    cost grow faster than the records.  Usable as a decorator.
    """
    thresholds = gc.get_threshold()
    gc.set_threshold(100_000, 50, 1000)
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)
