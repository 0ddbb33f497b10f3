"""Write a rendered Markdown tree to disk, touching only what changed.

A second generation with nothing changed writes no file, so ``mkdocs serve`` and other
watchers see only real changes.  Files from deleted records are removed.  The folder is
marked as ours, so that a mistyped ``--out`` never deletes someone else's files.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

MARKER = ".dossier-generated"


class OutputFolderError(Exception):
    """The output folder exists, is not empty and was not made by the generator."""


@dataclass
class WriteReport:
    written: list[str] = field(default_factory=list)
    unchanged: int = 0
    removed: list[str] = field(default_factory=list)
    paths: list[str] = field(default_factory=list)  # every file of the tree, written or not

    @property
    def pages(self) -> int:
        return len(self.paths)


def write_tree(pages: Mapping[str, str] | Iterable[tuple[str, str]], out_dir: Path) -> WriteReport:
    """Write ``pages`` (a mapping, or (path, text) pairs as a renderer yields them) below ``out_dir``."""
    out_dir = Path(out_dir)
    if out_dir.exists() and any(out_dir.iterdir()) and not (out_dir / MARKER).exists():
        raise OutputFolderError(
            f"{out_dir} is not empty and was not made by the generator; choose an empty or new folder"
        )
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / MARKER).touch()
    report = WriteReport()
    root = out_dir.resolve()
    seen: set[str] = set()
    for relative_path, text in pages.items() if isinstance(pages, Mapping) else pages:
        if relative_path not in seen:  # a path given twice is written twice, the last text staying
            seen.add(relative_path)
            report.paths.append(relative_path)
        target = out_dir / relative_path
        if root not in target.resolve().parents:  # ids are checked, but never write outside the folder
            raise OutputFolderError(f"refusing to write {relative_path} outside {out_dir}")
        encoded = text.encode("utf-8")
        if target.is_file() and target.read_bytes() == encoded:
            report.unchanged += 1
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        temporary = target.with_name(target.name + ".tmp")
        temporary.write_bytes(encoded)
        temporary.replace(target)
        report.written.append(relative_path)
    for existing in sorted(out_dir.rglob("*.md")):
        relative_path = existing.relative_to(out_dir).as_posix()
        if relative_path not in seen:
            existing.unlink()
            report.removed.append(relative_path)
    return report
