"""The ids whose pages have been published, kept in ``content/published-ids.txt``.

A record's id is its page's address, and addresses are promised to last.  The build adds every
id it publishes to this committed list (never removes one); ``check`` then fails when an id on
the list is neither a record's id nor one of its ``former_ids``: the page would vanish and
every link to it break.  Because the list is a file in the repository, a fresh clone without
git history checks exactly as the maintainer's checkout does.  Without the file, nothing is
checked (a new dossier creates it with an empty file, or with ``python -m generator build``
once the file exists).
"""

from __future__ import annotations

from pathlib import Path

from .loader import display_path
from .problems import Problem
from .schema import ID_RE

PUBLISHED_FILE = "published-ids.txt"
HEADER = (
    "# Ids whose pages have been published (one a line; kept by the build, committed with the records).\n"
    "# Each must stay the id or a former id of a record: 'python -m generator rename OLD NEW' keeps it so.\n"
)


def published_path(content_dir: Path) -> Path:
    return Path(content_dir) / PUBLISHED_FILE


def read_published(content_dir: Path) -> list[tuple[str, int]] | None:
    """(id, line) of every published id, or None when the dossier keeps no list."""
    path = published_path(content_dir)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError):
        return []
    return [
        (line.strip(), number)
        for number, line in enumerate(text.splitlines(), 1)
        if line.strip() and not line.lstrip().startswith("#")
    ]


def vanished_ids(content_dir: Path, live_ids: set[str], former_ids: set[str]) -> list[Problem]:
    """An error for every published id that no record has as its id or a former id."""
    published = read_published(content_dir)
    if published is None:
        return []
    shown = display_path(published_path(content_dir))
    problems = []
    for record_id, line in published:
        if not ID_RE.match(record_id):
            problems.append(
                Problem(
                    shown,
                    line,
                    1,
                    "bad-id",
                    f"'{record_id}' is not a record id",
                    "one id a line: lowercase a-z, 0-9 and hyphens; '#' starts a comment",
                )
            )
        elif record_id not in live_ids and record_id not in former_ids:
            problems.append(
                Problem(
                    shown,
                    line,
                    1,
                    "vanished-id",
                    f"'{record_id}' was published, but no record has it as its id or a former id: its page would vanish",
                    f"if the record was renamed, add 'former_ids: [{record_id}]' to it (python -m generator rename does "
                    f"this); if it was merged into another, add it there; if the page must really go, delete this line",
                )
            )
    return problems


def record_published(content_dir: Path, ids) -> bool:
    """Add the ids not yet on the list (kept sorted, comments kept); True when the file changed.

    Does nothing when the dossier keeps no list."""
    path = published_path(content_dir)
    published = read_published(content_dir)
    if published is None:
        return False
    known = {record_id for record_id, _line in published}
    new = sorted(set(ids) - known)
    if not new:
        return False
    text = path.read_text(encoding="utf-8")
    comments = [line for line in text.splitlines() if line.lstrip().startswith("#")] or HEADER.splitlines()
    lines = sorted(known | set(new))
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_text("\n".join([*comments, *lines]) + "\n", encoding="utf-8")
    temporary.replace(path)
    return True
