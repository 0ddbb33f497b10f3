"""The network graph as a reader meets it, in headless Chromium at a desktop and a phone width.

Same data, same picture (two loads give the same positions); labels at least MIN_LABEL_PX on
screen at the default zoom and never on top of each other; the page scrolls past the graph
until the reader engages it; dark mode; the evidence layer; the keyboard; the as-of view.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from reader_site import ROOT, Watched, browser_or_skip

BROWSER = browser_or_skip()

from playwright.sync_api import Page  # noqa: E402 - only once a browser is known

SCREENSHOTS = ROOT / "screenshots"
MIN_LABEL_PX = 12
WIDTHS = {"desktop": 1280, "phone": 390}
GRAPH_PAGES = {"whole": "graph/", "entity": "entities/alibaba/"}


def _graph_data(site: Path) -> dict:
    return json.loads((site / "data" / "graph.json").read_text(encoding="utf-8"))


def _drawn(page: Page):
    page.wait_for_selector(".dossier-graph[data-nodes-drawn]", state="attached", timeout=20000)
    return page.locator(".dossier-graph").first


def _positions(page: Page) -> dict:
    return page.evaluate("""() => {
        const cy = document.querySelector('.dossier-graph').dossierGraph, out = {};
        cy.nodes().forEach(n => { const p = n.position(); out[n.id()] = [Math.round(p.x * 10) / 10, Math.round(p.y * 10) / 10]; });
        return out; }""")


@pytest.mark.parametrize("which", list(GRAPH_PAGES))
def test_the_same_data_gives_the_same_picture_on_every_load(browser, real_server, which):
    seen = []
    for _ in range(2):
        watched = Watched(browser)
        try:
            watched.page.goto(real_server.url + GRAPH_PAGES[which])
            _drawn(watched.page)
            seen.append(_positions(watched.page))
            watched.check_clean()
        finally:
            watched.close()
    assert len(seen[0]) > 5
    assert seen[0] == seen[1]
    # and the positions are not all one point or one line: a real layout
    assert len({tuple(p) for p in seen[0].values()}) == len(seen[0])


@pytest.mark.parametrize("width_name", list(WIDTHS))
@pytest.mark.parametrize("which", list(GRAPH_PAGES))
def test_labels_are_readable_and_apart_at_the_default_zoom(browser, real_server, which, width_name):
    watched = Watched(browser, width=WIDTHS[width_name])
    try:
        page = watched.page
        page.goto(real_server.url + GRAPH_PAGES[which])
        container = _drawn(page)
        labels = page.evaluate("""() => {
            const cy = document.querySelector('.dossier-graph').dossierGraph;
            return cy.nodes('.labelled').map(n => ({ id: n.id(), px: parseFloat(n.style('font-size')) * cy.zoom(),
                box: n.renderedBoundingBox({ includeNodes: false, includeEdges: false, includeLabels: true }) })); }""")
        nodes = int(container.get_attribute("data-nodes-drawn"))
        assert len(labels) >= min(nodes, 6), f"only {len(labels)} of {nodes} nodes are labelled"
        small = [(label["id"], label["px"]) for label in labels if label["px"] < MIN_LABEL_PX - 0.01]
        assert not small, f"labels under {MIN_LABEL_PX} px: {small}"
        overlapping = []
        for i, a in enumerate(labels):
            for b in labels[i + 1 :]:
                x = min(a["box"]["x2"], b["box"]["x2"]) - max(a["box"]["x1"], b["box"]["x1"])
                y = min(a["box"]["y2"], b["box"]["y2"]) - max(a["box"]["y1"], b["box"]["y1"])
                if x > 1 and y > 1:
                    overlapping.append((a["id"], b["id"]))
        assert not overlapping, f"labels drawn on top of each other: {overlapping}"
        if which == "whole":  # the most connected entity is labelled
            graph = page.evaluate(
                "document.querySelector('.dossier-graph').dossierGraph.nodes()"
                ".sort((a, b) => b.data('weight') - a.data('weight') || (a.id() < b.id() ? -1 : 1))"
                ".map(n => n.id())"
            )
            assert graph[0] in {label["id"] for label in labels}
        else:
            assert "alibaba" in {label["id"] for label in labels}
        page.locator(".dossier-graph").scroll_into_view_if_needed()
        page.screenshot(path=str(SCREENSHOTS / f"graph-{which}-{WIDTHS[width_name]}.png"))
        watched.check_clean()
    finally:
        watched.close()


SCROLL_TO_CANVAS = (
    "window.scrollTo({top: document.querySelector('.dossier-graph__canvas').getBoundingClientRect().top"
    " + window.scrollY - 150, behavior: 'instant'})"
)


def _settle_scroll(page: Page) -> None:
    """Wait until a (smooth) scroll has stopped: the same scrollY over 200 ms."""
    last = None
    for _ in range(30):
        now = page.evaluate("window.scrollY")
        if now == last:
            return
        last = now
        page.wait_for_timeout(200)


@pytest.mark.parametrize("width_name", list(WIDTHS))
def test_the_wheel_scrolls_the_page_until_the_reader_engages_the_graph(browser, real_server, width_name):
    watched = Watched(browser, width=WIDTHS[width_name], height=700)
    try:
        page = watched.page
        page.goto(real_server.url + "entities/alibaba/")
        _drawn(page)
        canvas = page.locator(".dossier-graph__canvas")
        page.evaluate(SCROLL_TO_CANVAS)
        box = canvas.bounding_box()
        zoom = page.evaluate("document.querySelector('.dossier-graph').dossierGraph.zoom()")
        before = page.evaluate("window.scrollY")
        page.mouse.move(box["x"] + box["width"] / 2, box["y"] + min(box["height"] / 2, 200))
        page.mouse.wheel(0, 300)
        page.wait_for_function(f"window.scrollY > {before}", timeout=5000)
        _settle_scroll(page)
        assert page.evaluate("document.querySelector('.dossier-graph').dossierGraph.zoom()") == zoom

        # Ctrl + wheel zooms at once, without engaging
        page.evaluate(SCROLL_TO_CANVAS)
        box = canvas.bounding_box()
        page.mouse.move(box["x"] + box["width"] / 2, box["y"] + min(box["height"] / 2, 200))
        page.keyboard.down("Control")
        page.mouse.wheel(0, -200)
        page.keyboard.up("Control")
        page.wait_for_function(f"document.querySelector('.dossier-graph').dossierGraph.zoom() > {zoom}", timeout=5000)

        # a click on the graph's background engages it: now the wheel zooms and the page stays
        page.mouse.click(box["x"] + 3, box["y"] + 3)
        assert page.locator(".dossier-graph").get_attribute("data-engaged") == "true"
        page.wait_for_timeout(400)  # Cytoscape ignores the wheel for 250 ms after the page last scrolled
        zoom = page.evaluate("document.querySelector('.dossier-graph').dossierGraph.zoom()")
        scrolled = page.evaluate("window.scrollY")
        page.mouse.move(box["x"] + box["width"] / 2, box["y"] + min(box["height"] / 2, 200))
        page.mouse.wheel(0, -300)
        page.wait_for_function(f"document.querySelector('.dossier-graph').dossierGraph.zoom() != {zoom}", timeout=5000)
        page.wait_for_timeout(300)
        assert page.evaluate("window.scrollY") == scrolled

        page.keyboard.press("Escape")
        assert page.locator(".dossier-graph").get_attribute("data-engaged") == "false"
        watched.check_clean()
    finally:
        watched.close()


def test_the_graph_follows_the_dark_colour_scheme(watched, real_server):
    page = watched.page
    page.goto(real_server.url + "graph/")
    _drawn(page)

    def colours():
        return page.evaluate("""() => {
            const c = document.querySelector('.dossier-graph'), cy = c.dossierGraph;
            const label = cy.nodes('.labelled').first().style('color');
            return { canvas: getComputedStyle(c.querySelector('.dossier-graph__canvas')).backgroundColor, label }; }""")

    def brightness(css: str) -> float:
        numbers = [float(part) for part in css[css.index("(") + 1 : css.index(")")].replace(",", " ").split()[:3]]
        return sum(numbers) / 3

    light = colours()
    page.evaluate("document.body.setAttribute('data-md-color-scheme', 'slate')")
    page.wait_for_function(
        "getComputedStyle(document.querySelector('.dossier-graph__canvas')).backgroundColor"
        f" !== {json.dumps(light['canvas'])}"
    )
    page.wait_for_timeout(100)
    dark = colours()
    assert brightness(light["canvas"]) > 200 and brightness(dark["canvas"]) < 80, (light, dark)
    assert brightness(light["label"]) < 100 and brightness(dark["label"]) > 150, (light, dark)
    page.locator(".dossier-graph").scroll_into_view_if_needed()
    page.screenshot(path=str(SCREENSHOTS / "graph-dark-1280.png"))
    watched.check_clean()


def test_the_evidence_layer_adds_the_sources_and_who_relays_whom(watched, real_server, real_site):
    graph = _graph_data(real_site)
    relays = {(source["id"], relayed) for source in graph["sources"] for relayed in source["relays"]}
    cited = {source["id"] for source in graph["sources"] if source["cited_by"]}
    assert relays and cited
    page = watched.page
    page.goto(real_server.url + "graph/")
    container = _drawn(page)
    assert container.get_attribute("data-sources-drawn") == "0"
    page.locator(".dossier-graph input[name=evidence]").check()
    page.wait_for_function("document.querySelector('.dossier-graph').dataset.sourcesDrawn !== '0'")
    drawn = page.evaluate("""() => { const cy = document.querySelector('.dossier-graph').dossierGraph;
        return { sources: cy.nodes('.source').map(n => n.id().slice(7)),
                 relays: cy.edges('.relay').map(e => [e.source().id().slice(7), e.target().id().slice(7)]) }; }""")
    assert cited <= set(drawn["sources"])
    assert {tuple(pair) for pair in drawn["relays"]} == relays
    assert "evidence=1" in page.url
    page.screenshot(path=str(SCREENSHOTS / "graph-evidence-1280.png"))
    watched.check_clean()


def test_the_keyboard_reaches_and_opens_entities(watched, real_server):
    page = watched.page
    page.goto(real_server.url + "entities/alibaba/")
    _drawn(page)
    canvas = page.locator(".dossier-graph__canvas")
    assert canvas.get_attribute("tabindex") == "0"
    summary = page.locator(".dossier-graph__summary")
    assert "Alibaba has" in summary.inner_text() and "AliExpress" in summary.inner_text()
    described = canvas.get_attribute("aria-describedby").split()
    assert summary.get_attribute("id") in described
    canvas.focus()
    page.keyboard.press("ArrowRight")  # the entity in focus comes first
    assert page.locator(".dossier-graph__announce").inner_text().startswith("Alibaba, company")
    page.keyboard.press("ArrowRight")
    second = page.evaluate("document.querySelector('.dossier-graph').dossierGraph.nodes('.picked').id()")
    assert second != "alibaba"
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.rstrip("/").endswith("/entities/" + second)
    watched.check_clean()


def test_the_graph_as_of_a_month_keeps_only_what_held_then(watched, asof_server, asof_site):
    graph = _graph_data(asof_site)
    dated = {(edge["source"], edge["target"]): (edge["since"], edge["until"]) for edge in graph["edges"]}
    assert dated[("acme", "widget-x")] == ("2024", None) and dated[("acme", "exampleland")] == ("2025-06", None)
    page = watched.page
    page.goto(asof_server.url + "graph/?asof=2025-04")
    container = _drawn(page)
    assert container.get_attribute("data-asof") == "2025-04"

    def drawn_edges():
        return {
            tuple(pair)
            for pair in page.evaluate(
                "document.querySelector('.dossier-graph').dossierGraph.edges().map(e => [e.source().id(), e.target().id()])"
            )
        }

    def greyed():
        return set(
            page.evaluate("document.querySelector('.dossier-graph').dossierGraph.nodes('.inactive').map(n => n.id())")
        )

    all_edges = {(edge["source"], edge["target"]) for edge in graph["edges"]}
    assert drawn_edges() == all_edges - {("acme", "exampleland")}  # not yet in April 2025
    assert greyed() == set()  # the Export Rule is in force (effective since March)
    assert "Export Rule" in page.locator(".dossier-graph__summary").inner_text()
    field = page.locator(".dossier-graph input[name=asof]")
    assert field.input_value() == "2025-04"

    field.fill("2025-06")
    page.wait_for_function("document.querySelector('.dossier-graph').dataset.asof === '2025-06'")
    assert "asof=2025-06" in page.url
    assert drawn_edges() == all_edges
    assert greyed() == {"export-rule"}  # rescinded in May

    field.fill("2025-02")
    page.wait_for_function("document.querySelector('.dossier-graph').dataset.asof === '2025-02'")
    assert greyed() == {"export-rule"}  # adopted, not yet effective

    field.fill("")
    page.wait_for_function("document.querySelector('.dossier-graph').dataset.asof === ''")
    assert drawn_edges() == all_edges and greyed() == set()
    assert "asof" not in page.url
    watched.check_clean()


@pytest.fixture
def watched(browser):
    watched = Watched(browser)
    yield watched
    watched.close()


@pytest.fixture(scope="module", autouse=True)
def _screenshot_folder():
    SCREENSHOTS.mkdir(exist_ok=True)
