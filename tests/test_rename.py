"""Issue 14, points 1-3: ``rename`` moves a record and its references, the old address keeps
working in the built site and the exports, and ``check`` guards ids that were published."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import lxml.html
import pytest
from conftest import MINI, ROOT, make_project, pagefind_pages, strict_build, write_record

from generator.pipeline import load_dossier
from generator.problems import DossierError
from generator.rename import RenameError, rename_record

sys.path.insert(0, str(ROOT / "scripts"))
import check_links  # noqa: E402


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "generator", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env=dict(os.environ, PYTHONPATH=str(ROOT)),
    )


@pytest.fixture
def project(tmp_path) -> Path:
    """A copy of the real content, as a contributor's checkout."""
    shutil.copytree(ROOT / "content", tmp_path / "content")
    return tmp_path


def test_rename_of_a_real_record_rewrites_every_reference_and_keeps_the_rest_byte_for_byte(project):
    before = {
        path.relative_to(project): path.read_text(encoding="utf-8")
        for path in (project / "content").rglob("*")
        if path.is_file()
    }
    result = run("rename", "nvidia-h20", "nvidia-h20-chip", cwd=project)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[:2] == [
        "renamed content/entities/nvidia-h20.yaml -> content/entities/nvidia-h20-chip.yaml",
        "rewrote 12 references in 8 files:",
    ]  # the home page names it twice: key findings and story
    assert "  content/pages/index.md: 2" in result.stdout
    assert not (project / "content/entities/nvidia-h20.yaml").exists()
    moved = (project / "content/entities/nvidia-h20-chip.yaml").read_text(encoding="utf-8")
    assert moved == before[Path("content/entities/nvidia-h20.yaml")] + "former_ids: [nvidia-h20]\n"
    for relative, text in before.items():
        path = project / relative
        if not path.exists():
            continue
        now = path.read_text(encoding="utf-8")
        # Only the id changed: the same lines, comments and quoting, with the id replaced where it stood.
        assert now == text.replace("[[nvidia-h20]]", "[[nvidia-h20-chip]]").replace(
            "target: nvidia-h20\n", "target: nvidia-h20-chip\n"
        ).replace("entity: nvidia-h20\n", "entity: nvidia-h20-chip\n"), relative
    assert run("check", "--no-cache", cwd=project).returncode == 0
    assert run("fmt", "--check", cwd=project).returncode == 0


def test_rename_rewrites_links_with_labels_and_excerpts_and_citations(tmp_path):
    content = tmp_path / "content"
    shutil.copytree(MINI, content)
    event = write_record(
        content,
        "events",
        "cited",
        (
            "date: '2025'  # year only\n"
            "title: T\n"
            "summary: >-\n"
            "  As [[paper-2025|the paper]] says,\n"
            "  quoting [[ paper-2025#quote-1 ]].\n"
            "sources:\n"
            "  - paper-2025#quote-1\n"
            "  - 'paper-2025'\n"
        ),
    )
    report = rename_record(content, "paper-2025", "daily-paper-2025-03")
    assert event.read_text(encoding="utf-8") == (
        "date: '2025'  # year only\n"
        "title: T\n"
        "summary: >-\n"
        "  As [[daily-paper-2025-03|the paper]] says,\n"
        "  quoting [[ daily-paper-2025-03#quote-1 ]].\n"
        "sources:\n"
        "  - daily-paper-2025-03#quote-1\n"
        "  - 'daily-paper-2025-03'\n"
    )
    assert [count for shown, count in report.references.items() if shown.endswith("events/cited.yaml")] == [4]
    assert "relays: [insiders]" in (content / "sources/daily-paper-2025-03.yaml").read_text(encoding="utf-8")


def test_former_ids_grow_in_their_own_style_and_renaming_back_swaps_the_id(tmp_path):
    content = tmp_path / "content"
    shutil.copytree(MINI, content)
    rename_record(content, "widget-x", "widget-x2")
    rename_record(content, "widget-x2", "widget-x3")
    text = (content / "entities/widget-x3.yaml").read_text(encoding="utf-8")
    assert text.endswith("former_ids: [widget-x, widget-x2]\n")
    (content / "entities/widget-x3.yaml").write_text(
        text.replace("former_ids: [widget-x, widget-x2]\n", "former_ids:\n  - widget-x  # the first\n  - widget-x2\n"),
        encoding="utf-8",
    )
    rename_record(content, "widget-x3", "widget-x4")
    assert (
        (content / "entities/widget-x4.yaml")
        .read_text(encoding="utf-8")
        .endswith("former_ids:\n  - widget-x  # the first\n  - widget-x2\n  - widget-x3\n")
    )
    rename_record(content, "widget-x4", "widget-x")
    assert (
        (content / "entities/widget-x.yaml")
        .read_text(encoding="utf-8")
        .endswith("former_ids:\n  - widget-x4  # the first\n  - widget-x2\n  - widget-x3\n")
    )
    load_dossier(content)


@pytest.mark.parametrize(
    "old, new, message",
    [
        ("acmee", "b", "no record has the id 'acmee'; did you mean 'acme'?"),
        (
            "acme",
            "Acme_Group",
            "id 'Acme_Group' is not lowercase a-z, 0-9 and single hyphens: choose an id of "
            "lowercase letters, digits and single hyphens",
        ),
        ("acme", "widget-x", "'widget-x' is already the id of {content}/entities/widget-x.yaml; choose another id"),
    ],
)
def test_rename_refuses_and_changes_nothing(tmp_path, old, new, message):
    content = tmp_path / "content"
    shutil.copytree(MINI, content)
    with pytest.raises(RenameError) as caught:
        rename_record(content, old, new)
    assert str(caught.value) == message.format(content=content.as_posix())
    assert sorted(p.name for p in (content / "entities").iterdir()) == sorted(
        p.name for p in (MINI / "entities").iterdir()
    )


def test_rename_refuses_the_former_id_of_another_record(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    content = Path("content")
    shutil.copytree(MINI, content)
    rename_record(content, "widget-x", "widget-y")
    with pytest.raises(RenameError, match="'widget-x' is a former id of content/entities/widget-y.yaml"):
        rename_record(content, "acme", "widget-x")


def test_former_id_that_is_a_live_id_or_claimed_twice_is_an_error(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    content = Path("content")
    shutil.copytree(MINI, content)
    acme = content / "entities/acme.yaml"
    acme.write_text(acme.read_text(encoding="utf-8") + "former_ids: [widget-x, acme-inc]\n", encoding="utf-8")
    rule = content / "entities/export-rule.yaml"
    rule.write_text(rule.read_text(encoding="utf-8") + "former_ids:\n  - acme-inc\n", encoding="utf-8")
    acme_line = len(acme.read_text(encoding="utf-8").splitlines())
    rule_line = len(rule.read_text(encoding="utf-8").splitlines())
    with pytest.raises(DossierError) as caught:
        load_dossier(content)
    assert [p.format() for p in caught.value.problems if p.severity.value == "error"] == [
        f"content/entities/acme.yaml:{acme_line}:14: error[former-id-clash]: former_ids[0]: 'widget-x' is the id of "
        "a live record (content/entities/widget-x.yaml)\n"
        "    hint: an old address can lead to one page only: remove it here, or rename that record",
        f"content/entities/export-rule.yaml:{rule_line}:5: error[former-id-clash]: former_ids[0]: 'acme-inc' is "
        "already a former id of content/entities/acme.yaml\n"
        "    hint: an old address can forward to one record only: remove it from one of them",
    ]


@pytest.fixture(scope="module")
def renamed_site(tmp_path_factory) -> tuple[Path, Path]:
    """The mini dossier after 'rename acme acme-group', built by MkDocs: (content, site)."""
    root = tmp_path_factory.mktemp("renamed")
    content = root / "content"
    shutil.copytree(MINI, content)
    result = run("rename", "acme", "acme-group", "--content", str(content), cwd=root)
    assert result.returncode == 0, result.stderr
    site = strict_build(root / "site", make_project(root, content)).site
    return content, site


def test_old_address_forwards_without_javascript(renamed_site):
    _content, site = renamed_site
    page = site / "entities/acme/index.html"
    tree = lxml.html.fromstring(page.read_bytes())
    assert tree.xpath("//meta[@http-equiv='refresh']/@content") == ["0; url=../acme-group/"]
    # No site address is configured in the tests' builds (DOSSIER_SITE_URL): the canonical link is relative.
    assert tree.xpath("//link[@rel='canonical']/@href") == ["../acme-group/"]
    assert tree.xpath("//a/@href") == ["../acme-group/"]
    assert (page.parent / "../acme-group/index.html").resolve().is_file()
    assert "Acme Group" in tree.xpath("string(//a)")
    assert check_links.redirect_pages(site) == ["entities/acme/index.html"]
    assert check_links.internal_link_problems(site) == []


def test_redirect_pages_stay_out_of_the_sitemap_and_search(renamed_site):
    _content, site = renamed_site
    assert "entities/acme/" not in (site / "sitemap.xml").read_text(encoding="utf-8")
    indexed = pagefind_pages(site)
    assert "/entities/acme-group/" in indexed
    assert not [url for url in indexed if url.startswith("/entities/acme/")]


def test_exports_list_former_ids(renamed_site):
    _content, site = renamed_site
    dossier = json.loads((site / "data/dossier.json").read_text(encoding="utf-8"))
    assert dossier["former_ids"] == {"acme": "acme-group"}
    entity = next(e for e in dossier["entities"] if e["id"] == "acme-group")
    assert entity["former_ids"] == ["acme"] and entity["url"] == "entities/acme-group/"
    rows = list(csv.DictReader(io.StringIO((site / "data/entities.csv").read_text(encoding="utf-8"))))
    assert [row["former_ids"] for row in rows if row["id"] == "acme-group"] == ["acme"]
    lines = [json.loads(line) for line in (site / "data/entities.ftm.json").read_text(encoding="utf-8").splitlines()]
    company = next(line for line in lines if line["id"] == "dossier-entity-acme-group")
    assert company["referents"] == ["dossier-entity-acme"]


# Point 3: an id that was published may not vanish without a forwarding id.


def test_check_notices_a_published_id_that_vanished(project):
    listed = (project / "content/published-ids.txt").read_text(encoding="utf-8").splitlines()
    line = listed.index("nvidia-h20") + 1
    (project / "content/entities/nvidia-h20.yaml").rename(project / "content/entities/nvidia-h20-chip.yaml")
    result = run("check", "--no-cache", cwd=project)
    assert result.returncode == 1
    vanished = [block.split("\n\n")[0] for block in result.stdout.split("\ncontent/") if "vanished-id" in block]
    assert vanished == [
        f"published-ids.txt:{line}:1: error[vanished-id]: 'nvidia-h20' was published, but no record has it as its id "
        "or a former id: its page would vanish\n"
        "    hint: if the record was renamed, add 'former_ids: [nvidia-h20]' to it (python -m generator rename does "
        "this); if it was merged into another, add it there; if the page must really go, delete this line"
    ]


def test_a_rename_keeps_the_published_id_alive_and_the_build_lists_new_ids(project):
    assert run("rename", "nvidia-h20", "nvidia-h20-chip", cwd=project).returncode == 0
    assert run("check", "--no-cache", cwd=project).returncode == 0
    listed = (project / "content/published-ids.txt").read_text(encoding="utf-8")
    assert "\nnvidia-h20\n" in listed and "nvidia-h20-chip" not in listed
    built = run("build", "--out", "out", cwd=project)
    assert built.returncode == 0, built.stderr
    listed = (project / "content/published-ids.txt").read_text(encoding="utf-8").splitlines()
    assert listed[:2] == [line for line in listed if line.startswith("#")]  # comments kept, first
    assert "nvidia-h20" in listed and "nvidia-h20-chip" in listed and listed[2:] == sorted(listed[2:])
    assert (project / "out/entities/nvidia-h20/index.html").is_file()
    again = run("build", "--out", "out", cwd=project)  # the list is complete now: nothing to do
    assert again.stdout.endswith("(nothing changed since the last build)\n"), again.stdout


def test_without_a_list_of_published_ids_the_build_writes_none(tmp_path):
    content = tmp_path / "content"
    shutil.copytree(MINI, content)
    assert run("build", "--out", "out", "--content", str(content), cwd=tmp_path).returncode == 0
    assert not (content / "published-ids.txt").exists()
