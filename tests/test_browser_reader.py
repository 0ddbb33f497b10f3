"""The built site in headless Chromium: search in three scripts, timeline filters, the network graph.

The real site and a generated 300-record dossier are built into temporary folders and served
on 127.0.0.1; every request the browser makes is recorded (and any leaving 127.0.0.1 is
refused and fails the test), and so is every console error.  Screenshots go to screenshots/.
"""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import pytest
from conftest import MERGER_TYPE_PLURALS, load_synth
from reader_site import ROOT, LoopbackServer, Watched, browser_or_skip, build_site, expect_search_answered, search

BROWSER = browser_or_skip()

from playwright.sync_api import Page, expect  # noqa: E402 - only once a browser is known

SCREENSHOTS = ROOT / "screenshots"
# real_site, real_server and browser are session fixtures in conftest.py, shared by every browser test.


#: Records of the synthetic dossier whose whole graph must be capped: enough for more entities than
#: the whole-dossier graph draws (180 against 150), as 1,000 records would be, at a third of the build.
LARGE_RECORDS = 300


@pytest.fixture(scope="session")
def large_site(tmp_path_factory) -> Path:
    work = tmp_path_factory.mktemp("large")
    load_synth().write_dossier(LARGE_RECORDS, work / "content")
    return build_site(work / "site", work / "content", work)


@pytest.fixture
def watched(browser):
    watched = Watched(browser)
    yield watched
    watched.close()


def _graph_data(site: Path) -> dict:
    return json.loads((site / "data" / "graph.json").read_text(encoding="utf-8"))


def _wait_for_graph(page: Page, selector: str = ".dossier-graph[data-nodes-drawn]"):
    page.wait_for_selector(selector, state="attached", timeout=20000)
    return page.locator(selector).first


def _search(page: Page, query: str) -> list[str]:
    """Type a query into the header's search box (Pagefind); the result links, best first."""
    return [link.get_attribute("href") for link in search(page, query)]


@pytest.mark.parametrize("query", ["Алибаба", "阿里巴巴", "Ханчжоу", "深度求索"])
def test_alias_search_in_russian_and_chinese_finds_the_entity(watched, real_server, query):
    expected = {
        "Алибаба": "entities/alibaba/",
        "阿里巴巴": "entities/alibaba/",
        "Ханчжоу": "entities/hangzhou/",
        "深度求索": "entities/deepseek/",
    }[query]
    watched.page.goto(real_server.url)
    hrefs = _search(watched.page, query)
    assert hrefs, f"no result for {query}"
    assert urlsplit(hrefs[0]).path.endswith("/" + expected), (query, hrefs[:5])
    watched.check_clean()


def test_part_of_a_chinese_name_finds_the_entity(watched, real_server, real_site):
    """ "求索" is the end of 深度求索 (DeepSeek): Chinese aliases are indexed by suffix as well."""
    watched.page.goto(real_server.url)
    hrefs = _search(watched.page, "求索")
    assert urlsplit(hrefs[0]).path.endswith("/entities/deepseek/"), hrefs[:5]
    watched.check_clean()


def test_entity_title_ranks_above_passing_mentions(watched, real_server):
    watched.page.goto(real_server.url)
    hrefs = _search(watched.page, "Alibaba")
    assert urlsplit(hrefs[0]).path.endswith("/entities/alibaba/"), hrefs[:5]
    assert len(hrefs) > 3, "the English name should also match passing mentions, ranked lower"
    watched.check_clean()


def test_search_filters_by_kind_type_tag_and_year(watched, real_server, real_site):
    page = watched.page
    page.goto(real_server.url)
    everything = _search(page, "Alibaba")
    filters = page.locator("[data-dossier-search='filters']")
    expect(filters).to_be_visible()  # once no query is loading
    expect(filters.locator("select")).to_have_count(4)
    for name in ("kind", "type", "tag", "year"):
        assert filters.locator(f"select[name={name}] option").count() > 1, name

    def narrowed_to(name: str, value: str) -> list[str]:
        filters.locator(f"select[name={name}]").select_option(value)
        expect_search_answered(page, urlencode({"q": "Alibaba", name: value}))
        results = page.locator("[data-dossier-search='list'] .md-search-result__item > a")
        return [results.nth(i).get_attribute("href") for i in range(results.count())]

    events = narrowed_to("kind", "Event")
    assert events and len(events) < len(everything)
    assert all("/events/" in urlsplit(href).path for href in events), events
    filters.locator("select[name=kind]").select_option("")
    companies = narrowed_to("type", "Company")
    assert (
        all("/entities/" in urlsplit(href).path for href in companies)
        and "/entities/alibaba/" in urlsplit(companies[0]).path
    )
    filters.locator("select[name=type]").select_option("")
    cloud = narrowed_to("tag", "cloud")
    for href in cloud:
        path = urlsplit(href).path.removeprefix("/")
        assert "cloud" in (real_site / path / "index.html").read_text(encoding="utf-8"), href
    filters.locator("select[name=tag]").select_option("")
    year = narrowed_to("year", "2025")
    assert year and all("/entities/" not in urlsplit(href).path for href in year), year
    watched.check_clean()


def test_timeline_filter_narrows_the_list_and_the_url_keeps_it(watched, real_server, real_site):
    page = watched.page
    page.goto(real_server.url + "timeline/")
    items = page.locator("li[data-date]")
    total = items.count()
    assert total > 3
    form = page.locator("#timeline-filters")
    expect(form).to_be_visible()
    page.screenshot(path=str(SCREENSHOTS / "timeline.png"), full_page=True)
    participant = "alibaba"
    expected = sum(
        1 for i in range(total) if participant in (items.nth(i).get_attribute("data-participants") or "").split()
    )
    assert 0 < expected < total
    form.locator("select[name=participant]").select_option(participant)
    expect(page.locator("li[data-date]:not([hidden])")).to_have_count(expected)
    assert "participant=alibaba" in page.url
    filtered_url = page.url

    page.goto(filtered_url)  # a shared link opens with the same filter
    expect(page.locator("li[data-date]:not([hidden])")).to_have_count(expected)
    assert page.locator("select[name=participant]").input_value() == participant
    for i in range(page.locator("li[data-date]:not([hidden])").count()):
        assert participant in page.locator("li[data-date]:not([hidden])").nth(i).get_attribute("data-participants")

    page.locator("select[name=tag]").select_option(index=1)
    narrowed = page.locator("li[data-date]:not([hidden])").count()
    assert narrowed <= expected
    page.locator("#timeline-filters button[type=reset]").click()
    expect(page.locator("li[data-date]:not([hidden])")).to_have_count(total)
    assert "participant=" not in page.url
    watched.check_clean()


def test_timeline_date_range_keeps_only_overlapping_events(watched, real_server):
    page = watched.page
    page.goto(real_server.url + "timeline/?from=2025-01&to=2025-12")
    page.wait_for_function("document.querySelector('#timeline-filters output').value !== ''")
    visible = page.locator("li[data-date]:not([hidden])")
    dates = [visible.nth(i).get_attribute("data-date") for i in range(visible.count())]
    assert dates and all(date.startswith("2025") for date in dates), dates
    hidden = page.locator("li[data-date][hidden]")
    assert hidden.count() > 0 and all(
        not hidden.nth(i).get_attribute("data-date").startswith("2025") for i in range(hidden.count())
    )
    watched.check_clean()


def _bring_node_to_middle(page, node_id: str) -> dict:
    """Scroll the page until the node sits mid-viewport and return its point in the viewport.

    A click where the node is drawn can miss it otherwise: the fixed site header covers the top of
    the viewport, and the canvas may reach below its bottom. The point is checked to be on the graph
    itself (not on the header over it) and on the node, as Cytoscape sees it, before anyone clicks.
    Cytoscape keeps the canvas's place on screen until the browser's next scroll event, which comes
    with the next frame: a click sent before it is measured against the old place and can be ignored
    (about half of the clicks were, here), so the point is returned only after two frames.
    """
    return page.evaluate(
        """async id => {
          const container = document.querySelector('.dossier-graph');
          const node = container.dossierGraph.getElementById(id);
          const canvas = container.querySelector('.dossier-graph__canvas');
          const at = () => {
            const box = canvas.getBoundingClientRect(), p = node.renderedPosition();
            return { x: box.left + p.x, y: box.top + p.y };
          };
          window.scrollBy(0, at().y - window.innerHeight / 2);
          const point = at();
          const hit = document.elementFromPoint(point.x, point.y);
          if (!canvas.contains(hit)) throw new Error('the node is covered by ' + (hit && hit.outerHTML.slice(0, 80)));
          const b = node.renderedBoundingBox(), box = canvas.getBoundingClientRect();
          const inside = point.x - box.left >= b.x1 && point.x - box.left <= b.x2 &&
                         point.y - box.top >= b.y1 && point.y - box.top <= b.y2;
          if (!inside) throw new Error('the point is off the node');
          await new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)));
          return point;
        }""",
        node_id,
    )


def test_whole_graph_draws_every_entity_and_a_click_opens_its_page(watched, real_server, real_site):
    graph = _graph_data(real_site)
    page = watched.page
    page.goto(real_server.url + "graph/")
    container = _wait_for_graph(page)
    assert int(container.get_attribute("data-nodes-drawn")) == len(graph["nodes"])
    assert int(container.get_attribute("data-edges-drawn")) == len(graph["edges"])
    legend = page.locator(".dossier-graph__legend input[type=checkbox]")
    assert legend.count() == len(graph["types"])
    page.screenshot(path=str(SCREENSHOTS / "graph.png"), full_page=True)

    place_count = sum(1 for node in graph["nodes"] if node["type"] == "place")
    page.locator(".dossier-graph__legend input[value=place]").uncheck()
    page.wait_for_function(
        f"document.querySelector('.dossier-graph').dataset.nodesDrawn == '{len(graph['nodes']) - place_count}'"
    )
    page.locator(".dossier-graph__legend input[value=place]").check()
    # The places come back and the layout runs again: read a node's position only once it is done.
    page.wait_for_function(f"document.querySelector('.dossier-graph').dataset.nodesDrawn == '{len(graph['nodes'])}'")

    target = next(node for node in graph["nodes"] if node["id"] == "alibaba")
    point = _bring_node_to_middle(page, target["id"])
    with page.expect_navigation():
        page.mouse.click(point["x"], point["y"])
    assert page.url.endswith("/" + target["url"]), page.url
    watched.check_clean()


def test_entity_neighbourhood_graph_matches_the_data(watched, real_server, real_site):
    graph = _graph_data(real_site)
    adjacent: dict[str, set[str]] = {}
    for edge in graph["edges"]:
        adjacent.setdefault(edge["source"], set()).add(edge["target"])
        adjacent.setdefault(edge["target"], set()).add(edge["source"])
    one_hop = {"alibaba"} | adjacent["alibaba"]
    two_hops = one_hop | {other for node in one_hop for other in adjacent.get(node, ())}
    expected = two_hops if len(two_hops) <= graph["limits"]["neighbourhood"] else one_hop
    page = watched.page
    page.goto(real_server.url + "entities/alibaba/")
    container = _wait_for_graph(page)
    assert int(container.get_attribute("data-nodes-drawn")) == len(expected)
    drawn = set(page.evaluate("document.querySelector('.dossier-graph').dossierGraph.nodes().map(n => n.id())"))
    assert drawn == expected
    page.screenshot(path=str(SCREENSHOTS / "entity.png"), full_page=True)
    watched.check_clean()


def test_home_page_loads_cleanly(watched, real_server):
    watched.page.goto(real_server.url)
    expect(watched.page.locator("h1").first).to_be_visible()
    watched.page.screenshot(path=str(SCREENSHOTS / "home.png"), full_page=True)
    watched.check_clean()


def test_the_test_browser_reaches_this_machine_only_and_lists_what_a_page_asked_of_others(watched, real_server):
    """The guard every browser test's check_clean() relies on: 127.0.0.1 and localhost are served, any other
    address (a name, or a number) fails in the browser, and the page's request for it is listed as refused."""
    page = watched.page
    page.goto(real_server.url.replace("127.0.0.1", "localhost"))  # the machine's own names are its own
    expect(page.locator("h1").first).to_be_visible()
    page.goto(real_server.url)
    expect(page.locator("h1").first).to_be_visible()
    assert watched.requests and watched.refused == []
    failed = []
    page.on("requestfailed", lambda request: failed.append((request.url, request.failure)))
    outside = ["http://192.0.2.1/a.png", "https://dossier.invalid/b.png"]
    page.evaluate(
        "urls => urls.forEach(url => { const i = new Image(); i.src = url; document.body.append(i); })", outside
    )
    page.wait_for_function("() => [...document.images].slice(-2).every(i => i.complete)", timeout=10000)
    assert watched.refused == outside
    assert sorted(url for url, _ in failed) == sorted(outside), failed
    assert all(failure.startswith("net::ERR_") for _, failure in failed), failed


def test_without_javascript_the_lists_stay_and_the_controls_stay_hidden(browser, real_server):
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(real_server.url + "timeline/")
        assert page.locator("#timeline-filters").is_hidden()
        assert page.locator("li[data-date]").count() == page.locator("li[data-date]:visible").count() > 0
        page.goto(real_server.url + "graph/")
        assert page.locator(".dossier-graph").is_hidden()
        assert page.locator("h2:has-text('All relationships') ~ ul li").count() > 0
        # search needs JavaScript: its button and box are not offered at all
        assert page.locator("label.md-header__button[for=__search]").count() == 1
        assert page.locator("label.md-header__button[for=__search]").is_hidden()
        assert page.locator(".dossier-search").is_hidden()
    finally:
        context.close()


def test_search_works_from_the_keyboard(watched, real_server):
    """ "/" opens the header's search box, arrows walk the results, Enter opens one, Escape closes the box."""
    page = watched.page
    page.goto(real_server.url)
    search_input = page.locator("input[data-dossier-search='query']")
    page.keyboard.press("/")
    expect(search_input).to_be_focused()
    page.keyboard.type("DeepSeek")
    results = page.locator("[data-dossier-search='list'] .md-search-result__item > a")
    expect(results.first).to_be_attached(timeout=20000)
    expect(page.locator("[data-dossier-search='list'] > li[hidden]")).to_have_count(0)
    page.keyboard.press("ArrowDown")
    expect(results.first).to_be_focused()
    if results.count() > 1:
        page.keyboard.press("ArrowDown")
        expect(results.nth(1)).to_be_focused()
        page.keyboard.press("ArrowUp")
    page.keyboard.press("ArrowUp")
    expect(search_input).to_be_focused()
    page.keyboard.press("Escape")
    assert not page.locator("#__search").is_checked()
    search_input.focus()
    first = urlsplit(results.first.get_attribute("href")).path
    page.keyboard.press("Enter")  # the first result
    page.wait_for_url(lambda url: urlsplit(url).path == first, timeout=20000)
    assert first.endswith("/entities/deepseek/")
    watched.check_clean()


def test_large_dossier_graph_draws_a_bounded_number_of_nodes(browser, large_site):
    graph = _graph_data(large_site)
    assert len(graph["nodes"]) > graph["limits"]["whole"]
    with LoopbackServer(large_site) as server:
        watched = Watched(browser)
        try:
            page = watched.page
            page.goto(server.url + "graph/")
            container = _wait_for_graph(page)
            assert int(container.get_attribute("data-nodes-drawn")) == graph["limits"]["whole"]
            assert "most connected" in page.locator(".dossier-graph__status").inner_text()
            draw_ms = int(container.get_attribute("data-draw-ms"))
            print(
                f"{LARGE_RECORDS}-record graph: {graph['limits']['whole']} of {len(graph['nodes'])} entities drawn "
                f"in {draw_ms} ms"
            )
            assert draw_ms < 15000, "the capped whole-dossier graph should lay out in seconds"
            page.screenshot(path=str(SCREENSHOTS / f"graph-{LARGE_RECORDS}.png"))
            page.goto(server.url + "timeline/")
            expect(page.locator("#timeline-filters")).to_be_visible()
            watched.check_clean()
        finally:
            watched.close()


@pytest.fixture(scope="session", autouse=True)
def _screenshot_folder():
    SCREENSHOTS.mkdir(exist_ok=True)


# merger_site: the session's shared build of tests/fixtures/merger/ (conftest.py).


def test_graph_legend_and_colours_of_another_dossier_come_from_its_vocabulary(watched, merger_site):
    with LoopbackServer(merger_site) as server:
        page = watched.page
        page.goto(server.url + "graph/")
        _wait_for_graph(page)
        labels = page.locator(".dossier-graph__legend label.dossier-graph__type")
        assert [labels.nth(i).inner_text().strip() for i in range(labels.count())] == MERGER_TYPE_PLURALS
        swatch = page.locator(".dossier-graph__legend input[value=regulator] + .dossier-graph__swatch")
        assert swatch.evaluate("node => getComputedStyle(node).backgroundColor") == "rgb(46, 125, 50)"  # #2e7d32
        colour = page.evaluate(
            "document.querySelector('.dossier-graph').dossierGraph"
            ".getElementById('contoso-fabrikam-deal').data('colour')"
        )
        assert colour == "#ff6f00"
        page.screenshot(path=str(SCREENSHOTS / "merger-graph.png"), full_page=True)
        watched.check_clean()
