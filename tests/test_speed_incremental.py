"""Incremental generation: nothing changed writes nothing; one change re-renders only what it reaches."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

from generator.build import SiteBuild
from generator.incremental import IncrementalRenderer
from generator.pipeline import load_dossier
from generator.write import write_tree

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
import synth  # noqa: E402


@pytest.fixture
def synthetic(tmp_path: Path) -> Path:
    content = tmp_path / "content"
    synth.write_dossier(120, content)
    return content


def _edit(path: Path, pattern: str, replacement: str) -> None:
    text = path.read_text(encoding="utf-8")
    new_text = re.sub(pattern, replacement, text, count=1, flags=re.MULTILINE)
    assert new_text != text
    path.write_text(new_text, encoding="utf-8")


def test_second_generation_with_nothing_changed_writes_no_file(synthetic, tmp_path):
    out = tmp_path / "md"
    first = write_tree(SiteBuild(load_dossier(synthetic).dossier).render_all(), out)
    assert first.written
    mtimes = {p: p.stat().st_mtime_ns for p in out.rglob("*.md")}
    second = write_tree(SiteBuild(load_dossier(synthetic).dossier).render_all(), out)
    assert second.written == [] and second.removed == []
    assert {p: p.stat().st_mtime_ns for p in out.rglob("*.md")} == mtimes


def test_one_record_change_rewrites_only_pages_whose_text_changes(synthetic, tmp_path):
    out = tmp_path / "md"
    before = SiteBuild(load_dossier(synthetic).dossier).render_all()
    write_tree(before, out)
    _edit(synthetic / "entities" / "entity-50.yaml", r"^name: '", "name: 'Renamed ")
    after = SiteBuild(load_dossier(synthetic).dossier).render_all()
    report = write_tree(after, out)
    differing = sorted(path for path in after if before.get(path) != after[path])
    assert sorted(report.written) == differing
    assert "entities/entity-50.md" in report.written
    assert len(report.written) < len(after) / 2, "a rename must not rewrite most of the site"


# Incremental renders equal full ones byte for byte after every kind of change: test_speed_incremental_exact.py.


def test_deleted_record_disappears_from_an_incremental_render(synthetic):
    extra = synthetic / "entities" / "extra-place.yaml"
    extra.write_text("type: place\nname: Extra place\nsummary: A place. [[source-1]]\n", encoding="utf-8")
    incremental = IncrementalRenderer()
    assert "entities/extra-place.md" in incremental.render(load_dossier(synthetic).dossier)
    extra.unlink()
    dossier = load_dossier(synthetic).dossier
    pages = incremental.render(dossier)
    assert "entities/extra-place.md" not in pages
    assert pages == SiteBuild(dossier).render_all()


def test_template_change_renders_everything_again(synthetic, tmp_path):
    overrides = tmp_path / "templates"
    overrides.mkdir()
    incremental = IncrementalRenderer()
    dossier = load_dossier(synthetic).dossier
    incremental.render(dossier, lambda view: SiteBuild(view, overrides), overrides)
    source_template = Path(__file__).resolve().parent.parent / "generator" / "templates" / "source.md.j2"
    (overrides / "source.md.j2").write_text(
        source_template.read_text(encoding="utf-8") + "\nOverridden.\n", encoding="utf-8"
    )
    pages = incremental.render(dossier, lambda view: SiteBuild(view, overrides), overrides)
    assert all(
        text.endswith("Overridden.\n")
        for path, text in pages.items()
        if path.startswith("sources/") and path != "sources/index.md"
    )
    assert pages == SiteBuild(dossier, overrides).render_all()
