"""``python -m generator diff BASE`` on a small git history made here: a record added, one changed,
one renamed and one deleted, each reported with its fields and the pages it reaches."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import MINI

GIT_ENV = dict(
    os.environ,
    GIT_AUTHOR_NAME="Test",
    GIT_AUTHOR_EMAIL="test@invalid",
    GIT_COMMITTER_NAME="Test",
    GIT_COMMITTER_EMAIL="test@invalid",
    GIT_CONFIG_GLOBAL=os.devnull,
    GIT_CONFIG_NOSYSTEM="1",
)
INITECH = "type: company\nname: Initech\nsummary: A company nobody links to. [[paper-2025]]\n"
GLOBEX = "type: company\nname: Globex\nsummary: A rival of [[acme]]. [[paper-2025]]\n"


def git(repo: Path, *arguments: str) -> str:
    return subprocess.run(["git", *arguments], cwd=repo, env=GIT_ENV, check=True, capture_output=True, text=True).stdout


def diff(repo: Path, *arguments: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "generator", "diff", *arguments],
        cwd=repo,
        capture_output=True,
        text=True,
        env=dict(GIT_ENV, PYTHONPATH=str(Path(__file__).resolve().parent.parent)),
    )


@pytest.fixture
def history(tmp_path) -> Path:
    """A repository whose first commit is the mini dossier plus Initech, and whose second commit adds
    Globex, changes Acme, renames the report event and deletes Initech."""
    repo = tmp_path / "repo"
    content = repo / "content"
    shutil.copytree(MINI, content)
    (content / "entities" / "initech.yaml").write_text(INITECH, encoding="utf-8")
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "base")
    git(repo, "tag", "base")
    (content / "entities" / "globex.yaml").write_text(GLOBEX, encoding="utf-8")
    acme = content / "entities" / "acme.yaml"
    text = acme.read_text(encoding="utf-8")
    text = text.replace("name: Acme Group", "name: Acme Holdings").replace("tags: [chips]", "tags: [chips, foundries]")
    text = text.replace("    value: Exampleland", "    value: Exampleland and beyond")
    text = text.replace("  Acme is *reportedly* growing.", "  Acme <b>bold</b> | pipe `tick` @octocat")
    acme.write_text(text, encoding="utf-8")
    git(
        repo,
        "mv",
        "content/events/2025-03-02-acme-report.yaml",
        "content/events/2025-03-02-daily-paper-reports-on-acme.yaml",
    )
    git(repo, "rm", "-q", "content/entities/initech.yaml")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "change")
    return repo


def section(report: str, heading: str) -> str:
    match = re.search(rf"^### {heading}[^\n]*\n(.*?)(?=^### |\Z)", report, re.MULTILINE | re.DOTALL)
    assert match, f"no section {heading!r} in:\n{report}"
    return match.group(1).lstrip("\n")


def test_diff_lists_added_changed_renamed_and_removed_records(history):
    result = diff(history, "base")
    assert result.returncode == 0, result.stderr
    report = result.stdout
    assert report.startswith("<!-- dossier-diff -->\n## Dossier changes against `base`\n")
    assert "1 added, 1 changed, 1 renamed, 1 removed." in report
    assert section(report, "Added").strip() == "- `globex` (`content/entities/globex.yaml`): `Globex`"
    assert section(report, "Removed").strip() == "- `initech` (`content/entities/initech.yaml`): `Initech`"
    assert section(report, "Renamed").strip() == (
        "- `2025-03-02-acme-report` → `2025-03-02-daily-paper-reports-on-acme` "
        "(`content/events/2025-03-02-acme-report.yaml` → `content/events/2025-03-02-daily-paper-reports-on-acme.yaml`)"
        ": `Paper reports on Acme`"
    )


def test_each_changed_field_shows_its_old_and_new_value(history):
    changed = section(diff(history, "base").stdout, "Changed")
    assert changed.startswith("- `acme` (`content/entities/acme.yaml`): `Acme Holdings`\n")
    rows = [line.strip() for line in changed.splitlines() if line.strip().startswith("| `")]
    assert "| `name` | `Acme Group` | `Acme Holdings` |" in rows
    assert (
        '| `facts.country` | `{"value": "Exampleland", "sources": ["paper-2025#based-in-exampleland"]}` | '
        '`{"value": "Exampleland and beyond", "sources": ["paper-2025#based-in-exampleland"]}` |' in rows
    )
    assert "| `tags (items)` | `–` | `foundries` |" in rows
    assert len(rows) == 4, rows


def test_record_text_in_the_report_is_inert(history):
    changed = section(diff(history, "base").stdout, "Changed")
    row = next(line for line in changed.splitlines() if line.strip().startswith("| `description`"))
    # a code span (so no HTML, emphasis or @mention), the pipe escaped for the table, a longer fence for `tick`
    assert row.strip().endswith("| `` Acme <b>bold</b> \\| pipe `tick` @octocat - first point - second point `` |")


def test_pages_affected_include_the_records_that_link_to_a_change(history):
    pages = section(diff(history, "base").stdout, r"Pages affected \(\d+\)")
    listed = set(re.findall(r"^- `([^`]+)`$", pages, re.MULTILINE))
    assert {
        "entities/acme/",
        "entities/widget-x/",
        "entities/daily-paper/",
        "events/2025-01-rule-adopted/",
        "entities/globex/",
        "entities/initech/",
        "events/2025-03-02-acme-report/",
        "events/2025-03-02-daily-paper-reports-on-acme/",
        "entities/",
        "events/",
        "timeline/",
    } <= listed
    assert "sources/insiders/" in listed  # cited by the renamed event, before and after
    assert "entities/export-rule/" not in listed  # links to neither Acme nor anything else touched


def test_work_tree_changes_count_and_an_unstaged_rename_is_found_by_its_bytes(history):
    content = history / "content"
    shutil.move(content / "entities" / "globex.yaml", content / "entities" / "globex-corp.yaml")
    report = diff(history, "HEAD").stdout
    assert "0 added, 0 changed, 1 renamed, 0 removed." in report
    assert "- `globex` → `globex-corp`" in report


def test_nothing_changed_says_so(history):
    result = diff(history, "HEAD")
    assert result.returncode == 0
    assert "No record was added, removed, renamed or changed." in result.stdout


def test_out_writes_the_report_to_a_file(history):
    result = diff(history, "base", "--out", "build/diff.md")
    assert result.returncode == 0 and result.stdout == "wrote build/diff.md\n"
    assert (history / "build" / "diff.md").read_text(encoding="utf-8") == diff(history, "base").stdout


def test_unknown_revision_is_a_clear_error_not_a_traceback(history):
    result = diff(history, "no-such-branch")
    assert result.returncode == 2
    assert result.stderr.startswith(
        f"error: no-such-branch: no such commit in {history} (a branch, tag or commit id, e.g. origin/main;"
    )
    assert "Traceback" not in result.stderr


@pytest.mark.skipif(
    not (Path(__file__).resolve().parent.parent / ".venv" / "bin" / "python").exists(),
    reason="the README's command uses .venv, which make test creates",
)
def test_readme_diff_command_runs_as_written_there():
    root = Path(__file__).resolve().parent.parent
    command = ".venv/bin/python -m generator diff HEAD"
    assert f"{command}      # your uncommitted changes" in (root / "README.md").read_text(encoding="utf-8")
    result = subprocess.run(command, shell=True, cwd=root, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("<!-- dossier-diff -->\n## Dossier changes against `HEAD`\n\n")


def test_outside_a_git_repository_is_a_clear_error(tmp_path):
    shutil.copytree(MINI, tmp_path / "content")
    result = diff(tmp_path, "HEAD")
    assert result.returncode == 2
    assert result.stderr.startswith("error: git rev-parse --show-toplevel failed: fatal: not a git repository")
