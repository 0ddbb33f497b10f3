"""Site QA on whole builds: link checking of the real site, byte-identical rebuilds, and
atomic builds that leave the previous site/ untouched on failure and no stale page on success.

Every build goes to a temporary folder or to a copy of the project; the real site/ is never touched.
"""

from __future__ import annotations

import hashlib
import http.server
import json
import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from conftest import pagefind_pages

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
import check_links  # noqa: E402

BUILD_SITE = ROOT / "scripts" / "build_site.py"
COPY_IGNORE = shutil.ignore_patterns(
    ".venv",
    ".git",
    "site",
    ".build",
    "__pycache__",
    "*.egg-info",
    "bench",
    "screenshots",
    ".pytest_cache",
    "node_modules",
)


def build_site(root: Path, site: Path, epoch: str | None = None) -> subprocess.CompletedProcess:
    env = dict(os.environ)
    if epoch:
        env["SOURCE_DATE_EPOCH"] = epoch
    return subprocess.run(
        [sys.executable, str(BUILD_SITE), "--root", str(root), "--site-dir", str(site)],
        capture_output=True,
        text=True,
        env=env,
    )


def tree_digest(folder: Path) -> dict[str, str]:
    return {
        path.relative_to(folder).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


@pytest.fixture(scope="module")
def two_real_builds(tmp_path_factory) -> tuple[Path, Path]:
    """The real project built twice, with SOURCE_DATE_EPOCH from the last commit as `make site` sets it."""
    folder = tmp_path_factory.mktemp("real")
    first, second = folder / "a" / "site", folder / "b" / "site"
    for site in (first, second):
        result = build_site(ROOT, site)
        assert result.returncode == 0, result.stderr
    return first, second


def test_two_builds_of_one_commit_are_byte_identical(two_real_builds):
    first, second = two_real_builds
    digests = tree_digest(first)
    assert len(digests) > 50 and "sitemap.xml.gz" in digests and "pagefind/pagefind-entry.json" in digests
    assert any(name.startswith("pagefind/filter/") for name in digests)  # Pagefind writes these in any order
    assert digests == tree_digest(second)


def test_real_site_has_no_broken_links_or_fragments(two_real_builds):
    problems = check_links.check_site(two_real_builds[0])
    assert [p.format() for p in problems] == []


def test_link_checker_finds_broken_pages_fragments_and_schemes(tmp_path):
    site = tmp_path / "site"
    (site / "a").mkdir(parents=True)
    (site / "index.html").write_text(
        '<html><body><h2 id="here">Here</h2>'
        '<a href="a/">ok</a> <a href="#here">ok</a> <a href="a/#there">ok</a>'
        '<a href="missing/">missing page</a> <a href="a/#nowhere">missing fragment</a>'
        '<a href="javascript:alert(1)">script</a> <a href="https://">no host</a>'
        '<a href="https://example.org/ok">fine</a> <a href="mailto:someone@example.org">mail</a>'
        "</body></html>",
        encoding="utf-8",
    )
    (site / "a" / "index.html").write_text(
        '<html><body><p id="there">x</p><a href="../">up</a></body></html>', encoding="utf-8"
    )
    found = {(p.link, p.reason.split(" ")[0]) for p in check_links.check_site(site)}
    links = {link for link, _ in found}
    assert "/missing/" in links
    assert "/a/#nowhere" in links
    assert "javascript:alert(1)" in links
    assert "https://" in links
    assert not links & {"/a/", "#here", "/a/#there", "https://example.org/ok", "mailto:someone@example.org"}


@pytest.fixture()
def project_copy(tmp_path) -> Path:
    copy = tmp_path / "project"
    shutil.copytree(ROOT, copy, ignore=COPY_IGNORE, symlinks=True)
    return copy


def _extra_source(project: Path) -> Path:
    path = project / "content" / "sources" / "zz-extra-source.yaml"
    path.write_text('title: "An extra source"\nkind: report\n', encoding="utf-8")
    return path


def test_failed_check_or_build_leaves_site_byte_identical_and_success_drops_stale_pages(project_copy):
    site = project_copy / "site"
    extra = _extra_source(project_copy)
    assert build_site(project_copy, site, "1700000000").returncode == 0
    assert (site / "sources" / "zz-extra-source" / "index.html").is_file()
    before = tree_digest(site)

    broken_record = project_copy / "content" / "sources" / "zz-broken.yaml"
    broken_record.write_text('title: "x"\nkind: report\ntitle: "again"\n', encoding="utf-8")
    result = build_site(project_copy, site, "1700000001")
    assert result.returncode == 1 and "duplicate-key" in result.stdout + result.stderr
    assert tree_digest(site) == before
    broken_record.unlink()

    # Passes the record check but fails in MkDocs (a link to a page that does not exist): mkdocs
    # --strict aborts after writing a complete site; site/ must not be that site.
    broken_page = project_copy / "content" / "pages" / "zz-broken.md"
    broken_page.write_text("---\ntitle: Broken\n---\n\nSee [nothing](no-such-page.md).\n", encoding="utf-8")
    result = build_site(project_copy, site, "1700000002")
    assert result.returncode == 1, result.stderr
    assert "WARNING" in result.stderr
    assert tree_digest(site) == before
    assert not list((project_copy / ".build").glob("site.new*"))
    broken_page.unlink()

    # The first build published the extra source: deleting it alone is refused (its address would
    # vanish); deleting its line from the list of published ids too says the page must go.
    extra.unlink()
    result = build_site(project_copy, site, "1700000003")
    assert result.returncode == 1 and "error[vanished-id]" in result.stdout + result.stderr
    assert tree_digest(site) == before
    published = project_copy / "content" / "published-ids.txt"
    published.write_text(published.read_text(encoding="utf-8").replace("zz-extra-source\n", ""), encoding="utf-8")
    assert build_site(project_copy, site, "1700000003").returncode == 0
    assert not (site / "sources" / "zz-extra-source").exists()
    assert "zz-extra-source" not in (site / "sitemap.xml").read_text(encoding="utf-8")
    assert not any("zz-extra-source" in url for url in pagefind_pages(site))
    assert not list((project_copy / ".build").glob("site.*"))


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


def test_online_mode_fetches_external_links_with_retries_and_a_cache(tmp_path):
    """An 'external' host on another loopback address stands in for the web: no network needed."""
    _CountingHandler.requests = []
    server = http.server.ThreadingHTTPServer(("127.0.0.2", 0), _CountingHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
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
        assert f"{base}/ok" in json.loads(cache.read_text(encoding="utf-8"))
        _CountingHandler.requests = []
        problems = check_links.check_site(site, online=True, rate=20, retries=0, cache_path=cache)
        assert [p.link for p in problems] == [f"{base}/gone"]
        assert "/ok" not in _CountingHandler.requests  # cached as good
    finally:
        server.shutdown()
        server.server_close()
