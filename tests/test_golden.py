"""Golden files: the Markdown rendered for the mini fixture dossier, reviewed like code.

Run with UPDATE_GOLDEN=1 to rewrite tests/golden/mini/ after an intended change, then
review the diff.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from conftest import MINI

from generator.build import SiteBuild
from generator.pipeline import load_dossier

GOLDEN = Path(__file__).resolve().parent / "golden" / "mini"


def rendered_pages() -> dict[str, str]:
    return SiteBuild(load_dossier(MINI).dossier).render_all()


def test_golden_markdown_matches(monkeypatch):
    monkeypatch.chdir(MINI.parent.parent.parent)  # paths in front matter are relative to the project root
    pages = {path: text for path, text in rendered_pages().items() if path.endswith(".md")}
    if os.environ.get("UPDATE_GOLDEN"):
        for existing in GOLDEN.rglob("*.md"):
            existing.unlink()
        for path, text in pages.items():
            (GOLDEN / path).parent.mkdir(parents=True, exist_ok=True)
            (GOLDEN / path).write_text(text, encoding="utf-8")
        pytest.skip("golden files rewritten")
    expected = {p.relative_to(GOLDEN).as_posix(): p.read_text(encoding="utf-8") for p in GOLDEN.rglob("*.md")}
    assert sorted(pages) == sorted(expected)
    for path, text in pages.items():
        assert text == expected[path], f"{path} differs from its golden file (UPDATE_GOLDEN=1 to rewrite)"
