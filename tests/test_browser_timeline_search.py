"""The timeline and search as a reader meets them, in headless Chromium.

Each event shows its summary and its sources; approximate dates look different from exact ones;
a filter that empties a year hides its heading and its entry in the table of contents; the as-of
view lists what held in a month and keeps the month in the address; search snippets are the
record's summary in plain words, without table debris or citation markers.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from conftest import pagefind_pages
from reader_site import ROOT, Watched, browser_or_skip, search

BROWSER = browser_or_skip()

from playwright.sync_api import Page, expect  # noqa: E402 - only once a browser is known

SCREENSHOTS = ROOT / "screenshots"
MARKER_RE = re.compile(r"\[\d+\]")


@pytest.fixture
def watched(browser):
    watched = Watched(browser)
    yield watched
    watched.close()


def test_timeline_entries_show_summary_sources_and_how_exact_the_date_is(watched, real_server):
    page = watched.page
    page.goto(real_server.url + "timeline/")
    item = page.locator("li[data-date='2025-11-27']").first
    text = item.inner_text()
    assert "Reported by" in text
    assert item.locator("small a[href*='/sources/']").count() >= 1
    approx = page.locator("li[data-date] .dossier-date--approx")
    exact = page.locator("li[data-date] .dossier-date:not(.dossier-date--approx)")
    assert approx.count() > 0 and exact.count() > 0
    assert approx.first.evaluate("e => getComputedStyle(e).fontStyle") == "italic"
    assert exact.first.evaluate("e => getComputedStyle(e).fontStyle") == "normal"
    # every entry carries a summary sentence after its title link
    for i in range(page.locator("li[data-date]").count()):
        entry = page.locator("li[data-date]").nth(i)
        title = entry.locator("> a").first.inner_text()
        assert len(entry.inner_text().split("\n")[0]) > len(title) + 30, entry.inner_text()
    watched.check_clean()


def test_a_filter_that_empties_a_year_hides_its_heading_and_contents_entry(watched, real_server):
    page = watched.page
    page.goto(real_server.url + "timeline/?from=2025-01")
    page.wait_for_function("document.querySelector('#timeline-filters output').value !== ''")
    heading = page.locator("h2#\\32 023, h2[id='2023']").first
    expect(heading).to_be_hidden()
    toc_entry = page.locator(".md-nav--secondary a[href='#2023']")
    assert toc_entry.count() > 0
    for i in range(toc_entry.count()):
        assert toc_entry.nth(i).evaluate("a => a.closest('li').hidden")
    expect(page.locator("h2[id='2025']")).to_be_visible()
    page.locator("#timeline-filters button[type=reset]").click()
    expect(heading).to_be_visible()
    assert not toc_entry.first.evaluate("a => a.closest('li').hidden")
    watched.check_clean()


def test_month_fields_show_a_readable_placeholder_and_ignore_half_typed_months(watched, real_server):
    page = watched.page
    page.goto(real_server.url + "timeline/")
    field = page.locator("#timeline-filters input[name=from]")
    assert re.fullmatch(r"\d{4}-\d{2}", field.get_attribute("placeholder"))
    assert "YYYY-MM" in page.locator("#timeline-filters label:has(input[name=from])").inner_text()
    total = page.locator("li[data-date]").count()
    field.fill("2025-1")  # not yet a month: nothing is filtered, the field says it is incomplete
    assert page.locator("li[data-date]:not([hidden])").count() == total
    assert field.get_attribute("aria-invalid") == "true"
    field.fill("2025-10")
    assert field.get_attribute("aria-invalid") == "false"
    assert 0 < page.locator("li[data-date]:not([hidden])").count() < total
    watched.check_clean()


def test_the_as_of_view_lists_what_held_then_and_keeps_the_month_in_the_address(watched, asof_server):
    page = watched.page
    page.goto(asof_server.url + "timeline/?asof=2025-04")
    panel = page.locator("#timeline-asof")
    expect(panel).to_be_visible()
    expect(panel.locator("h2")).to_have_text("As of April 2025")
    rule = panel.locator("li[data-rule='export-rule']")
    assert rule.get_attribute("data-in-force") == "true"
    assert "effective since March 2025" in rule.inner_text()
    held = [
        panel.locator("li[data-relationship]").nth(i).get_attribute("data-relationship")
        for i in range(panel.locator("li[data-relationship]").count())
    ]
    assert held == ["acme develops widget-x"]  # located in Exampleland only from June 2025
    dates = [
        page.locator("li[data-date]:not([hidden])").nth(i).get_attribute("data-date")
        for i in range(page.locator("li[data-date]:not([hidden])").count())
    ]
    assert dates and all(date[:7] <= "2025-04" for date in dates)
    assert (
        panel.locator("a", has_text="See the network as of April 2025")
        .get_attribute("href")
        .endswith("graph/?asof=2025-04")
    )

    field = page.locator("#timeline-filters input[name=asof]")
    field.fill("2025-06")
    expect(panel.locator("h2")).to_have_text("As of June 2025")
    assert "asof=2025-06" in page.url
    assert rule.get_attribute("data-in-force") == "false"
    assert panel.locator("li[data-relationship]").count() == 2
    page.goto(page.url)  # a shared link opens the same view
    expect(page.locator("#timeline-asof h2")).to_have_text("As of June 2025")
    assert page.locator("#timeline-filters input[name=asof]").input_value() == "2025-06"
    page.locator("#timeline-filters button[type=reset]").click()
    expect(panel).to_be_hidden()
    assert "asof" not in page.url
    watched.check_clean()


def _search(page: Page, query: str) -> list[dict]:
    """Type a query into the header's search box (Pagefind); the results (href, title, snippet), best first."""
    return [
        {
            "href": urlsplit(link.get_attribute("href")).path,
            "title": link.locator("article > h1").inner_text(),
            "snippet": link.locator(".dossier-search__snippet").inner_text(),
        }
        for link in search(page, query)
    ]


@pytest.mark.parametrize(
    "query, record", [("Alibaba", "entities/alibaba/"), ("Qwen", "entities/qwen/"), ("Алибаба", "entities/alibaba/")]
)
def test_search_snippets_are_the_summary_without_table_debris_or_markers(watched, real_server, query, record):
    page = watched.page
    page.goto(real_server.url)
    results = _search(page, query)
    hit = next(result for result in results if result["href"].endswith("/" + record))
    snippet = hit["snippet"]
    assert not MARKER_RE.search(snippet), snippet
    for debris in ("Field", "Value", "Type Company", "Also known as", "阿里巴巴 (zh)"):
        assert debris not in snippet, snippet
    # the record's summary, whether a name or an alias found it (aliases are indexed, never shown)
    expected_start = {
        "Alibaba": "Chinese internet giant",
        "Qwen": "Large language model",
        "Алибаба": "Chinese internet",
    }
    assert snippet.startswith(expected_start[query]), snippet
    for result in results:
        assert not MARKER_RE.search(result["snippet"]), result
    if query in hit["title"]:  # the query's words are marked where they show (an alias is never shown)
        assert page.locator("[data-dossier-search='list'] mark").count() > 0
    page.screenshot(path=str(SCREENSHOTS / f"search-{record.split('/')[1]}.png"))
    watched.check_clean()


def test_a_record_holding_both_words_ranks_above_records_holding_one(watched, real_server, real_site):
    # what search sees of each page: the text Pagefind indexed (page text, aliases, title)
    words_of = {
        url: (page["content"] + " " + page["meta"].get("title", "")).lower()
        for url, page in pagefind_pages(real_site).items()
    }
    assert any("bytedance" in text and "h20" not in text for text in words_of.values())  # records named by one
    page = watched.page
    page.goto(real_server.url)
    hrefs = [result["href"] for result in _search(page, "ByteDance H20")]
    holds = [("bytedance" in words_of[href]) + ("h20" in words_of[href]) for href in hrefs]
    # Pagefind lists only records holding every word of a query: those holding one never outrank them
    assert holds and set(holds) == {2}, list(zip(hrefs, holds))
    assert "/entities/china/" in hrefs[:3], hrefs[:6]  # its summary names both
    watched.check_clean()


@pytest.fixture(scope="module", autouse=True)
def _screenshot_folder():
    SCREENSHOTS.mkdir(exist_ok=True)
