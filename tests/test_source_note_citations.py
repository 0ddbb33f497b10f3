"""A source's note may cite excerpts (of its own or of a source it relays): its page then lists them."""

from __future__ import annotations

import re

from conftest import write_record

from generator.build import SiteBuild
from generator.pipeline import load_dossier


def render_page(content_dir, path: str) -> str:
    dossier = load_dossier(content_dir).dossier
    return dict(SiteBuild(dossier).render_all())[path]


def test_source_note_citing_an_excerpt_gets_a_reference_list_with_quote_and_voice(mini_content):
    write_record(
        mini_content,
        "sources",
        "insiders",
        (
            "title: two people familiar with the matter\n"
            "kind: anonymous-informants\n"
            "note: Unnamed people quoted by [[daily-paper]], who said Acme is growing [[paper-2025#acme-growing]].\n"
        ),
    )
    page = render_page(mini_content, "sources/insiders.md")
    marks = re.findall(r"\(#ref-(\d+)", page)
    assert marks and set(marks) == {"1"}, page
    references = page.split("## References", 1)[1]
    assert '<span id="ref-1" class="dossier-ref"></span>' in references
    assert "Acme Group, the maker of the Widget X chip line, is growing" in references
    assert "<em>Voice:</em>" in references and "two people familiar with the matter" in references


def test_source_page_without_citations_in_its_note_has_no_reference_list(mini_content):
    page = render_page(mini_content, "sources/paper-2025.md")
    assert "## References" not in page
