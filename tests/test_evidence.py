"""Evidence: excerpts on sources, citations of one passage, voices, stored texts and their checks."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest
from conftest import ROOT, write_record

from generator.build import SiteBuild
from generator.cli import main
from generator.evidence import NormalizedText, closest_passage, find_quote
from generator.outputs.data_files import build_data_files
from generator.pipeline import load_dossier
from generator.problems import DossierError

PAPER = "content/sources/paper-2025.yaml"


@pytest.fixture(autouse=True)
def _messages_relative_to_the_project(mini_content, monkeypatch):
    """Paths in messages are relative to the working folder, as when a contributor runs check."""
    monkeypatch.chdir(mini_content.parent)


def problems_for(content_dir, severity="error") -> list[str]:
    with pytest.raises(DossierError) as caught:
        load_dossier(content_dir)
    return [p.format() for p in caught.value.problems if p.severity.value == severity]


def replace_in(path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def line_col_of(path, needle: str) -> tuple[int, int]:
    text = path.read_text(encoding="utf-8")
    offset = text.index(needle)
    return text.count("\n", 0, offset) + 1, offset - text.rfind("\n", 0, offset)


def test_misspelt_excerpt_in_a_sources_list_is_an_error_at_its_position_with_a_suggestion(mini_content):
    acme = mini_content / "entities" / "acme.yaml"
    replace_in(acme, "sources: [paper-2025#based-in-exampleland]", "sources: [paper-2025#based-in-examplelnd]")
    line, column = line_col_of(acme, "paper-2025#based-in-examplelnd")
    assert problems_for(mini_content) == [
        f"content/entities/acme.yaml:{line}:{column}: error[unknown-excerpt]: facts.country.sources[0]: "
        f"'paper-2025#based-in-examplelnd': source 'paper-2025' has no excerpt 'based-in-examplelnd'\n"
        f"    hint: did you mean 'based-in-exampleland'?"
    ]


def test_excerpt_of_a_source_without_excerpts_says_how_to_fix_it(mini_content):
    event = mini_content / "events" / "2025-03-02-acme-report.yaml"
    replace_in(event, "sources: [paper-2025#acme-growing, insiders]", "sources: [paper-2025#acme-growing, insiders#x]")
    line, column = line_col_of(event, "insiders#x")
    assert problems_for(mini_content) == [
        f"content/events/2025-03-02-acme-report.yaml:{line}:{column}: error[unknown-excerpt]: sources[1]: "
        f"'insiders#x': source 'insiders' has no excerpt 'x'\n"
        f"    hint: source 'insiders' has no excerpts: add one under 'excerpts:' in its file, or cite the whole "
        f"source as 'insiders'"
    ]


def test_inline_citation_of_a_missing_excerpt_is_an_error(mini_content):
    widget = mini_content / "entities" / "widget-x.yaml"
    replace_in(widget, "[[paper-2025#widget-is-accelerator]]", "[[paper-2025#widget-is-an-accelerator]]")
    [problem] = problems_for(mini_content)
    assert problem.startswith("content/entities/widget-x.yaml:3:")
    assert (
        "error[unknown-excerpt]: summary: [[paper-2025#widget-is-an-accelerator]]: source 'paper-2025' has no "
        "excerpt 'widget-is-an-accelerator'\n    hint: did you mean 'widget-is-accelerator'?" in problem
    )


def test_excerpt_of_an_entity_is_refused(mini_content):
    widget = mini_content / "entities" / "widget-x.yaml"
    replace_in(widget, "[[paper-2025#widget-is-accelerator]]", "[[paper-2025#widget-is-accelerator]] [[acme#x]]")
    [problem] = problems_for(mini_content)
    assert "error[wrong-kind]: summary: 'acme' is an entity, but a source is expected" in problem


def test_a_quote_altered_by_one_word_fails_with_file_line_and_the_closest_passage(mini_content):
    paper = mini_content / "sources" / "paper-2025.yaml"
    replace_in(
        paper,
        "quote: The company is based in Exampleland, the paper writes.",
        "quote: The company is registered in Exampleland, the paper writes.",
    )
    line, column = line_col_of(paper, "The company is registered")
    assert problems_for(mini_content) == [
        f"{PAPER}:{line}:{column}: error[quote-not-in-text]: excerpts[1] ('based-in-exampleland'): the quote is "
        f"not in the stored text content/texts/paper-2025.txt\n"
        f"    hint: closest passage (content/texts/paper-2025.txt, line 4): “The company is based in Exampleland, "
        f"the paper writes.”; the quote has “registered” where the text has “based”; copy the words exactly as the "
        f"source has them"
    ]


def test_quotes_match_across_whitespace_quotation_marks_and_yo():
    stored = NormalizedText.of("Он  сказал: «Всё\nхорошо», — и ушёл.")
    assert find_quote('Он сказал: "Все хорошо", — и ушел.', stored)
    assert find_quote("сказал: “Всё хорошо”", stored)
    assert find_quote("Он […] ушёл.", stored)
    assert not find_quote("Он сказал: «Всё плохо»", stored)
    assert not find_quote("ушёл […] Он", stored)  # parts must come in order


def test_closest_passage_points_at_the_first_difference():
    stored = NormalizedText.of("First line.\nThe quick brown fox jumps over the lazy dog.\nLast line.")
    closest = closest_passage("The quick red fox jumps over the lazy dog.", stored)
    assert closest.line == 2
    assert closest.text == "The quick brown fox jumps over the lazy dog."
    assert closest.difference == "the quote has “red” where the text has “brown”"


def test_missing_stored_text_is_an_error_at_its_path(mini_content):
    paper = mini_content / "sources" / "paper-2025.yaml"
    replace_in(paper, "path: texts/paper-2025.txt", "path: texts/nowhere.txt")
    line, column = line_col_of(paper, "texts/nowhere.txt")
    assert problems_for(mini_content) == [
        f"{PAPER}:{line}:{column}: error[stored-text-missing]: stored_text.path: no file content/texts/nowhere.txt\n"
        f"    hint: add the file with the source's text, or fix the path (relative to the content folder)"
    ]


def test_a_voice_the_source_does_not_relay_is_an_error(mini_content):
    paper = mini_content / "sources" / "paper-2025.yaml"
    write_record(mini_content, "sources", "other", "title: Other\nkind: report\n")
    replace_in(paper, "    voice: insiders\n", "    voice: other\n")
    line, column = line_col_of(paper, "other\n")
    assert problems_for(mini_content) == [
        f"{PAPER}:{line}:{column}: error[voice-not-relayed]: excerpts[0] ('acme-growing'): voice 'other' is not a "
        f"source that 'paper-2025' relays\n    hint: add 'other' to 'relays:' (of this source, or of a source it "
        f"relays), or fix the voice"
    ]


def test_a_quote_not_in_english_needs_a_translation(mini_content):
    paper = mini_content / "sources" / "paper-2025.yaml"
    replace_in(paper, "language: en", "language: ru")
    found = problems_for(mini_content)
    assert len(found) == 7 and all("error[missing-translation]" in p for p in found)  # every excerpt
    line, column = line_col_of(paper, ">-\n      Acme Group, the maker")  # the quote's value
    assert found[0] == (
        f"{PAPER}:{line}:{column}: error[missing-translation]: excerpts[0] ('acme-growing'): the quote is in 'ru' "
        f"and has no translation\n    hint: add 'translation:' with the passage in English (or 'lang: en' if the "
        f"quote is English)"
    )


def test_statement_on_a_whole_source_is_a_warning_and_counted(mini_content, monkeypatch, capsys):
    acme = mini_content / "entities" / "acme.yaml"
    replace_in(acme, "sources: [paper-2025#based-in-exampleland]", "sources: [paper-2025]")
    line, column = line_col_of(acme, "paper-2025]")
    monkeypatch.chdir(mini_content.parent)
    assert main(["check", "--content", "content", "--no-cache"]) == 0
    out = capsys.readouterr().out
    assert (
        f"content/entities/acme.yaml:{line - 1}:5: warning[no-excerpt]: facts.country rests on a whole source "
        f"(paper-2025), not on an excerpt\n    hint: add the passage to the source's 'excerpts:' and cite it as "
        f"source-id#excerpt-id"
    ) in out
    assert out.strip().splitlines()[-2:] == [
        "evidence: 12 of 13 cited statements rest on an excerpt; 1 on a whole source only",
        "checked 5 entities, 2 events, 2 sources: no errors, 1 warning",
    ]
    assert main(["check", "--content", "content", "--no-cache", "--strict"]) == 1


def render_page(content_dir, path: str) -> str:
    dossier = load_dossier(content_dir).dossier
    return dict(SiteBuild(dossier).render_all())[path]


def test_citation_mark_carries_quote_and_voice_and_the_reference_list_links_back(mini_content):
    page = render_page(mini_content, "entities/acme.md")
    # as Markdown (in text) and as HTML (in the lists written as HTML blocks), in page order
    marks = re.findall(
        r'\[\\\[(\d+)\\\]\]\(#ref-\1 "([^"]*)"\)\{#cite-\1-(\d+)\}'
        r'|<a href="#ref-(\d+)" id="cite-\4-(\d+)" title="([^"]*)">\[\4\]</a>',
        page,
    )
    marks = [(md[0], md[1], md[2]) if md[0] else (md[3], md[5], md[4]) for md in marks]
    by_number = {}
    for number, title, place in marks:
        by_number.setdefault(number, []).append((title, int(place)))
    growing = next(n for n, uses in by_number.items() if "is growing" in uses[0][0])
    title = by_number[growing][0][0]
    assert title.startswith("“Acme Group, the maker of the Widget X chip line, is growing, two people familiar")
    assert title.endswith("— Daily Paper, 2 March 2025, citing two people familiar with the matter")
    assert [place for _, place in by_number[growing]] == [1, 2]  # the summary and a relationship
    references = page[page.index("## References") :]
    entry = references[references.index(f'<span id="ref-{growing}"') :]
    entry = entry[: entry.index("</li>")]  # the list is HTML: the built pages' addresses
    assert '<a href="../../sources/paper-2025/#excerpt-acme-growing">' in entry
    assert "Acme Group, the maker of the Widget X chip line, is growing" in entry
    assert (
        "<em>Voice:</em> Daily Paper, 2 March 2025, citing two people familiar with the matter. "
        "<em>Where:</em> paragraph 2." in entry
    )
    assert f'<a href="#cite-{growing}-1" ' in entry and f'<a href="#cite-{growing}-2" ' in entry


def test_citation_text_from_records_stays_text(mini_content):
    paper = mini_content / "sources" / "paper-2025.yaml"
    (mini_content / "texts" / "paper-2025.txt").write_text(
        'Daily Paper reports on Acme. <script>alert(1)</script> "quoted" [x](javascript:y)\n'
        "Widget X is an accelerator. Exampleland is a country. The company is based in Exampleland, the paper "
        'writes. It has developed "Widget X" since 2024. Acme Group, the maker of the Widget X chip line, is '
        "growing, two people familiar with the matter said. The Export Rule, which restricts exports of Widget X, "
        "was adopted in mid-January 2025 and rescinded in May 2025.",
        encoding="utf-8",
    )
    replace_in(
        paper,
        "quote: Daily Paper reports on Acme.",
        "quote: 'Daily Paper reports on Acme. <script>alert(1)</script> \"quoted\" [x](javascript:y)'",
    )
    page = render_page(mini_content, "entities/daily-paper.md")
    assert "<script>" not in page and "](javascript:" not in page
    assert "&#60;script&#62;alert&#40;1&#41;" in page


def test_source_page_lists_excerpts_with_the_records_resting_on_each_and_the_whole_chain(mini_content):
    page = render_page(mini_content, "sources/paper-2025.md")
    section = page[page.index("## Excerpts") :]
    assert "### acme-growing { #excerpt-acme-growing }" in section
    block = section[section.index("### acme-growing") : section.index("### based-in-exampleland")]
    assert "*Voice:* Daily Paper, 2 March 2025, citing two people familiar with the matter" in block
    assert "Records that rest on it: " in block and "[Acme Group](../entities/acme.md" in block
    assert "[Paper reports on Acme](../events/2025-03-02-acme-report.md" in block
    insiders = render_page(mini_content, "sources/insiders.md")
    assert "It reaches this dossier through:" in insiders
    assert "- [acme-growing](paper-2025.md#excerpt-acme-growing) in [Example paper reports on Acme]" in insiders


def test_exports_carry_excerpts_and_voices(mini_content):
    dossier = load_dossier(mini_content).dossier
    files, _ = build_data_files(dossier)
    document = json.loads(files["data/dossier.json"])
    paper = next(s for s in document["sources"] if s["id"] == "paper-2025")
    growing = next(e for e in paper["excerpts"] if e["id"] == "acme-growing")
    assert growing["voice_chain"] == ["paper-2025", "insiders"]
    assert growing["voice_text"] == "Daily Paper, 2 March 2025, citing two people familiar with the matter"
    assert growing["cited_by"] == ["2025-03-02-acme-report", "acme"]
    assert growing["location"] == {"section": None, "paragraph": 2, "page": None, "timestamp": None}
    rows = list(csv.DictReader(io.StringIO(files["data/excerpts.csv"])))
    row = next(r for r in rows if r["id"] == "acme-growing")
    assert row["citation"] == "paper-2025#acme-growing" and row["voice_chain"] == "paper-2025;insiders"
    assert row["paragraph"] == "2"
    documentation = [
        json.loads(line) for line in files["data/entities.ftm.json"].splitlines() if '"Documentation"' in line
    ]
    acme_doc = next(d for d in documentation if d["id"].endswith("paper-2025.acme"))
    assert any("is growing" in summary for summary in acme_doc["properties"]["summary"])


def test_the_first_dossier_keeps_the_article_as_stored_text_and_every_quote_is_verified():
    result = load_dossier(ROOT / "content")  # raises on any quote not in the stored text
    article = result.dossier.sources["cnews-2025-11-27"]
    assert article.stored_text is not None
    stored = (ROOT / "content" / article.stored_text.path).read_text(encoding="utf-8")
    assert stored.startswith(" date 2025-11-27 Санкции США нипочем.")
    assert len(article.excerpts) >= 20
    for excerpt in article.excerpts:
        assert excerpt.translation, excerpt.id
    assert result.evidence.on_whole_sources == 0
