"""From page to file: which YAML file a page was built from, where to edit it, when it last changed.

The dates come from the git history of the record files, read with a single ``git log`` call
for the whole content folder (one call per file would make the build cost grow with the
dossier).  They depend on the commit alone, so the same commit builds the same bytes.  Outside
a git checkout (a tarball, a shallow or broken clone) the date falls back to
``SOURCE_DATE_EPOCH`` when it is set, and is left out otherwise.
"""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

_COMMIT_MARK = "\x00"  # git writes %x00 as a NUL byte, which no file name holds


@dataclass(frozen=True)
class RecordProvenance:
    """What a record page says about its file.  Empty strings mean "not known"."""

    file: str  # relative to the project root, forward slashes
    edit_url: str
    last_changed: str  # YYYY-MM-DD


def _utc_date(timestamp: int) -> str:
    return datetime.fromtimestamp(timestamp, tz=UTC).strftime("%Y-%m-%d")


def git_last_changed(project_root: Path, folder: str = "content") -> dict[str, str] | None:
    """Map of repo-relative path -> date of the last commit that touched it; None when git gives nothing.

    Paths are relative to ``project_root`` (which need not be the top of the repository).
    """
    try:
        completed = subprocess.run(
            [
                "git",
                "-c",
                "core.quotepath=off",
                "log",
                "--no-renames",
                "--relative",
                "--format=%x00%ct",
                "--name-only",
                "--",
                folder,
            ],
            cwd=project_root,
            capture_output=True,
            text=True,
            encoding="utf-8",
            timeout=120,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    if completed.returncode != 0:
        return None
    dates: dict[str, str] = {}
    current = ""
    for line in completed.stdout.splitlines():
        if line.startswith(_COMMIT_MARK):
            current = _utc_date(int(line[len(_COMMIT_MARK) :]))
        elif line and current:
            dates.setdefault(line, current)  # newest commit comes first
    return dates


def source_date_fallback() -> str:
    """The date from ``SOURCE_DATE_EPOCH`` (reproducible-builds.org), or '' when unset or unusable."""
    value = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if not value.isdigit():
        return ""
    return _utc_date(int(value))


def edit_url(repo_url: str, edit_uri: str, repo_path: str) -> str:
    """``repo_url`` + ``edit_uri`` + path, as MkDocs joins them; '' unless it is an http(s) address."""
    if not repo_url or not repo_path:
        return ""
    if urlsplit(repo_url).scheme not in ("http", "https"):
        return ""
    base = repo_url.rstrip("/") + "/"
    if edit_uri:
        if urlsplit(edit_uri).scheme in ("http", "https"):
            base = edit_uri
        else:
            base += edit_uri.lstrip("/")
        base = base if base.endswith("/") else base + "/"
    else:
        base += "edit/main/"
    return base + repo_path


@dataclass
class ProvenanceIndex:
    """Looks up a record's provenance; built once per build."""

    project_root: Path | None
    repo_url: str = ""
    edit_uri: str = ""
    dates: dict[str, str] | None = None
    fallback_date: str = ""
    _cache: dict[str, RecordProvenance] = field(default_factory=dict)

    @classmethod
    def for_project(
        cls, project_root: Path | None, content_dir: Path | None = None, repo_url: str = "", edit_uri: str = ""
    ) -> ProvenanceIndex:
        dates = None
        if project_root is not None:
            folder = "content"
            if content_dir is not None:
                try:
                    folder = Path(os.path.relpath(content_dir.resolve(), project_root.resolve())).as_posix()
                except ValueError:
                    folder = ""
            if folder and not folder.startswith(".."):
                dates = git_last_changed(project_root, folder)
        return cls(project_root, repo_url or "", edit_uri or "", dates, source_date_fallback())

    def repo_path(self, shown_path: str) -> str:
        """A record's path relative to the project root, or '' when it lies outside."""
        if self.project_root is None:
            return shown_path
        try:
            relative = Path(os.path.relpath(Path(shown_path).resolve(), self.project_root.resolve())).as_posix()
        except ValueError:
            return ""
        return "" if relative.startswith("../") else relative

    def of(self, shown_path: str) -> RecordProvenance:
        cached = self._cache.get(shown_path)
        if cached is None:
            repo_path = self.repo_path(shown_path)
            date = (self.dates or {}).get(repo_path, "") or self.fallback_date
            cached = RecordProvenance(repo_path or shown_path, edit_url(self.repo_url, self.edit_uri, repo_path), date)
            self._cache[shown_path] = cached
        return cached
