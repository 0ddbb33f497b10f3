"""Skip a generation when nothing it reads has changed and its output is as it left it.

``python -m generator build`` keeps, in the output folder's marker file, a digest of everything
the pages are made from (the engine's code and templates, the library versions that shape the
output, the template overrides, the bytes of every file under the content folder,
``SOURCE_DATE_EPOCH``) and the size and modification time of every file it wrote.  When the
next run computes the same digest and finds every file as it was, no page can differ, so it
writes nothing and loads no record: reading and hashing 10,000 record files takes a few tenths
of a second, loading and rendering them tens of seconds.

Anything else (a changed record, a deleted page, an edited output file, another engine
version) falls through to a full generation, which writes only the files whose text changed
(:mod:`generator.write`).  The marker file is the build's own, like the rest of the folder.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from importlib import metadata
from pathlib import Path

from .loader import display_path
from .write import MARKER

_PACKAGE_DIR = Path(__file__).parent
#: Libraries whose version can change a page's bytes.
_SHAPING_LIBRARIES = ("Jinja2", "MarkupSafe", "PyYAML", "followthemoney")
_FORMAT = 1


def _library_versions() -> str:
    versions = []
    for name in _SHAPING_LIBRARIES:
        try:
            versions.append(f"{name}={metadata.version(name)}")
        except metadata.PackageNotFoundError:
            versions.append(f"{name}=-")
    return ",".join(versions)


def hash_tree(digest, folder: Path | None, label: str) -> None:
    """Every file below ``folder``, by relative path and bytes, in a stable order."""
    digest.update(f"\0{label}\0".encode())
    if folder is None or not folder.is_dir():
        return
    for root, dirs, files in os.walk(folder, followlinks=True):  # as the loader reads them
        dirs[:] = sorted(name for name in dirs if name != "__pycache__")
        for name in sorted(files):
            if name.endswith(".pyc"):
                continue
            path = Path(root) / name
            try:
                data = path.read_bytes()
            except OSError:
                data = b"\0unreadable"
            digest.update(path.relative_to(folder).as_posix().encode() + b"\0")
            digest.update(hashlib.sha1(data).digest())


def inputs_digest(content_dir: Path, override_dir: Path | None = None) -> str:
    """A digest that changes whenever a generated file could come out differently."""
    digest = hashlib.sha1(f"{_FORMAT}|{sys.version}|{_library_versions()}".encode())
    digest.update(os.environ.get("SOURCE_DATE_EPOCH", "").encode())
    # Pages name their record files as seen from the working directory (loader.display_path).
    digest.update(display_path(Path(content_dir)).encode())
    hash_tree(digest, _PACKAGE_DIR, "engine")
    hash_tree(digest, override_dir, "templates")
    hash_tree(digest, content_dir, "content")
    return digest.hexdigest()


def _stamp(path: Path) -> list[int]:
    status = path.stat()
    return [status.st_size, status.st_mtime_ns]


def save(out_dir: Path, digest: str, paths) -> None:
    """Remember the inputs and the state of every written file (after :func:`write.write_tree`)."""
    try:
        files = {relative: _stamp(out_dir / relative) for relative in paths}
        (out_dir / MARKER).write_text(
            json.dumps({"format": _FORMAT, "inputs": digest, "files": files}), encoding="utf-8"
        )
    except OSError:  # without a manifest the next run simply generates again
        pass


def unchanged_files(out_dir: Path, digest: str) -> int | None:
    """How many files the last generation wrote, when its inputs and output are as they were; else None."""
    try:
        manifest = json.loads((out_dir / MARKER).read_text(encoding="utf-8"))
        if manifest.get("format") != _FORMAT or manifest.get("inputs") != digest:
            return None
        files = manifest["files"]
        for relative, stamp in files.items():
            if _stamp(out_dir / relative) != stamp:
                return None
        # A full generation would remove other Markdown files from the folder (write.write_tree).
        present = {path.relative_to(out_dir).as_posix() for path in out_dir.rglob("*.md")}
        if not present <= files.keys():
            return None
        return len(files)
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None
