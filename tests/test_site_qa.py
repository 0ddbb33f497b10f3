"""Site QA on whole builds: link checking of the real site, byte-identical rebuilds, and
atomic builds that leave the previous site/ untouched on failure and no stale page on success.

Every build goes to a temporary folder or to a copy of the project; the real site/ is never touched.
"""

from __future__ import annotations

import http.server
import json
import os
import re
import shutil
import subprocess
import sys
import threading
import time
import types
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import lxml.html
import pytest
from conftest import MINI, ROOT, dossier_warnings, make_project, pagefind_pages, strict_build, tree_digest

from generator.published import HEADER, PUBLISHED_FILE

sys.path.insert(0, str(ROOT / "scripts"))
import check_links  # noqa: E402

BUILD_SITE = ROOT / "scripts" / "build_site.py"


def build_site(root: Path, site: Path, env: dict) -> subprocess.CompletedProcess:
    """scripts/build_site.py, whatever its result (a build that must succeed goes through conftest.strict_build)."""
    return subprocess.run(
        [sys.executable, str(BUILD_SITE), "--root", str(root), "--site-dir", str(site)],
        capture_output=True,
        text=True,
        env=env,
    )


def test_two_builds_of_one_commit_are_byte_identical_on_every_core_or_on_one(real_build, tmp_path):
    """The session's ``real_build`` (as `make site` builds it: SOURCE_DATE_EPOCH from the last commit, the pages
    shared among forked workers, generator/mkdocs_parallel.py) and a second build of the same commit on one core
    (MkDocs' own serial build): the same bytes, Pagefind's index included."""
    if len(os.sched_getaffinity(0)) > 1:
        assert re.search(r"pages on [2-9]\d* processes", real_build.log), real_build.log[-2000:]
    serial = strict_build(
        tmp_path / "site",
        expected=dossier_warnings(ROOT / "content"),
        env=dict(os.environ, DOSSIER_BUILD_WORKERS="1"),
        script=True,
    )
    assert "processes" not in serial.log
    digests = tree_digest(real_build.site)
    assert len(digests) > 50 and "sitemap.xml.gz" in digests and "pagefind/pagefind-entry.json" in digests
    assert any(name.startswith("pagefind/filter/") for name in digests)  # Pagefind writes these in any order
    assert digests == tree_digest(serial.site)


def test_real_site_has_no_broken_links_or_fragments(real_site):
    """What `make links` checks, on the session's shared build of the real site, without crawling it again
    with LinkChecker (CI's `make check-links` does that on every build; LinkChecker's own part is tested
    on a small site below): every href and src of every page and every CSS url() resolves, fragments too,
    and every external address has a valid form."""
    external, _addresses = check_links.external_link_problems(real_site)
    assert [p.format() for p in external] == []
    assert broken_links(real_site) == []


def broken_links(site: Path) -> list[str]:
    """``page: link: reason`` for every href/src of every HTML page and every url() of every stylesheet in
    ``site`` that does not lead to a file of the site (a folder: its index.html), or to an id of that page."""
    ids: dict[Path, set[str]] = {}

    def ids_of(page: Path) -> set[str]:
        if page not in ids:
            tree = lxml.html.fromstring(page.read_bytes())
            ids[page] = {
                value for element in tree.iter() for value in (element.get("id"), element.get("name")) if value
            }
        return ids[page]

    links: list[tuple[Path, str]] = []
    for page in sorted(site.rglob("*.html")):
        tree = lxml.html.fromstring(page.read_bytes())
        links += [(page, element.get(a)) for element in tree.iter() for a in ("href", "src") if element.get(a)]
    for sheet in sorted(site.rglob("*.css")):
        links += [(sheet, url) for url in re.findall(r"url\(\s*['\"]?([^'\")]+)", sheet.read_text(encoding="utf-8"))]
    broken = []
    for origin, link in links:
        # 404.html is served from any depth: it links from the site's root (site_url, here unset: "/").
        base = "http://site/" + ("" if origin.name == "404.html" else origin.relative_to(site).as_posix())
        url = urlsplit(urljoin(base, link))
        if url.scheme not in ("http", "https") or url.netloc != "site":
            continue  # another site, mailto:, data: (forms: external_link_problems)
        target = site / unquote(url.path).lstrip("/")
        if target.is_dir():
            target = target / "index.html"
        shown = f"{origin.relative_to(site).as_posix()}: {link}"
        if not target.is_file():
            broken.append(f"{shown}: no such file")
        elif url.fragment and target.suffix == ".html" and unquote(url.fragment) not in ids_of(target):
            broken.append(f"{shown}: no id {url.fragment!r} in that page")
    assert len(links) > 1000, "the links were not found"
    return broken


def test_link_checker_finds_broken_pages_fragments_and_schemes(tmp_path):
    site = tmp_path / "site"
    (site / "a").mkdir(parents=True)
    (site / "index.html").write_text(
        '<html><body><h2 id="here">Here</h2>'
        '<a href="a/">ok</a> <a href="#here">ok</a> <a href="a/#there">ok</a>'
        '<a href="missing/">missing page</a> <a href="a/#nowhere">missing fragment</a>'
        '<a href="javascript:alert(1)">script</a> <a href="https://">no host</a>'
        '<a href="https://example.org/ok">fine</a> <a href="mailto:someone@example.org">mail</a>'
        '<a href="a/#caf%C3%A9">ok</a> <a href="a/index.html#named">ok</a> <a href="#top">ok</a> <a href="#">ok</a>'
        '<a href="b.html#gone">missing fragment</a> <a href="missing/#x">missing page</a>'
        "</body></html>",
        encoding="utf-8",
    )
    (site / "a" / "index.html").write_text(
        '<html><body><p id="there">x</p><a name="named"></a><h3 id="café">x</h3><a href="../">up</a></body></html>',
        encoding="utf-8",
    )
    (site / "b.html").write_text('<html><body><p id="here">x</p><a href="./">home</a></body></html>', encoding="utf-8")
    found = {(p.link, p.reason.split(" ")[0]) for p in check_links.check_site(site)}
    links = {link for link, _ in found}
    assert "/missing/" in links
    assert "/a/#nowhere" in links and "/b.html#gone" in links
    assert "javascript:alert(1)" in links
    assert "https://" in links
    ok = {"/a/", "#here", "/a/#there", "/a/#caf%C3%A9", "/a/index.html#named", "#top", "#"}
    assert not links & (ok | {"https://example.org/ok", "mailto:someone@example.org"})
    # a fragment is checked on the page it leads to, once; a missing page is reported as missing, not as a fragment
    assert [p.format() for p in check_links.fragment_problems(site)] == [
        "/: /a/#nowhere: no element with id 'nowhere' on that page",
        "/: /b.html#gone: no element with id 'gone' on that page",
    ]


SITE_URL = "https://dossier.invalid/mini/"


def _env(epoch: str) -> dict:
    return dict(os.environ, SOURCE_DATE_EPOCH=epoch)


@pytest.fixture()
def mini_project(tmp_path, monkeypatch) -> Path:
    """The smallest project that shows an atomic build: the mini dossier, which keeps a list of published ids,
    and a mkdocs.yml like the real one; built by scripts/build_site.py as `make site` builds the real one."""
    project = tmp_path / "project"
    shutil.copytree(MINI, project / "content")
    (project / "content" / PUBLISHED_FILE).write_text(HEADER, encoding="utf-8")
    monkeypatch.setenv("DOSSIER_SITE_URL", SITE_URL)  # the sitemap lists pages only under an address
    make_project(project, project / "content")
    return project


def _extra_source(project: Path) -> Path:
    path = project / "content" / "sources" / "zz-extra-source.yaml"
    path.write_text('title: "An extra source"\nkind: report\n', encoding="utf-8")
    return path


def test_failed_check_or_build_leaves_site_byte_identical_and_success_drops_stale_pages(mini_project):
    project = mini_project
    site = project / "site"
    extra = _extra_source(project)
    strict_build(site, project / "mkdocs.yml", env=_env("1700000000"), script=True)
    assert (site / "sources" / "zz-extra-source" / "index.html").is_file()
    assert f"<loc>{SITE_URL}sources/zz-extra-source/</loc>" in (site / "sitemap.xml").read_text(encoding="utf-8")
    assert any("zz-extra-source" in url for url in pagefind_pages(site))
    before = tree_digest(site)

    broken_record = project / "content" / "sources" / "zz-broken.yaml"
    broken_record.write_text('title: "x"\nkind: report\ntitle: "again"\n', encoding="utf-8")
    result = build_site(project, site, _env("1700000001"))
    assert result.returncode == 1 and "duplicate-key" in result.stdout + result.stderr
    assert tree_digest(site) == before
    broken_record.unlink()

    # Passes the record check but fails in MkDocs (a link to a page that does not exist): mkdocs
    # --strict aborts after writing a complete site; site/ must not be that site.
    broken_page = project / "content" / "pages" / "zz-broken.md"
    broken_page.write_text("---\ntitle: Broken\n---\n\nSee [nothing](no-such-page.md).\n", encoding="utf-8")
    result = build_site(project, site, _env("1700000002"))
    assert result.returncode == 1, result.stderr
    assert "WARNING" in result.stderr
    assert tree_digest(site) == before
    assert not list((project / ".build").glob("site.new*"))
    broken_page.unlink()

    # The first build published the extra source: deleting it alone is refused (its address would
    # vanish); deleting its line from the list of published ids too says the page must go.
    extra.unlink()
    result = build_site(project, site, _env("1700000003"))
    assert result.returncode == 1 and "error[vanished-id]" in result.stdout + result.stderr
    assert tree_digest(site) == before
    published = project / "content" / PUBLISHED_FILE
    published.write_text(published.read_text(encoding="utf-8").replace("zz-extra-source\n", ""), encoding="utf-8")
    strict_build(site, project / "mkdocs.yml", env=_env("1700000003"), script=True)
    assert not (site / "sources" / "zz-extra-source").exists()
    sitemap = (site / "sitemap.xml").read_text(encoding="utf-8")
    assert "zz-extra-source" not in sitemap and f"<loc>{SITE_URL}sources/paper-2025/</loc>" in sitemap
    assert not any("zz-extra-source" in url for url in pagefind_pages(site))
    assert not list((project / ".build").glob("site.*"))


class _CountingHandler(http.server.BaseHTTPRequestHandler):
    requests: list[str] = []

    def do_GET(self) -> None:  # noqa: N802 - the base class's name
        type(self).requests.append(self.path)
        status = 200 if self.path == "/ok" else 404
        self.send_response(status)
        self.send_header("Content-Type", "text/plain")
        self.end_headers()
        self.wfile.write(b"ok" if status == 200 else b"missing")

    do_HEAD = do_GET

    def log_message(self, *args) -> None:
        pass


def test_online_mode_fetches_external_links_with_retries_and_a_cache(tmp_path, monkeypatch):
    """An 'external' host on another loopback address stands in for the web: no network needed.
    The pauses before retries are recorded, not slept."""
    pauses: list[float] = []
    clock = types.SimpleNamespace(sleep=pauses.append, time=time.time, monotonic=time.monotonic)
    monkeypatch.setattr(check_links, "time", clock)
    _CountingHandler.requests = []
    server = http.server.ThreadingHTTPServer(("127.0.0.2", 0), _CountingHandler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        base = f"http://127.0.0.2:{server.server_address[1]}"
        site = tmp_path / "site"
        site.mkdir()
        (site / "index.html").write_text(
            f'<html><body><a href="{base}/ok">ok</a> <a href="{base}/gone">gone</a></body></html>', encoding="utf-8"
        )
        cache = tmp_path / "cache.json"
        assert check_links.check_site(site) == []  # offline: form only, nothing fetched
        assert _CountingHandler.requests == []
        problems = check_links.check_site(site, online=True, rate=20, retries=1, cache_path=cache)
        assert [(p.link, p.reason.split()[0]) for p in problems] == [(f"{base}/gone", "404")]
        assert _CountingHandler.requests.count("/gone") >= 2  # first try and one retry
        assert pauses == [1]  # a pause before the retry
        assert f"{base}/ok" in json.loads(cache.read_text(encoding="utf-8"))
        _CountingHandler.requests = []
        problems = check_links.check_site(site, online=True, rate=20, retries=0, cache_path=cache)
        assert [p.link for p in problems] == [f"{base}/gone"]
        assert "/ok" not in _CountingHandler.requests  # cached as good
    finally:
        server.shutdown()
        server.server_close()
