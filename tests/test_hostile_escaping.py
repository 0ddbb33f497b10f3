"""Escaping suite: a dossier whose every text field is hostile builds into a site where no
record text became a live element, attribute, event handler, javascript: URL or style,
and where the payloads are still visible as text.

The site is built once per session with ``mkdocs build --strict`` into a temporary folder,
then every HTML file, the search index (and the search box in Chromium), the sitemap, the feed and the exports are parsed.
"""

from __future__ import annotations

import csv
import gzip
import json
from pathlib import Path

import lxml.etree
import lxml.html
import pytest
from conftest import dossier_warnings, pagefind_pages, strict_build
from hostile_dossier import MARK, make_hostile_project

ROOT = Path(__file__).resolve().parent.parent
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "data", "poster", "background", "srcdoc"}
JSON_SCRIPT_TYPES = {"application/json", "application/ld+json"}
#: Elements no record text may ever create; the theme uses none of them.
FORBIDDEN_TAGS = {"iframe", "object", "embed", "base", "frame", "frameset", "applet"}
VISIBLE_PAYLOADS = (
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    '{: onclick="x"}',
    "[x](javascript:alert(1))",
    "| a | b |",
    "{{ 7*7 }}",
    "{% raw %}",
    "`tick`",
)


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory) -> Path:
    project = make_hostile_project(tmp_path_factory.mktemp("hostile"))
    return strict_build(project / "site", project / "mkdocs.yml", expected=dossier_warnings(project / "content")).site


def live_markup_problems(tree, where: str) -> list[str]:
    """Everything in a parsed HTML tree that would run or restyle: named, for the failure message."""
    problems = []
    for element in tree.iter():
        if not isinstance(element.tag, str):
            continue
        tag = element.tag.lower()
        text = element.text or ""
        if tag in FORBIDDEN_TAGS:
            problems.append(f"{where}: <{tag}> element")
        if tag == "script":
            if (element.get("type") or "").lower() in JSON_SCRIPT_TYPES:
                try:
                    json.loads(text)
                except ValueError:
                    problems.append(f"{where}: a JSON <script> block was broken open")
            elif "alert(" in text or MARK in text:
                problems.append(f"{where}: live <script> with record text: {text[:60]!r}")
        if tag == "style" and ("color:red" in text or MARK in text):
            problems.append(f"{where}: live <style> with record text")
        if tag == "img" and element.get("src") == "x":
            problems.append(f"{where}: <img src=x> from record text")
        if tag == "div" and (element.text or "").strip() == "div":
            problems.append(f"{where}: <div> from record text")
        for name, value in element.attrib.items():
            lowered = name.lower()
            if lowered.startswith("on"):
                problems.append(f"{where}: event handler {name}={value!r} on <{tag}>")
            if lowered == "style" and ("color" in value and "red" in value or MARK in value):
                problems.append(f"{where}: style attribute from record text on <{tag}>")
            if lowered in URL_ATTRIBUTES:
                scheme = "".join(value.split()).lower()
                if scheme.startswith(("javascript:", "vbscript:", "data:text/html")):
                    problems.append(f"{where}: {name}={value!r} on <{tag}>")
    return problems


def visible_text(tree) -> str:
    for hidden in tree.xpath("//script|//style"):
        hidden.drop_tree()
    return " ".join(tree.text_content().split())


def html_files(site: Path) -> list[Path]:
    return sorted(site.rglob("*.html"))


def test_no_record_text_becomes_live_html_in_any_page(hostile_site):
    problems = []
    for page in html_files(hostile_site):
        tree = lxml.html.fromstring(page.read_bytes())
        problems += live_markup_problems(tree, page.relative_to(hostile_site).as_posix())
    assert problems == []


def test_every_record_page_carries_the_payloads_as_visible_text(hostile_site):
    for relative in (
        "entities/alpha/index.html",
        "entities/beta/index.html",
        "events/ev-one/index.html",
        "sources/src-one/index.html",
        "about/index.html",
        "index.html",
    ):
        text = visible_text(lxml.html.fromstring((hostile_site / relative).read_bytes()))
        assert MARK in text, relative
        for payload in VISIBLE_PAYLOADS:
            assert payload in text, f"{relative}: {payload!r} is not visible as text"


def test_each_field_reaches_its_page_as_text(hostile_site):
    alpha = visible_text(lxml.html.fromstring((hostile_site / "entities/alpha/index.html").read_bytes()))
    for label in ("name", "alias", "summary", "description", "fact", "relnote"):
        assert MARK + label in alpha, label
    beta = visible_text(lxml.html.fromstring((hostile_site / "entities/beta/index.html").read_bytes()))
    assert MARK + "lifecycle" in beta and MARK + "enacted" in beta
    event = visible_text(lxml.html.fromstring((hostile_site / "events/ev-one/index.html").read_bytes()))
    for label in ("eventtitle", "eventsummary", "eventdescription", "role"):
        assert MARK + label in event, label
    source = visible_text(lxml.html.fromstring((hostile_site / "sources/src-one/index.html").read_bytes()))
    for label in ("sourcetitle", "sourcetitleen", "sourcenote"):
        assert MARK + label in source, label


def test_titles_and_navigation_stay_text(hostile_site):
    for page in html_files(hostile_site):
        tree = lxml.html.fromstring(page.read_bytes())
        for title in tree.xpath("//title"):
            assert len(title) == 0, page
            assert "<script" not in (title.text or "").lower(), f"{page}: {title.text!r}"
    about = lxml.html.fromstring((hostile_site / "about/index.html").read_bytes())
    nav_links = about.xpath("//nav//a")
    assert any(MARK + "abouttitle" in link.text_content() for link in nav_links)


def test_record_text_never_breaks_a_table_or_adds_a_heading(hostile_site):
    for relative in (
        "entities/alpha/index.html",
        "entities/beta/index.html",
        "events/ev-one/index.html",
        "sources/src-one/index.html",
        "types/company/index.html",
        "sources/index.html",
    ):
        tree = lxml.html.fromstring((hostile_site / relative).read_bytes())
        article = tree.xpath("//article")[0]
        assert len(article.xpath(".//h1")) == 1, relative
        for table in article.xpath(".//table"):
            widths = {len(row.xpath("./th|./td")) for row in table.xpath(".//tr")}
            assert len(widths) == 1, f"{relative}: rows of {widths} cells"
        assert not article.xpath(".//pre|.//code[contains(., 'indented code')]"), relative


def test_only_http_links_leave_the_site(hostile_site):
    for page in html_files(hostile_site):
        tree = lxml.html.fromstring(page.read_bytes())
        for link in tree.xpath("//a[@href]"):
            href = link.get("href").strip().lower()
            if ":" in href.split("/")[0] and not href.startswith("#"):
                assert href.startswith(("http://", "https://", "mailto:")), f"{page}: {href}"


def test_search_index_holds_the_payloads_as_plain_text(hostile_site):
    """Pagefind stores text, never markup; the summary it shows is the record's text, payloads and all."""
    pages = pagefind_pages(hostile_site)
    alpha = pages["/entities/alpha/"]
    assert MARK in alpha["content"] and alpha["meta"]["summary"].startswith(f"{MARK}summary")
    for payload in ("<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "| a | b |"):
        assert payload in alpha["meta"]["summary"], payload
    assert "[1]" not in alpha["meta"]["summary"]


def test_search_box_shows_payloads_as_text_and_runs_none(hostile_site, browser):
    """Typed into the header's search box, a hostile record's title and summary come out as text."""
    from reader_site import LoopbackServer, search

    with LoopbackServer(hostile_site) as server:
        page = browser.new_page()
        try:
            dialogs = []
            page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
            page.goto(server.url)
            assert search(page, f"{MARK}summary"), "the hostile record is not found"
            results = page.locator("[data-dossier-search=list]")
            text = results.inner_text()
            assert "<script>alert(1)</script>" in text and "<img src=x onerror=alert(1)>" in text
            injected = page.evaluate(
                "document.querySelectorAll('[data-dossier-search=list] :is(script, img, style, "
                "iframe, [onerror], [onclick], [onmouseover])').length"
            )
            assert injected == 0 and dialogs == []
        finally:
            page.close()


def test_sitemap_and_feed_are_well_formed_and_hold_no_live_markup(hostile_site):
    lxml.etree.fromstring((hostile_site / "sitemap.xml").read_bytes())
    lxml.etree.fromstring(gzip.decompress((hostile_site / "sitemap.xml.gz").read_bytes()))
    problems = []
    for feed in sorted(hostile_site.rglob("*.xml")):
        tree = lxml.etree.fromstring(feed.read_bytes())
        for element in tree.iter():
            if not isinstance(element.tag, str):
                continue
            for name in element.attrib:
                assert not name.lower().startswith("on"), feed
            if element.text and element.get("type") in ("html", "xhtml"):
                fragment = lxml.html.fragment_fromstring(element.text, create_parent="div")
                problems += live_markup_problems(fragment, f"{feed.name} <{element.tag}>")
    assert problems == []


def test_exports_parse_and_keep_payloads_as_data(hostile_site):
    for export in sorted(hostile_site.rglob("*.json")):
        text = export.read_text(encoding="utf-8")
        if export.name.endswith(".ftm.json"):  # FollowTheMoney: one JSON object a line
            for line in text.splitlines():
                json.loads(line)
        else:
            json.loads(text)
    for export in sorted(hostile_site.rglob("*.csv")):
        with export.open(encoding="utf-8", newline="") as handle:
            rows = list(csv.reader(handle))
        widths = {len(row) for row in rows}
        assert len(widths) <= 1, f"{export.name}: rows of {widths} cells"


def test_typed_entities_stay_typed_text_everywhere(hostile_site):
    page = lxml.html.fromstring((hostile_site / "entities/delta/index.html").read_bytes())
    assert "&lt;script&gt;alert(5)&lt;/script&gt;" in visible_text(page)
    title = page.xpath("//title")[0].text
    assert title.startswith("&lt;script&gt;alert(5)&lt;/script&gt;") and len(page.xpath("//title")[0]) == 0


def test_safe_markdown_subset_survives_in_long_fields(hostile_site):
    article = lxml.html.fromstring((hostile_site / "entities/gamma/index.html").read_bytes()).xpath("//article")[0]
    assert "emphasis" in [e.text for e in article.xpath(".//em")]
    assert "strong" in [e.text for e in article.xpath(".//strong")]
    assert [li.text_content().strip() for li in article.xpath(".//ul/li")][:2] == ["first item", "second item"]
    assert article.xpath(".//ol/li")
