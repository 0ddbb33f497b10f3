"""axe-core over every page of the built site, in headless Chromium: no violation anywhere.

axe-core is vendored for the tests only (tests/vendor/axe-core/, version and MPL-2.0 licence
beside it) and injected from disk, so nothing is fetched.  Every HTML page of the real site is
checked in the light scheme, and a sample of pages again in the dark (slate) scheme and at a
phone width; any violation fails, with its rule, impact and the first elements it names.
"""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from conftest import load_mkdocs_config
from reader_site import LoopbackServer, Watched, browser_or_skip

BROWSER = browser_or_skip()

AXE = Path(__file__).resolve().parent / "vendor" / "axe-core" / "axe.min.js"
# 404.html links its assets from the site's own path (site_url in mkdocs.yml, from DOSSIER_SITE_URL;
# the tests build without it: "/"), so the site is served under that path, as on the real host.
SITE_PATH = urlsplit(load_mkdocs_config().get("site_url") or "/").path.strip("/")
SAMPLE = ["", "entities/alibaba/", "graph/", "timeline/", "sources/cnews-2025-11-27/", "data/", "tags/"]


def _pages(site: Path) -> list[str]:
    """The address of every HTML page in the site, relative to its root."""
    pages = []
    for path in sorted(site.rglob("*.html")):
        relative = path.relative_to(site).as_posix()
        if relative == "404.html":
            pages.append(relative)
        elif relative.endswith("index.html"):
            pages.append(relative[: -len("index.html")])
    return pages


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


def _violations(page, url: str) -> list[str]:
    page.goto(url)
    page.wait_for_load_state("load")
    if page.locator(".dossier-graph").count():
        page.wait_for_selector(".dossier-graph[data-nodes-drawn]", state="attached", timeout=20000)
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("""async () => {
        const r = await axe.run(document, { resultTypes: ['violations'] });
        return r.violations.map(v => ({ id: v.id, impact: v.impact, help: v.help,
                                        nodes: v.nodes.slice(0, 3).map(n => n.target.join(' ') + ': ' + n.failureSummary) })); }""")
    return [f"{url}: {v['id']} ({v['impact']}): {v['help']}\n    " + "\n    ".join(v["nodes"]) for v in result]


def test_axe_finds_no_violation_on_any_page(browser, site_url, real_site):
    pages = _pages(real_site)
    assert len(pages) > 50 and "entities/alibaba/" in pages and "graph/" in pages
    watched = Watched(browser)
    try:
        found = []
        for page_path in pages:
            found += _violations(watched.page, site_url + page_path)
        assert not found, f"{len(found)} violations:\n" + "\n".join(found)
        watched.check_clean()
    finally:
        watched.context.close()


@pytest.mark.parametrize("scheme, width", [("slate", 1280), ("default", 390)])
def test_axe_finds_no_violation_in_the_dark_scheme_or_on_a_phone(browser, site_url, scheme, width):
    watched = Watched(browser, width=width)
    try:
        found = []
        for page_path in SAMPLE:
            watched.page.goto(site_url + page_path)
            watched.page.evaluate(f"document.body.setAttribute('data-md-color-scheme', {json.dumps(scheme)})")
            found += _violations_here(watched.page, site_url + page_path, scheme)
        assert not found, f"{len(found)} violations:\n" + "\n".join(found)
        watched.check_clean()
    finally:
        watched.context.close()


def _violations_here(page, url: str, scheme: str) -> list[str]:
    """axe on the page as it is now, after the scheme is set (no reload)."""
    if page.locator(".dossier-graph").count():
        page.wait_for_selector(".dossier-graph[data-nodes-drawn]", state="attached", timeout=20000)
    page.wait_for_function(f"document.body.getAttribute('data-md-color-scheme') === {json.dumps(scheme)}")
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("""async () => {
        const r = await axe.run(document, { resultTypes: ['violations'] });
        return r.violations.map(v => ({ id: v.id, impact: v.impact, help: v.help,
                                        nodes: v.nodes.slice(0, 3).map(n => n.target.join(' ') + ': ' + n.failureSummary) })); }""")
    return [
        f"{url} [{scheme}]: {v['id']} ({v['impact']}): {v['help']}\n    " + "\n    ".join(v["nodes"]) for v in result
    ]


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
        watched.context.close()
