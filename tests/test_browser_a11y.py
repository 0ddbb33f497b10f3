"""axe-core over the built site, in headless Chromium: no violation anywhere.

axe-core is vendored for the tests only (tests/vendor/axe-core/, version and MPL-2.0 licence
beside it) and served from its folder on a loopback address of its own, so nothing is fetched from the
network (served, Chromium compiles it once and reuses the code on every page; injected as text, once a page).  The real site's pages are grouped by
structure (the set of elements, classes, roles and ARIA attributes a page holds: every entity page
of one shape is the same template with other words) and axe runs on the first page of each group in
the light scheme (every rule; the colour contrast rule, most of axe's time, on each text style the
first time a page shows it); a sample of pages again, the same way, in the dark (slate) scheme and at
a phone width. What differs from page to page within a group is the records' text: every page is
checked in Python for what that text can break (unique ids, a name for every link, button and image,
no empty heading). Any violation fails, with its rule, impact and the first elements it names.
"""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import urlsplit

import lxml.html
import pytest
from conftest import load_mkdocs_config
from reader_site import LoopbackServer, Watched, browser_or_skip

BROWSER = browser_or_skip()

AXE = Path(__file__).resolve().parent / "vendor" / "axe-core" / "axe.min.js"
# 404.html links its assets from the site's own path (site_url in mkdocs.yml, from DOSSIER_SITE_URL;
# the tests build without it: "/"), so the site is served under that path, as on the real host.
SITE_PATH = urlsplit(load_mkdocs_config().get("site_url") or "/").path.strip("/")
SAMPLE = ["", "entities/alibaba/", "graph/", "timeline/", "sources/cnews-2025-11-27/", "data/", "tags/"]


def _pages(site: Path) -> dict[str, Path]:
    """Every HTML page of the site: its address relative to the site's root, and its file."""
    pages = {}
    for path in sorted(site.rglob("*.html")):
        relative = path.relative_to(site).as_posix()
        if relative == "404.html":
            pages[relative] = path
        elif relative.endswith("index.html"):
            pages[relative[: -len("index.html")]] = path
    return pages


#: Attributes whose presence (not value) is part of a page's structure for axe.
_STRUCTURAL = ("role", "type", "tabindex", "href", "alt", "title", "for", "id", "lang", "style", "hidden")


def _structure(body) -> frozenset[str]:
    """What axe's rules look at in a page, less its words: each element's tag, classes, role and ARIA attributes."""
    shapes = set()
    for element in body.iter():
        if not isinstance(element.tag, str):
            continue
        classes = " ".join(sorted((element.get("class") or "").split()))
        names = sorted(name for name in element.attrib if name.startswith("aria-") or name in _STRUCTURAL)
        shapes.add(f"{element.tag}.{classes}[{element.get('role') or ''}]{' '.join(names)}")
    return frozenset(shapes)


def _one_page_per_structure(pages: dict[str, Path]) -> list[str]:
    """The first page (by address) of each group of pages that share a structure."""
    chosen: dict[frozenset[str], str] = {}
    for address, path in pages.items():
        chosen.setdefault(_structure(lxml.html.parse(str(path)).getroot().find("body")), address)
    return sorted(chosen.values())


_NAMED_TAGS = frozenset({"a", "button", "h1", "h2", "h3", "h4", "h5", "h6"})


def _text_problems(address: str, root) -> list[str]:
    """What a record's words can break on a page axe did not visit: duplicate ids, nameless controls, empty headings."""
    problems, ids = [], set()
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        identifier = element.get("id")
        if identifier is not None:
            if identifier in ids:
                problems.append(f"{address}: id {identifier!r} is used twice")
            ids.add(identifier)
        if element.tag not in _NAMED_TAGS:
            named = labelled = True  # only links, buttons and headings need a name here
        else:  # the text of an element is read only where it is needed: on the whole page it is slow
            named = (element.text_content().strip() or element.get("aria-label") or element.get("title") or "").strip()
            named = named or any(image.get("alt") for image in element.iter("img"))
            labelled = element.get("aria-labelledby") or element.get("aria-hidden") == "true"
        if element.tag == "a" and element.get("href") is not None and not (named or labelled):
            problems.append(f"{address}: a link without a name: {lxml.html.tostring(element)[:120]!r}")
        if element.tag == "button" and not (named or labelled):
            problems.append(f"{address}: a button without a name: {lxml.html.tostring(element)[:120]!r}")
        if element.tag == "img" and element.get("alt") is None and element.get("role") != "presentation":
            problems.append(f"{address}: an image without alt text: {lxml.html.tostring(element)[:120]!r}")
        if element.tag in ("h1", "h2", "h3", "h4", "h5", "h6") and not (named or labelled):
            problems.append(f"{address}: an empty heading <{element.tag}>")
    return problems


@pytest.fixture(scope="module")
def site_url(real_site, tmp_path_factory):
    """The real site served at http://127.0.0.1:PORT/<site path>/, as its 404 page expects."""
    if not SITE_PATH:
        with LoopbackServer(real_site) as server:
            yield server.url
        return
    folder = tmp_path_factory.mktemp("served")
    (folder / SITE_PATH).parent.mkdir(parents=True, exist_ok=True)
    (folder / SITE_PATH).symlink_to(real_site, target_is_directory=True)
    with LoopbackServer(folder) as server:
        yield server.url + SITE_PATH + "/"


_REPORT = """r => r.violations.map(v => ({ id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 3).map(n => n.target.join(' ') + ': ' + n.failureSummary) }))"""

#: The text styles of the page as colour contrast depends on them: for every visible element holding text,
#: its colour, size, weight and shadow, and the background, opacity, filter and blending of it and of every
#: element it sits in.  Elements whose style was not seen on an earlier page are marked for the contrast rule.
_NEW_TEXT_STYLES = """seenBefore => {
    const seen = new Set(seenBefore);
    const layer = e => { const s = getComputedStyle(e);
        return [s.backgroundColor, s.backgroundImage, s.opacity, s.filter, s.mixBlendMode].join(' '); };
    const styles = [];
    for (const element of document.body.querySelectorAll('*')) {
        const text = [...element.childNodes].some(n => n.nodeType === Node.TEXT_NODE && n.textContent.trim());
        if (!text || !element.getClientRects().length) continue;
        const s = getComputedStyle(element);
        const chain = [s.color, s.fontSize, s.fontWeight, s.textShadow, s.visibility];
        for (let e = element; e; e = e.parentElement) chain.push(layer(e));
        const style = chain.join(' / ');
        styles.push(style);
        if (!seen.has(style)) element.setAttribute('data-axe-new-style', '');
    }
    return styles;
}"""


@pytest.fixture(scope="module")
def axe_script() -> str:
    """The address of axe-core's script, served from tests/vendor/axe-core/ on 127.0.0.1."""
    with LoopbackServer(AXE.parent) as server:
        yield server.url + AXE.name


def _violations(page, url: str, axe_script: str, seen_styles: set[str]) -> list[str]:
    """axe on the page at ``url``, loaded and its graph drawn (see :func:`_axe`)."""
    page.goto(url)
    page.wait_for_load_state("load")
    if page.locator(".dossier-graph").count():
        page.wait_for_selector(".dossier-graph[data-nodes-drawn]", state="attached", timeout=20000)
    return [f"{url}: {violation}" for violation in _axe(page, axe_script, seen_styles)]


#: The axe rules whose result depends on colours: all a change of colour scheme can alter, since
#: the scheme is a set of CSS colours (the page's elements, and which are shown, stay the same).
COLOUR_RULES = ["color-contrast", "link-in-text-block"]


def _axe(page, axe_script: str, seen_styles: set[str], colours_only: bool = False) -> list[str]:
    """Every axe rule on the page as it is now (with ``colours_only``, those of :data:`COLOUR_RULES`),
    the colour contrast rule on the text styles not in ``seen_styles`` (which then holds the page's
    styles too).

    Contrast is the one rule whose cost grows with every text element (four fifths of axe's time on a
    long page) and whose result depends only on the style of each; every other rule runs on every node.
    """
    # Colours change through CSS transitions (a scheme set a moment ago, a link's colour): contrast is
    # measured on the colours the page settles on, not on one taken half way.
    page.wait_for_function("() => !document.getAnimations().some(a => a instanceof CSSTransition)")
    page.add_script_tag(url=axe_script)
    rules = (
        "runOnly: " + json.dumps([rule for rule in COLOUR_RULES if rule != "color-contrast"])
        if colours_only
        else "rules: { 'color-contrast': { enabled: false } }"
    )
    result = page.evaluate(
        "async () => (" + _REPORT + ")(await axe.run(document, { resultTypes: ['violations'], " + rules + " }))"
    )
    styles = page.evaluate(_NEW_TEXT_STYLES, sorted(seen_styles))
    if page.locator("[data-axe-new-style]").count():
        result += page.evaluate(
            "async () => (" + _REPORT + ")(await axe.run({ include: [['[data-axe-new-style]']] }, "
            "{ resultTypes: ['violations'], runOnly: ['color-contrast'] }))"
        )
    seen_styles.update(styles)
    return [f"{v['id']} ({v['impact']}): {v['help']}\n    " + "\n    ".join(v["nodes"]) for v in result]


def test_every_page_has_unique_ids_and_a_name_for_every_link_button_image_and_heading(real_site):
    pages = _pages(real_site)
    assert len(pages) > 50
    problems = []
    for address, path in pages.items():
        problems += _text_problems(address, lxml.html.parse(str(path)).getroot())
    assert not problems, f"{len(problems)} problems:\n" + "\n".join(problems[:40])


def test_text_problems_are_found():
    page = lxml.html.fromstring(
        "<html><body><h2 id='x'></h2><p id='x'>t</p><a href='/a'></a><a href='/b'><img src='i.png'></a>"
        "<button></button><a href='/c' aria-label='Close'></a><a href='/d'><img src='j' alt='Home'></a></body></html>"
    )
    assert [problem.split(": ")[1] for problem in _text_problems("p/", page)] == [
        "an empty heading <h2>",
        "id 'x' is used twice",
        "a link without a name",
        "a link without a name",
        "an image without alt text",
        "a button without a name",
    ]


@pytest.fixture(scope="module")
def styles_checked() -> dict[str, set[str]]:
    """The text styles whose contrast axe has checked in this module, by colour scheme: a style's contrast
    is the same on every page and at every width, so the tests after the first check only the new ones."""
    return {"default": set(), "slate": set()}


def test_axe_finds_no_violation_on_a_page_of_each_structure(browser, site_url, axe_script, real_site, styles_checked):
    pages = _one_page_per_structure(_pages(real_site))
    assert 10 < len(pages) < len(_pages(real_site)) and "graph/" in pages and "404.html" in pages
    assert any(page.startswith("entities/") for page in pages) and any(page.startswith("events/") for page in pages)
    watched = Watched(browser)
    try:
        found, seen_styles = [], styles_checked["default"]
        for page_path in pages:
            found += _violations(watched.page, site_url + page_path, axe_script, seen_styles)
        assert not found, f"{len(found)} violations:\n" + "\n".join(found)
        assert len(seen_styles) > 20, "the text styles were not found"
        watched.check_clean()
    finally:
        watched.close()


@pytest.mark.parametrize("scheme, width", [("slate", 1280), ("default", 390)])
def test_axe_finds_no_violation_in_the_dark_scheme_or_on_a_phone(
    browser, site_url, axe_script, scheme, width, styles_checked
):
    watched = Watched(browser, width=width)
    try:
        found, seen_styles = [], styles_checked[scheme]
        for page_path in SAMPLE:
            watched.page.goto(site_url + page_path)
            watched.page.evaluate(f"document.body.setAttribute('data-md-color-scheme', {json.dumps(scheme)})")
            found += _violations_here(watched.page, site_url + page_path, axe_script, scheme, seen_styles)
        assert not found, f"{len(found)} violations:\n" + "\n".join(found)
        assert len(seen_styles) > 20, "the text styles were not found"
        watched.check_clean()
    finally:
        watched.close()


def _violations_here(page, url: str, axe_script: str, scheme: str, seen_styles: set[str]) -> list[str]:
    """axe on the page as it is now, after the scheme is set (no reload)."""
    if page.locator(".dossier-graph").count():
        page.wait_for_selector(".dossier-graph[data-nodes-drawn]", state="attached", timeout=20000)
    page.wait_for_function(f"document.body.getAttribute('data-md-color-scheme') === {json.dumps(scheme)}")
    colours_only = scheme != "default"  # the dark scheme changes colours only; a phone's width, the layout
    return [f"{url} [{scheme}]: {violation}" for violation in _axe(page, axe_script, seen_styles, colours_only)]


def test_citation_markers_are_24_px_tap_targets_on_a_phone(browser, site_url):
    watched = Watched(browser, width=390)
    try:
        watched.page.goto(site_url + "entities/alibaba/")
        sizes = watched.page.evaluate(
            "[...document.querySelectorAll('.dossier-cite a')]"
            ".map(a => { const r = a.getBoundingClientRect(); return [r.width, r.height]; })"
        )
        assert len(sizes) > 5
        assert all(width >= 24 and height >= 24 for width, height in sizes), sizes
        watched.check_clean()
    finally:
        watched.close()
