"""Build a real site into a temporary folder and serve it on 127.0.0.1 for the browser tests."""

from __future__ import annotations

import functools
import importlib.util
import os
import sys
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import pytest
from conftest import dossier_warnings, make_project, strict_build

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
# The site served on 127.0.0.1, as the link check serves it, for the browser tests.
from check_links import LoopbackServer  # noqa: E402, F401


def load_find_browser():
    """scripts/find_browser.py (the browser the tests drive: $DOSSIER_BROWSER, Debian's, … Playwright's) as a module."""
    if "find_browser" not in sys.modules:
        spec = importlib.util.spec_from_file_location("find_browser", ROOT / "scripts" / "find_browser.py")
        module = sys.modules["find_browser"] = importlib.util.module_from_spec(spec)  # dataclasses look there
        spec.loader.exec_module(module)
    return sys.modules["find_browser"]


@functools.cache
def _found_browser():
    find_browser = load_find_browser()
    try:
        return find_browser.find_browser(), ""
    except find_browser.BrowserNotFound as problem:
        return None, str(problem)


def browser_or_skip():
    """The browser scripts/find_browser.py finds, for ``playwright.chromium.launch(**b.launch_options())``.

    Without one the calling test module is skipped with the message saying what to run; in CI
    (GitHub and .ci/run set CI) or with DOSSIER_BROWSER set, it fails instead of hiding the tests.
    """
    browser, problem = _found_browser()
    if browser is None:
        if os.environ.get("CI") or os.environ.get(load_find_browser().ENV_VAR):
            pytest.fail(problem, pytrace=False)
        pytest.skip(problem, allow_module_level=True)
    return browser


def build_site(site_dir: Path, content_dir: Path | None = None, work_dir: Path | None = None) -> Path:
    """The project (or ``content_dir``) built into ``site_dir`` by :func:`conftest.strict_build`.

    The session's shared builds (``real_site``, ``mini_site`` ... in conftest.py) serve tests that only read.
    """
    if content_dir is None:
        return strict_build(site_dir, expected=dossier_warnings(ROOT / "content")).site
    config_path = make_project(work_dir or content_dir.parent, content_dir)
    return strict_build(site_dir, config_path, expected=dossier_warnings(content_dir)).site


#: The addresses of this machine a page may use: every other request fails (``conftest.OFFLINE_PROXY``).
LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})


class Watched:
    """A page whose requests and console errors are recorded.

    Only this machine's loopback addresses are reachable from the session's browser (:data:`LOOPBACK`,
    ``conftest.OFFLINE_PROXY``): a request for any other address fails there, and is listed in
    :attr:`refused` here, from the requests the page makes (watched as they pass, not stopped one by one
    in Python, which cost half a page load again).

    A browser context and its page (a renderer process) cost about a second of CPU to start and
    warm up, most of what a short browser test costs, so each test process keeps one page a
    viewport size and hands it to the next test, reset as a new page would be: on about:blank,
    its listeners, cookies, storage and permissions cleared (:meth:`close`).  A page that cannot be
    reset is closed with its context, and the next test gets a new one.
    """

    _kept: dict[tuple[int, int, int], tuple] = {}  # (id(browser), width, height): (context, page)

    def __init__(self, browser, width: int = 1280, height: int = 900):
        self.requests: list[str] = []
        self.refused: list[str] = []
        self.errors: list[str] = []
        self._key = (id(browser), width, height)
        kept = Watched._kept.pop(self._key, None)
        if kept is None or kept[1].is_closed():
            context = browser.new_context(viewport={"width": width, "height": height})
            kept = (context, context.new_page())
        self.context, self.page = kept
        self._on_console = lambda message: message.type == "error" and self.errors.append(message.text)
        self._on_error = lambda error: self.errors.append(str(error))
        self.page.on("request", self._on_request)
        self.page.on("console", self._on_console)
        self.page.on("pageerror", self._on_error)

    def _on_request(self, request) -> None:
        url, parts = request.url, urlsplit(request.url)
        if parts.scheme in ("data", "blob", "about"):
            return
        self.requests.append(url)
        if parts.hostname not in LOOPBACK:
            self.refused.append(url)

    def close(self) -> None:
        """Give the page back for the next test, reset; or close it, if it cannot be reset."""
        self.page.remove_listener("request", self._on_request)
        self.page.remove_listener("console", self._on_console)
        self.page.remove_listener("pageerror", self._on_error)
        try:
            origins = {f"{part.scheme}://{part.netloc}" for part in map(urlsplit, self.requests) if part.netloc}
            self.page.goto("about:blank")
            self.page.mouse.move(0, 0)  # where a new page's pointer is
            cdp = self.context.new_cdp_session(self.page)
            try:
                for origin in origins:
                    cdp.send("Storage.clearDataForOrigin", {"origin": origin, "storageTypes": "all"})
            finally:
                cdp.detach()
            self.context.clear_cookies()
            self.context.clear_permissions()
        except Exception:  # noqa: BLE001 - a page that cannot be reset is not reused
            self.context.close()
            return
        Watched._kept[self._key] = (self.context, self.page)

    def check_clean(self):
        assert self.refused == [], f"requests for other machines (none can leave this one): {self.refused}"
        assert self.errors == [], f"console errors: {self.errors}"
        assert self.requests, "no request was recorded: the page's requests were not seen"


def expect_search_answered(page, signature: str) -> None:
    """Wait until every result of the search `signature` ("q=…&kind=…", as the page's script writes it) is drawn.

    theme/assets/dossier-search.js sets ``data-answered`` on the result box once the latest search is
    drawn in full, and ``aria-busy`` while one is loading: waiting on them, rather than on the count
    changing, cannot mistake a stale answer (or two answers of the same size) for the new one.
    """
    from playwright.sync_api import expect

    box = page.locator("[data-dossier-search='result']")
    expect(box).to_have_attribute("data-answered", signature, timeout=20000)
    expect(box).to_have_attribute("aria-busy", "false")


def search(page, query: str, **filters: str):
    """Type `query` into the header's search box (Pagefind), with `filters` chosen; the result links, best first."""
    search_input = page.locator("input[data-dossier-search='query']")
    search_input.click()
    search_input.fill(query)
    for name, value in filters.items():
        page.locator(f"[data-dossier-search='filters'] select[name={name}]").select_option(value)
    expect_search_answered(page, urlencode({"q": query, **filters}))
    links = page.locator("[data-dossier-search='list'] .md-search-result__item > a.md-search-result__link")
    return [links.nth(i) for i in range(links.count())]
