"""From page to file: each record page names its YAML file, links to edit it, shows its last change
(from git) and how to cite it.  Whole strict builds into tmp_path."""

from __future__ import annotations

import html
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from conftest import MINI, make_project, strict_build

from generator import provenance
from generator.jsonschema import json_schema_text
from generator.vocabulary import load_vocabulary

HOSTILE_NAME = 'Acme <script>alert(1)</script> & "Co"'


def _git(project: Path, *arguments: str, date: str | None = None) -> None:
    env = dict(
        os.environ,
        GIT_AUTHOR_NAME="Test",
        GIT_AUTHOR_EMAIL="test@example.org",
        GIT_COMMITTER_NAME="Test",
        GIT_COMMITTER_EMAIL="test@example.org",
    )
    if date:
        env.update(GIT_AUTHOR_DATE=date, GIT_COMMITTER_DATE=date)
    subprocess.run(["git", *arguments], cwd=project, env=env, check=True, capture_output=True)


def _project(tmp_path: Path, with_git: bool, repo_url: str = "https://github.com/example/dossier") -> Path:
    project = tmp_path / "project"
    content = project / "content"
    shutil.copytree(MINI, content)
    acme = content / "entities" / "acme.yaml"
    acme.write_text(
        acme.read_text(encoding="utf-8").replace("name: Acme Group", f"name: '{HOSTILE_NAME}'", 1), encoding="utf-8"
    )
    config_path = make_project(project, content)
    config = yaml.safe_load(config_path.read_text(encoding="utf-8"))
    config["site_url"] = "https://example.org/dossier/"  # what DOSSIER_SITE_URL gives a real build
    config["repo_url"] = repo_url
    config["edit_uri"] = "edit/main/"
    config["plugins"] = [p for p in config["plugins"] if not (isinstance(p, dict) and "dossier" in p)] + [
        {"dossier": {"content_dir": "content"}}
    ]
    config["docs_dir"] = "content/pages"
    config_path.write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False), encoding="utf-8")
    if with_git:
        _git(project, "init", "-q", "-b", "main")
        _git(project, "add", "-A")
        _git(project, "commit", "-q", "-m", "first", date="2024-02-03T10:00:00+00:00")
        widget = content / "entities" / "widget-x.yaml"
        widget.write_text(widget.read_text(encoding="utf-8") + "tags: [widgets]\n", encoding="utf-8")
        _git(project, "commit", "-q", "-am", "second", date="2025-05-06T23:30:00-02:00")  # 2025-05-07 in UTC
    return project


def _build(project: Path, site: Path, source_date_epoch: str | None = None) -> None:
    env = {key: value for key, value in os.environ.items() if key != "SOURCE_DATE_EPOCH"}
    if source_date_epoch is not None:
        env["SOURCE_DATE_EPOCH"] = source_date_epoch
    strict_build(site, project / "mkdocs.yml", env=env)


def _footer(page: Path) -> str:
    text = page.read_text(encoding="utf-8")
    match = re.search(r'<aside class="dossier-record-footer".*?</aside>', text, re.DOTALL)
    assert match, f"no record footer in {page}"
    return match.group(0)


@pytest.fixture(scope="module")
def git_site(tmp_path_factory) -> Path:
    tmp_path = tmp_path_factory.mktemp("page-to-file")
    project = _project(tmp_path, with_git=True)
    site = tmp_path / "site"
    _build(project, site)
    return site


def test_record_page_names_its_file_and_links_to_edit_it(git_site):
    footer = _footer(git_site / "entities" / "widget-x" / "index.html")
    assert "Built from <code>content/entities/widget-x.yaml</code>" in footer
    assert (
        '<a class="dossier-edit-link" href="https://github.com/example/dossier/edit/main/content/entities/'
        'widget-x.yaml" rel="nofollow">Edit this record</a>'
    ) in footer


def test_last_change_comes_from_the_git_history_of_each_file(git_site):
    changed = _footer(git_site / "entities" / "widget-x" / "index.html")
    assert '<time datetime="2025-05-07">2025-05-07</time>' in changed  # commit time in UTC
    untouched = _footer(git_site / "entities" / "acme" / "index.html")
    assert '<time datetime="2024-02-03">2024-02-03</time>' in untouched
    event = _footer(git_site / "events" / "2025-01-rule-adopted" / "index.html")
    assert "content/events/2025-01-rule-adopted.yaml" in event and "2024-02-03" in event
    source = _footer(git_site / "sources" / "paper-2025" / "index.html")
    assert "edit/main/content/sources/paper-2025.yaml" in source


def test_how_to_cite_block_has_title_site_url_and_date(git_site):
    footer = _footer(git_site / "entities" / "widget-x" / "index.html")
    assert "How to cite this page" in footer
    citation = re.search(r'<p class="dossier-citation">(.*?)</p>', footer, re.DOTALL).group(1)
    text = " ".join(html.unescape(re.sub(r"<[^>]+>", "", citation)).split())
    assert text == (
        "“Widget X”. Chips Across Borders — a dossier. https://example.org/dossier/entities/widget-x/. "
        "Last changed 2025-05-07."
    )


def test_footer_escapes_record_text(git_site):
    footer = _footer(git_site / "entities" / "acme" / "index.html")
    assert "<script" not in footer and "</script" not in footer
    # the engine's title filter already turns < > into look-alikes; the footer escapes & and quotes
    assert "alert(1)" in footer and "&amp; &#34;Co&#34;”" in footer


def test_non_record_pages_have_no_record_footer(git_site):
    assert "dossier-record-footer" not in (git_site / "index.html").read_text(encoding="utf-8")
    assert "dossier-record-footer" not in (git_site / "timeline" / "index.html").read_text(encoding="utf-8")


def test_reference_page_and_schema_are_in_the_site(git_site):
    reference = (git_site / "reference" / "format" / "index.html").read_text(encoding="utf-8")
    assert "relationships[].target" in reference
    # the schema of this dossier: the record format with the words of its own vocabulary
    assert (git_site / "schema" / "record.schema.json").read_text(encoding="utf-8") == json_schema_text(
        load_vocabulary(MINI)
    )


def test_same_commit_builds_the_same_bytes(git_site, tmp_path):
    project, first, second = git_site.parent / "project", git_site, tmp_path / "two"
    os.utime(project / "content" / "entities" / "acme.yaml")  # a touched file is no new commit
    _build(project, second)
    for page in ("entities/acme/index.html", "entities/widget-x/index.html", "sources/paper-2025/index.html"):
        assert (first / page).read_bytes() == (second / page).read_bytes(), page


@pytest.fixture(scope="module")
def sites_outside_git(tmp_path_factory) -> dict[str, Path]:
    """A project without git history (and a repository address made to break out of the attribute) built
    with SOURCE_DATE_EPOCH and without."""
    tmp_path = tmp_path_factory.mktemp("outside-git")
    project = _project(tmp_path, with_git=False, repo_url='https://github.com/example/d"onmouseover="alert(1)')
    _build(project, tmp_path / "epoch", source_date_epoch="1700000000")
    _build(project, tmp_path / "none")
    return {"epoch": tmp_path / "epoch", "none": tmp_path / "none"}


def test_outside_git_the_date_falls_back_to_source_date_epoch(sites_outside_git):
    footer = _footer(sites_outside_git["epoch"] / "entities" / "acme" / "index.html")
    assert '<time datetime="2023-11-14">' in footer and "Last changed 2023-11-14." in footer
    footer = _footer(sites_outside_git["none"] / "entities" / "acme" / "index.html")
    assert "Last changed" not in footer and "<time" not in footer
    assert "Built from <code>content/entities/acme.yaml</code>" in footer and "Edit this record" in footer


def test_edit_link_attribute_is_escaped(sites_outside_git):
    footer = _footer(sites_outside_git["none"] / "entities" / "acme" / "index.html")
    assert (
        'href="https://github.com/example/d&#34;onmouseover=&#34;alert(1)/edit/main/content/entities/acme.yaml"'
        in footer
    )
    assert ' onmouseover="' not in footer


def test_one_git_call_for_all_files(tmp_path, monkeypatch):
    project = _project(tmp_path, with_git=True)
    calls = []
    real_run = subprocess.run

    def counting_run(command, *args, **kwargs):
        calls.append(command)
        return real_run(command, *args, **kwargs)

    monkeypatch.setattr(provenance.subprocess, "run", counting_run)
    index = provenance.ProvenanceIndex.for_project(project, project / "content", "https://h.example/r", "edit/x/")
    records = sorted((project / "content").glob("*/*.yaml"))
    dates = {path.name: index.of(str(path)).last_changed for path in records}
    assert len(calls) == 1 and calls[0][:2] == ["git", "-c"]
    assert dates["widget-x.yaml"] == "2025-05-07" and dates["acme.yaml"] == "2024-02-03"
    assert index.of(str(records[0])).edit_url.startswith("https://h.example/r/edit/x/content/")


def test_edit_url_joins_like_mkdocs():
    assert provenance.edit_url("https://github.com/o/r", "edit/main/", "content/a.yaml") == (
        "https://github.com/o/r/edit/main/content/a.yaml"
    )
    assert provenance.edit_url("https://github.com/o/r/", "", "content/a.yaml") == (
        "https://github.com/o/r/edit/main/content/a.yaml"
    )
    assert provenance.edit_url("https://github.com/o/r", "https://gitlab.example/e/", "c.yaml") == (
        "https://gitlab.example/e/c.yaml"
    )
    assert provenance.edit_url("ftp://x", "edit/", "c.yaml") == ""
