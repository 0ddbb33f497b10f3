"""Where the site is hosted comes from the environment it is built in (DOSSIER_SITE_URL,
DOSSIER_REPO_URL, DOSSIER_EDIT_URI through ``!ENV`` in mkdocs.yml); with no address known the pages
leave the citation address, the edit links and the header's repository link out.  No placeholder
address reaches a reader either way: the real site is built both ways and searched for one."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
import yaml
from conftest import MINI, ROOT, dossier_warnings, make_project, strict_build

PLACEHOLDER = re.compile(r"example\.(org|com|net)|github\.com/example\b|your-?(user(name)?|org|repo)\b", re.IGNORECASE)
ADDRESSES = {
    "DOSSIER_SITE_URL": "https://dossier-team.github.io/chips-dossier/",
    "DOSSIER_REPO_URL": "https://github.com/dossier-team/chips-dossier",
    "DOSSIER_EDIT_URI": "edit/trunk/",
}
ENTITY = Path("entities") / "alibaba" / "index.html"


@pytest.fixture(scope="module")
def sites(real_site, tmp_path_factory) -> dict[str, Path]:
    """The real site built with the three addresses, and without any: the session's shared ``real_site``."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("DOSSIER_")}
    addressed = tmp_path_factory.mktemp("hosting") / "addressed"
    strict_build(addressed, env=dict(env, **ADDRESSES), expected=dossier_warnings(ROOT / "content"))
    assert not ADDRESSES.keys() & os.environ.keys(), "real_site is built without an address (conftest.py)"
    return {"addressed": addressed, "bare": real_site}


# Pagefind's own scripts (written by its binary into pagefind/) parse a page's relative address against a
# dummy origin and strip it again, never shown to a reader; any other example.com in them would still count.
_PAGEFIND_URL_BASE = ("new URL(`https://example.com${", r'.replace(/^https:\/\/example.com/,"")')


def placeholders(site: Path) -> list[str]:
    found = []
    for path in site.rglob("*"):
        if path.is_file():
            text = path.read_text(encoding="utf-8", errors="ignore")
            if path.parent == site / "pagefind" and path.suffix == ".js":
                for dummy in _PAGEFIND_URL_BASE:
                    text = text.replace(dummy, "")
            for match in PLACEHOLDER.finditer(text):
                found.append(f"{path.relative_to(site)}: {match.group(0)}")
    return found


def citation(page: Path) -> str:
    text = page.read_text(encoding="utf-8")
    paragraph = re.search(r'<p class="dossier-citation">(.*?)</p>', text, re.DOTALL).group(1)
    return " ".join(re.sub(r"<[^>]+>", "", paragraph).split())


@pytest.mark.parametrize("kind", ["addressed", "bare"])
def test_no_placeholder_address_anywhere_in_the_built_site(sites, kind):
    assert placeholders(sites[kind]) == []


def test_configuration_and_docs_carry_no_placeholder_address():
    for path in [ROOT / "mkdocs.yml", ROOT / "README.md", ROOT / "CONTRIBUTING.md", *(ROOT / "theme").rglob("*.html")]:
        text = path.read_text(encoding="utf-8")
        assert not PLACEHOLDER.search(text), f"{path.relative_to(ROOT)}: {PLACEHOLDER.search(text).group(0)}"


def test_mkdocs_yml_takes_the_addresses_from_the_environment():
    text = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    assert re.search(r"^site_url: !ENV DOSSIER_SITE_URL$", text, re.MULTILINE)
    assert re.search(r"^repo_url: !ENV DOSSIER_REPO_URL$", text, re.MULTILINE)
    assert re.search(r"^edit_uri: !ENV \[DOSSIER_EDIT_URI, edit/main/\]$", text, re.MULTILINE)


def test_with_addresses_citation_edit_link_and_header_link_use_them(sites):
    page = sites["addressed"] / ENTITY
    html = page.read_text(encoding="utf-8")
    assert citation(page).startswith(
        "“Alibaba”. Chips Across Borders — a dossier. https://dossier-team.github.io/chips-dossier/entities/alibaba/."
    )
    assert (
        '<a class="dossier-edit-link" href="https://github.com/dossier-team/chips-dossier/edit/trunk/content/'
        'entities/alibaba.yaml"'
    ) in html
    assert '<a href="https://github.com/dossier-team/chips-dossier" title="Go to repository" class="md-source">' in html
    assert '<link rel="canonical" href="https://dossier-team.github.io/chips-dossier/entities/alibaba/">' in html
    sitemap = (sites["addressed"] / "sitemap.xml").read_text(encoding="utf-8")
    assert "<loc>https://dossier-team.github.io/chips-dossier/entities/alibaba/</loc>" in sitemap


def test_without_addresses_the_pages_leave_them_out(sites):
    page = sites["bare"] / ENTITY
    html = page.read_text(encoding="utf-8")
    text = citation(page)
    assert text.startswith("“Alibaba”. Chips Across Borders — a dossier.") and "http" not in text
    assert "Built from <code>content/entities/alibaba.yaml</code>" in html
    assert "dossier-edit-link" not in html and "Edit this record" not in html
    assert "md-source" not in html and 'rel="canonical"' not in html
    assert not re.search(r'(href|src)="None', html)
    assert "<loc>" not in (sites["bare"] / "sitemap.xml").read_text(encoding="utf-8")


def test_search_segmenter_caches_its_dictionary_in_the_project_not_in_shared_tmp(tmp_path):
    # /tmp/jieba.cache may belong to another user of the machine; replacing it fails, and the build with it.
    # jieba runs only with mkdocs-material's search listed (the benchmark's comparison; the site uses Pagefind).
    config_path = make_project(tmp_path, MINI)
    config = yaml.safe_load(config_path.read_text(encoding="utf-8"))
    config["plugins"].insert(0, {"search": {"lang": ["en", "ru", "zh"]}})
    config_path.write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False), encoding="utf-8")
    built = strict_build(tmp_path / "site", config_path, own_process=True)  # jieba prints, and keeps its dictionary
    assert (tmp_path / ".build" / "jieba.cache").stat().st_size > 1_000_000
    assert f"Dumping model to file cache {tmp_path / '.build' / 'jieba.cache'}" in built.log
    assert "/tmp/jieba.cache" not in built.log
