"""Citations as a reader uses them, in headless Chromium: the hover text, the jump to the reference
and the jump back, on the mini dossier (its paper has excerpts with a voice chain)."""

from __future__ import annotations

import pytest
from reader_site import LoopbackServer, browser_or_skip

BROWSER = browser_or_skip()

from playwright.sync_api import expect  # noqa: E402 - only once a browser is known


@pytest.fixture(scope="module")
def mini_server(mini_site):
    """The session's shared build of the mini dossier (conftest.py), served."""
    with LoopbackServer(mini_site) as server:
        yield server


# browser is the session fixture of conftest.py (BROWSER.launch_options()), shared by every browser test:
# Playwright's sync API allows one running instance per process.


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    yield context.new_page()
    context.close()


def _mark_for(page, quote_words: str, place: int):
    """The citation mark whose hover text quotes ``quote_words``, at its ``place``-th use on the page."""
    marks = page.locator(".dossier-cite a[href^='#ref-']")
    found = [marks.nth(i) for i in range(marks.count()) if quote_words in (marks.nth(i).get_attribute("title") or "")]
    return found[place - 1]


def test_hovering_a_citation_shows_quote_and_voice_chain(page, mini_server):
    page.goto(mini_server.url + "entities/acme/")
    mark = _mark_for(page, "is growing", 1)
    mark.hover()
    tooltip = page.locator(".md-tooltip2--active")
    expect(tooltip).to_be_visible(timeout=5000)
    expect(tooltip).to_contain_text("“Acme Group, the maker of the Widget X chip line, is growing")
    expect(tooltip).to_contain_text("Daily Paper, 2 March 2025, citing two people familiar with the matter")


def test_following_a_citation_highlights_its_reference_and_the_way_back(page, mini_server):
    page.goto(mini_server.url + "entities/acme/")
    mark = _mark_for(page, "is growing", 2)  # the second place that cites the passage
    mark_id = mark.get_attribute("id")
    number = mark_id.split("-")[1]
    mark.click()
    assert page.url.endswith(f"#ref-{number}")
    reference = page.locator(f"li:has(#ref-{number})")
    expect(reference).to_contain_text("Acme Group, the maker of the Widget X chip line, is growing")
    expect(reference).to_contain_text("Voice: Daily Paper, 2 March 2025, citing two people familiar with the matter")
    assert reference.evaluate("el => getComputedStyle(el).outlineStyle") == "solid"  # :target highlight
    back = reference.locator(f"a[href='#{mark_id}']")
    expect(back).to_have_class("dossier-ref__back--from")  # the place the reader came from
    expect(reference.locator(".dossier-ref__back--from")).to_have_count(1)
    back.click()
    assert page.url.endswith(f"#{mark_id}")
    assert page.locator(f"#{mark_id}").evaluate("el => getComputedStyle(el).outlineStyle") == "solid"
    box = page.locator(f"#{mark_id}").bounding_box()
    assert 0 <= box["y"] <= 900  # back in view


def test_reference_list_carries_the_hover_text_without_javascript(browser, mini_server):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(mini_server.url + "entities/acme/")
    references = page.locator("ol:has(.dossier-ref)")
    expect(references).to_contain_text("Acme Group, the maker of the Widget X chip line, is growing")
    expect(references).to_contain_text("citing two people familiar with the matter")
    assert page.locator(".dossier-ref__back a").count() >= 4
    context.close()
