"""A cache of checked record files, keyed by each file's content, so unchanged files are not parsed again.

Parsing is the floor of the record stage (libyaml reads ~2,000 records a second), so a warm
check of a large dossier spends its time here or nowhere.  An entry holds phase one's result
for one file (the load problems and the :class:`~generator.check.CheckedFile`), stored under
the file's kind and shown path together with the SHA-1 of its bytes.  The whole cache is one
pickle named after the engine version: a digest of the source of every module that shapes a
checked record, of Python's and PyYAML's versions.  Changing any of them starts a fresh cache;
changing a file's bytes misses its entry.

Reading the cache can build only the engine's own record classes (dataclasses and enums of the
modules in ``_CACHED_CLASS_MODULES``) and Python's containers, never import or call anything
else: the unpickler refuses every other name, so a cache file someone placed beside a content
folder cannot run a command (a plain ``pickle.load`` ran one).  A damaged, foreign or hostile
cache file is refused with a message naming it, and rebuilt.  A JSON cache was measured too
(1,000 records): twice the CPU time of this one to read, about as slow as parsing the YAML again.
"""

from __future__ import annotations

import contextlib
import dataclasses
import enum
import gc
import hashlib
import importlib
import io
import logging
import os
import pickle
import sys
from pathlib import Path

import yaml

from . import background

log = logging.getLogger("generator.cache")

_ENGINE_MODULES = ("cache.py", "check.py", "loader.py", "model.py", "problems.py", "schema.py", "vocabulary.py")
# Below this many files a worker, its fork and sending its results back cost more than the parsing saved.
PARALLEL_MIN_FILES_PER_WORKER = 400


def engine_version(vocabulary_digest: str = "") -> str:
    """A digest that changes whenever a checked record could come out differently (the vocabulary too)."""
    digest = hashlib.sha1(f"{sys.version}|{yaml.__version__}|{yaml.__with_libyaml__}|{vocabulary_digest}".encode())
    package = Path(__file__).parent
    for name in _ENGINE_MODULES:
        digest.update((package / name).read_bytes())
    return digest.hexdigest()[:16]


def content_key(data: bytes) -> str:
    return hashlib.sha1(data).hexdigest()


# The only classes a cache file may name: every value of a phase-one result is built from them
# and from Python's containers, which pickle writes with their own opcodes, not by name.
_CACHED_CLASS_MODULES = ("model", "loader", "check", "problems", "schema")
_FORMAT = "dossier-parse-cache/2"


class CacheRefused(ValueError):
    """A cache file that is not one this engine wrote: its entries are not used."""


def _cached_classes() -> dict[tuple[str, str], type]:
    """(module, name) -> class, for the dataclasses and enums the engine's modules define."""
    classes = {}
    for module_name in _CACHED_CLASS_MODULES:
        module = importlib.import_module(f"{__package__}.{module_name}")
        for value in vars(module).values():
            if (
                isinstance(value, type)
                and value.__module__ == module.__name__
                and (dataclasses.is_dataclass(value) or issubclass(value, enum.Enum))
            ):
                classes[(module.__name__, value.__qualname__)] = value
    return classes


class _EngineUnpickler(pickle.Unpickler):
    """An unpickler that can build the engine's record classes and nothing else.

    Pickle runs code only through the names it looks up (``find_class``): a class of the engine
    is built by its constructor or by filling its fields; any other name refuses the file.
    """

    def __init__(self, stream, classes: dict[tuple[str, str], type]):
        super().__init__(stream)
        self._classes = classes

    def find_class(self, module: str, name: str):
        cls = self._classes.get((module, name))
        if cls is None:
            raise CacheRefused(f"names {f'{module}.{name}'[:100]!r}, which is not one of the engine's record classes")
        return cls

    def persistent_load(self, pid):
        raise CacheRefused("holds a reference to something outside it")


def read_entries(path: Path, version: str) -> dict[tuple[str, str], tuple[str, object]]:
    """The entries of a cache file: ``(kind, shown path) -> (content key, phase-one result)``.

    Raises :class:`CacheRefused` for a file this engine did not write, OSError when it cannot be read.
    """
    data = path.read_bytes()
    try:
        stored = _EngineUnpickler(io.BytesIO(data), _cached_classes()).load()
    except CacheRefused:
        raise
    except RecursionError:
        raise CacheRefused("is nested too deeply") from None
    except Exception as error:  # noqa: BLE001 - any damage: pickle raises many kinds (EOFError, KeyError ...)
        raise CacheRefused(f"is not a cache the engine wrote ({type(error).__name__})") from None
    if not (
        isinstance(stored, dict)
        and stored.get("format") == _FORMAT
        and stored.get("engine") == version
        and isinstance(stored.get("entries"), dict)
    ):
        raise CacheRefused("is not a parse cache of this engine")
    entries = stored["entries"]
    if not all(
        type(name) is tuple and len(name) == 2 and type(entry) is tuple and len(entry) == 2 and type(entry[0]) is str
        for name, entry in entries.items()
    ):
        raise CacheRefused("holds entries of another shape")
    return entries


class ParseCache:
    """Phase-one results by (kind, shown path), valid while the file's bytes hash the same."""

    def __init__(self, cache_dir: Path | None, vocabulary_digest: str = ""):
        self.cache_dir = Path(cache_dir) if cache_dir is not None else None
        self.version = engine_version(vocabulary_digest)
        self._entries: dict[tuple[str, str], tuple[str, object]] = {}
        self._used: set[tuple[str, str]] = set()
        self._dirty = False
        self.hits = 0
        self.misses = 0
        #: Written at the end of every load; the preview keeps one cache between rebuilds and
        #: writes it once, when it stops (reading and writing the whole file was a seventh of a rebuild).
        self.autosave = True
        if self.cache_dir is not None:
            try:
                self._entries = read_entries(self.file, self.version)
            except FileNotFoundError:
                pass
            except OSError:
                pass
            except CacheRefused as refusal:
                log.warning(
                    "%s: parse cache refused: the file %s; every record is parsed again and the cache "
                    "rewritten (nothing but the engine's record classes is ever built from it)",
                    self.file,
                    refusal,
                )
                self._dirty = True  # rewrite it even when no record changed

    def serves(self, vocabulary_digest: str) -> bool:
        """Whether this cache holds results of this engine for this vocabulary."""
        return self.version == engine_version(vocabulary_digest)

    def start_load(self) -> None:
        """A new load of every record begins: only the entries it uses will be kept when saved."""
        self._used = set()
        self.hits = self.misses = 0

    @property
    def file(self) -> Path | None:
        return self.cache_dir / f"records-{self.version}.pickle" if self.cache_dir is not None else None

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
        self._dirty = True

    def save(self) -> None:
        """Write the entries used in this run (files deleted since are dropped), atomically."""
        if set(self._entries) != self._used:
            self._entries = {name: entry for name, entry in self._entries.items() if name in self._used}
            self._dirty = True
        if self.cache_dir is None or not self._dirty:
            return
        try:
            self.cache_dir.mkdir(parents=True, exist_ok=True)
            for stale in self.cache_dir.glob("records-*"):  # older engines' caches
                if stale != self.file and stale.suffix in (".json", ".pickle"):
                    stale.unlink()
            temporary = self.file.with_name(f"{self.file.name}.{os.getpid()}.tmp")
            stored = {"format": _FORMAT, "engine": self.version, "entries": self._entries}
            with open(temporary, "wb") as stream:
                pickle.dump(stored, stream, protocol=pickle.HIGHEST_PROTOCOL)
            temporary.replace(self.file)
            self._dirty = False
        except OSError:  # a read-only checkout still builds, only without the cache
            pass


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
    marks = {
        path: mark
        for path, mark in raw.marks.items()
        if (path[:1] in (("relationships",), ("excerpts",)) and path[-1:] != (KEY,))
        or path in wanted
        or (len(path) <= 2 and path[-1:] != (KEY,))
    }
    # The entity type and source kind: phase two checks them against what the vocabulary removed.
    values = {name: raw.values[name] for name in ("type", "kind") if isinstance(raw.values.get(name), str)}
    slim_raw = dataclasses.replace(raw, values=values, marks=marks, spans={})  # refs carry their exact spots
    refs = [dataclasses.replace(ref, record=slim_raw) for ref in checked.refs]
    return load_problems, dataclasses.replace(checked, raw=slim_raw, refs=refs)


def _check_one(kind: str, path: Path, data: bytes | None, vocabulary):
    from .check import check_record
    from .loader import load_record_file

    raw, load_problems = load_record_file(kind, path, data)
    return load_problems, (check_record(raw, vocabulary) if raw is not None else None)


def _check_chunk(chunk: list[tuple[str, str, bytes]], vocabulary) -> list:
    """Phase one for a share of the files, slimmed: a worker sends less back, and the parent keeps less."""
    return [slim(_check_one(kind, Path(path), data, vocabulary)) for kind, path, data in chunk]


def check_record_files(
    files: list[tuple[str, Path]], vocabulary, cache: ParseCache | None = None, workers: int = 1
) -> list:
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
            results[index] = _check_one(kind, path, None, vocabulary)
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
    others = [background.start(_check_chunk, jobs[worker::workers], vocabulary) for worker in range(1, workers)]
    parsed: list = [None] * len(jobs)
    parsed[0::workers] = _check_chunk(jobs[0::workers], vocabulary)
    for worker, other in enumerate(others, start=1):
        parsed[worker::workers] = other.result()
    for (index, kind, path, _data, key), result in zip(todo, parsed):
        results[index] = result
        if cache is not None:
            cache.put(kind, display_path(path), key, result)  # slim already
    if cache is not None and cache.autosave:
        cache.save()
    return results


#: The collector's thresholds while the dossier is built (CPython's default: 700, 10, 10).
FEWER_COLLECTIONS = (100_000, 50, 1000)


@contextlib.contextmanager
def fewer_collections():
    """Raise the cyclic garbage collector's thresholds while the dossier is built.

    Loading and rendering make millions of small objects that live until the end; with the
    default thresholds CPython 3.11 scans them again and again, which made a warm load of
    10,000 records three times slower (66 s against 22 s on the benchmark machine) and the
    cost grow faster than the records.  Usable as a decorator.
    """
    thresholds = gc.get_threshold()
    gc.set_threshold(*FEWER_COLLECTIONS)
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)
