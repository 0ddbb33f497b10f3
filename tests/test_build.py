"""Whole builds: `mkdocs build --strict` into a temporary folder, asserting pages and links."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
from conftest import (
    ROOT,
    dossier_warnings,
    make_project,
    mkdocs_build,
    pagefind_pages,
    strict_build,
    warning_transcript,
    write_record,
)


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []
        self.ids: set[str] = set()
        self.in_article = False

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if "id" in attributes:
            self.ids.add(attributes["id"])
        if tag == "a" and attributes.get("href"):
            self.hrefs.append(attributes["href"])


def parse(html_path: Path) -> _Links:
    parser = _Links()
    parser.feed(html_path.read_text(encoding="utf-8"))
    return parser


# mini_site and real_build are the session's shared builds (conftest.py).


def test_one_html_page_per_record(mini_site):
    for folder, ids in {
        "entities": ["acme", "widget-x", "exampleland", "export-rule", "daily-paper"],
        "events": ["2025-01-rule-adopted", "2025-03-02-acme-report"],
        "sources": ["paper-2025", "insiders"],
    }.items():
        for record_id in ids:
            assert (mini_site / folder / record_id / "index.html").is_file(), f"{folder}/{record_id}"


def test_inverse_relation_shows_on_target_page(mini_site):
    html = (mini_site / "entities" / "widget-x" / "index.html").read_text(encoding="utf-8")
    assert "Developed by" in html
    assert 'href="../acme/"' in html


def test_every_internal_link_and_fragment_resolves(mini_site):
    # 404.html is served from any depth, so mkdocs-material links it through site_url instead.
    pages = {path: parse(path) for path in mini_site.rglob("*.html") if path.name != "404.html"}
    checked = 0
    for path, parsed in pages.items():
        base = "http://site/" + path.relative_to(mini_site).as_posix()
        for href in parsed.hrefs:
            url = urlsplit(urljoin(base, href))
            if url.netloc != "site":
                continue
            target = mini_site / url.path.lstrip("/")
            if url.path.endswith("/") or target.is_dir():
                target = target / "index.html"
            assert target.is_file(), f"{path}: broken link {href}"
            if url.fragment and target.suffix == ".html":
                assert url.fragment in pages[target].ids, f"{path}: missing anchor {href}"
            checked += 1
    assert checked > 50


def test_citations_number_and_link_to_references(mini_site):
    html = (mini_site / "entities" / "acme" / "index.html").read_text(encoding="utf-8")
    assert (
        '<a href="#ref-1" id="cite-1-1" title="“The company is based in Exampleland, the paper writes.” — '
        'Daily Paper, 2 March 2025, in its own voice, attributed to no one else">[1]</a>'
    ) in html
    assert 'id="ref-1"' in html
    assert '<a href="#cite-1-1" title="Back to citation 1, place 1">↑1</a>' in html


def test_entity_page_lists_aliases_for_search(mini_site):
    """Aliases are indexed with the record (Chinese ones also by suffix), never in its snippet."""
    page = pagefind_pages(mini_site)["/entities/acme/"]
    assert "Акме" in page["content"] and "阿克米" in page["content"] and " 克米 " in page["content"] + " "
    assert page["meta"]["title"] == "Acme Group" and page["filters"]["tag"] == ["chips"]
    summary = page["meta"]["summary"]
    assert summary and "Акме" not in summary and "[" not in summary and "Field" not in summary


def test_search_index_leaves_out_lists_of_records_and_keeps_records(mini_site):
    """Index pages, relationship lists and timelines only repeat what each record's own page says."""
    indexed = pagefind_pages(mini_site)
    # one search shipped: Pagefind's, not mkdocs-material's index, worker and lunr languages too
    assert not (mini_site / "search").exists() and not (mini_site / "assets" / "javascripts" / "lunr").exists()
    assert not list((mini_site / "assets" / "javascripts").glob("workers/search.*"))
    pages = {url.lstrip("/") for url in indexed}
    for listing in ("timeline/", "graph/", "entities/", "sources/", "types/company/"):
        assert listing not in pages, listing
    sections = {anchor["id"] for page in indexed.values() for anchor in page["anchors"]}
    for section in (
        "relationships",
        "declared-in-this-record",
        "declared-by-other-records",
        "timeline",
        "as-a-participant",
        "records-that-rest-on-this-source",
        "references",
        "mentioned-in",
        "dossier-how-to-cite",
    ):
        assert section not in sections, section
    assert {"entities/acme/", "events/2025-03-02-acme-report/", "sources/paper-2025/"} <= pages
    assert "description" in sections  # prose stays searchable
    acme = indexed["/entities/acme/"]
    assert "Mentioned in" not in acme["content"] and "[1]" not in acme["content"]
    assert acme["filters"]["kind"] == ["Entity"] and acme["filters"]["type"] == ["Company"]


def test_misspelt_reference_fails_build_with_file_line_and_suggestion(tmp_path):
    import shutil

    from conftest import MINI

    content = tmp_path / "content"
    shutil.copytree(MINI, content)
    write_record(
        content,
        "events",
        "2025-04-typo",
        "date: '2025-04'\ntitle: T\nsummary: About [[acmme]].\nsources: [paper-2025]\n",
    )
    result = mkdocs_build(make_project(tmp_path, content), tmp_path / "site")
    assert result.returncode == 1
    assert re.search(
        r"content/events/2025-04-typo\.yaml:3:16: error\[unknown-reference\]: summary: no record with "
        r"id 'acmme'\n\s+hint: did you mean 'acme'\?",
        result.stderr,
    ), result.stderr


def test_real_site_builds_strict_with_exactly_the_checks_warnings(real_build):
    """The shared real build ran ``make site``'s script; its log carries the records' warnings and nothing else."""
    assert warning_transcript(real_build.log) == dossier_warnings(ROOT / "content")
    assert "Documentation built in" in real_build.log
    entity_count = len(list((ROOT / "content" / "entities").glob("*.yaml")))
    assert len(list((real_build.site / "entities").glob("*/index.html"))) == entity_count


def test_the_warning_transcript_keeps_every_warning_and_error_and_nothing_else():
    log = (
        "Building prefix dict from the default dictionary ...\n"
        "INFO    -  content/events/e.yaml:1:1: warning[event-without-place]: event 'e' has no place\n"
        "    hint: add 'place:' if the source names one\n"
        "INFO    -  Cleaning site directory\n"
        "WARNING -  Doc file 'index.md' contains a link 'nowhere.md', but the target is not found.\n"
        "    not a hint: follows a MkDocs warning\n"
        "content/sources/s.yaml:3:7: error[unknown-reference]: summary: no record with id 'x'\n"
        "ERROR   -  Error reading page 'a.md'\n"
        "Traceback (most recent call last):\n"
        '  File "x.py", line 1\n'
        "INFO    -  Documentation built in 1.00 seconds\n"
    )
    assert warning_transcript(log) == [
        "content/events/e.yaml:1:1: warning[event-without-place]: event 'e' has no place",
        "    hint: add 'place:' if the source names one",
        "WARNING -  Doc file 'index.md' contains a link 'nowhere.md', but the target is not found.",
        "content/sources/s.yaml:3:7: error[unknown-reference]: summary: no record with id 'x'",
        "ERROR   -  Error reading page 'a.md'",
        "Traceback (most recent call last):",
    ]
    assert warning_transcript("INFO    -  Documentation built in 1.00 seconds\n") == []


def test_a_strict_build_with_an_unexpected_warning_fails_and_names_it(tmp_path, mini_content):
    """strict_build, which every shared build goes through, refuses a warning it was not told to expect."""
    write_record(
        mini_content,
        "events",
        "2025-05-nowhere",
        "date: '2025-05'\ntitle: T\nsummary: Again. [[paper-2025#rule-adopted-rescinded]]\n"
        "sources: [paper-2025#rule-adopted-rescinded]\n",
    )
    expected = dossier_warnings(mini_content)
    assert expected == [
        "content/events/2025-05-nowhere.yaml:1:1: warning[event-without-place]: event '2025-05-nowhere' has no place",
        "    hint: add 'place:' if the source names one",
    ]
    with pytest.raises(AssertionError) as refused:
        strict_build(tmp_path / "site", make_project(tmp_path, mini_content))
    assert str(refused.value).startswith("exit 0; warnings and errors:\n" + "\n".join(expected) + "\nexpected:\n\n")
    assert (tmp_path / "site" / "events" / "2025-05-nowhere" / "index.html").is_file()  # built, and still refused
