"""A cache of checked record files, keyed by each file's content, so unchanged files are not parsed again.

Parsing is the floor of the record stage (libyaml reads ~2,000 records a second), so a warm
check of a large dossier spends its time here or nowhere.  An entry holds phase one's result
for one file (the load problems and the :class:`~generator.check.CheckedFile`), stored under
the file's kind and shown path together with the SHA-1 of its bytes.  The whole cache is one
pickle named after the engine version: a digest of the source of every module that shapes a
checked record, of Python's and PyYAML's versions.  Changing any of them starts a fresh cache;
changing a file's bytes misses its entry.  A damaged or unreadable cache is ignored, never fatal.

The cache lives in the build folder (``.build/cache/`` by default), which holds only what
the build made; it is trusted like the rest of that folder.
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import os
import pickle
import sys
from pathlib import Path

import yaml

from . import background

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


class ParseCache:
    """Phase-one results by (kind, shown path), valid while the file's bytes hash the same."""

    def __init__(self, cache_dir: Path | None):
        self.cache_dir = Path(cache_dir) if cache_dir is not None else None
        self.version = engine_version()
        self._entries: dict[tuple[str, str], tuple[str, object]] = {}
        self._used: set[tuple[str, str]] = set()
        self._dirty = False
        self.hits = 0
        self.misses = 0
        if self.cache_dir is not None:
            self._entries = self._read()

    @property
    def file(self) -> Path | None:
        return self.cache_dir / f"records-{self.version}.pickle" if self.cache_dir is not None else None

    def _read(self) -> dict:
        try:
            with open(self.file, "rb") as stream:
                entries = pickle.load(stream)
        except (OSError, EOFError, pickle.UnpicklingError, AttributeError, ImportError, TypeError, ValueError):
            return {}
        return entries if isinstance(entries, dict) else {}

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
            for stale in self.cache_dir.glob("records-*.pickle"):
                if stale != self.file:
                    stale.unlink()
            temporary = self.file.with_name(f"{self.file.name}.{os.getpid()}.tmp")
            with open(temporary, "wb") as stream:
                pickle.dump(self._entries, stream, protocol=pickle.HIGHEST_PROTOCOL)
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
