"""One rule for a page's URL: the JSON export, the graph, the feed, FtM and the redirects give a record
the address MkDocs gives its page, with directory URLs on and off, with and without a site URL."""

from __future__ import annotations

import json
import shutil
import sys
import xml.etree.ElementTree as ET

import pytest
import yaml
from conftest import MINI, ROOT, make_project, strict_build
from mkdocs.structure.files import File

from generator.build import SiteBuild
from generator.outputs.data_files import DOSSIER_JSON_PATH, FTM_PATH, build_data_files
from generator.outputs.feed import ATOM_NS, FEED_PATH
from generator.outputs.graph import build_graph, graph_json
from generator.pipeline import load_dossier
from generator.settings import SiteSettings, record_path

sys.path.insert(0, str(ROOT / "scripts"))
import check_links  # noqa: E402

SITE_URL = "https://example.org/dossier/"


@pytest.fixture(scope="module")
def dossier():
    return load_dossier(MINI).dossier


def _mkdocs_url(record, directory_urls: bool) -> str:
    """The URL MkDocs itself gives the record's generated page."""
    return File(record_path(record), "docs", "site", directory_urls).url


@pytest.mark.parametrize("directory_urls", [True, False])
@pytest.mark.parametrize("site_url", ["", SITE_URL])
def test_a_record_has_the_same_url_in_the_json_the_graph_the_feed_and_ftm(dossier, directory_urls, site_url):
    settings = SiteSettings(name="Mini", site_url=site_url, directory_urls=directory_urls)
    files, _downloads = build_data_files(dossier, settings)
    document = json.loads(files[DOSSIER_JSON_PATH])
    graph = json.loads(graph_json(build_graph(dossier, settings)))
    feed = ET.fromstring(files[FEED_PATH])
    ftm = {line["id"]: line for line in map(json.loads, files[FTM_PATH].splitlines())}

    expected = {
        record.id: _mkdocs_url(record, directory_urls)
        for record in (*dossier.entities.values(), *dossier.events.values(), *dossier.sources.values())
    }
    assert {entity["id"]: entity["url"] for entity in document["entities"]} == {
        i: expected[i] for i in dossier.entities
    }
    assert {event["id"]: event["url"] for event in document["events"]} == {i: expected[i] for i in dossier.events}
    assert {source["id"]: source["page_url"] for source in document["sources"]} == {
        i: expected[i] for i in dossier.sources
    }
    assert {node["id"]: node["url"] for node in graph["nodes"]} == {i: expected[i] for i in dossier.entities}
    assert {source["id"]: source["url"] for source in graph["sources"]} == {i: expected[i] for i in dossier.sources}

    links = {
        entry.find(f"{{{ATOM_NS}}}title").text: entry.find(f"{{{ATOM_NS}}}link[@rel='alternate']").get("href")
        for entry in feed.iter(f"{{{ATOM_NS}}}entry")
    }
    assert links == {f"{e.human_date}: {e.title}": site_url + expected[e.id] for e in dossier.events.values()}

    page_urls = {
        record_id: line["properties"].get("sourceUrl")
        for record_id, line in ((i.split("-", 2)[2], line) for i, line in ftm.items())
        if line["schema"] != "Article" and record_id in expected
    }
    assert page_urls, "no FtM entity of a record"
    for record_id, urls in page_urls.items():
        assert urls == ([site_url + expected[record_id]] if site_url else None), record_id


@pytest.mark.parametrize("directory_urls", [True, False])
def test_a_redirect_forwards_to_the_records_url(dossier, directory_urls):
    settings = SiteSettings(site_url=SITE_URL, directory_urls=directory_urls)
    acme = dossier.entities["acme"]
    path, html = SiteBuild(dossier, settings=settings).renderer.render_redirect(acme, "acme-old")
    assert path == ("entities/acme-old/index.html" if directory_urls else "entities/acme-old.html")
    assert f'href="{SITE_URL}{_mkdocs_url(acme, directory_urls)}"' in html


#: Pages that link to each other: the home page, folder index pages, record pages, nested folders.
LINKED_PAGES = [
    "index.md",
    "entities/index.md",
    "timeline.md",
    "entities/acme.md",
    "events/2025-01-rule-adopted.md",
    "sources/paper-2025.md",
    "tags/chips.md",
    "types/company/index.md",
    "reference/format.md",
]


@pytest.mark.parametrize("directory_urls", [True, False])
def test_html_links_between_pages_are_the_addresses_mkdocs_gives_them(directory_urls):
    """A link written as HTML (the reference lists) is not rewritten by MkDocs: the engine's own
    relative address must be the one MkDocs computes between the two built pages, for every pair."""
    from mkdocs.utils import get_relative_url

    settings = SiteSettings(directory_urls=directory_urls)
    for from_path in LINKED_PAGES:
        here = File(from_path, "docs", "site", directory_urls).url
        for to_path in LINKED_PAGES:
            there = File(to_path, "docs", "site", directory_urls).url
            assert settings.page_link(from_path, to_path) == get_relative_url(there, here), (from_path, to_path)


def test_reference_list_links_reach_the_built_pages_without_directory_urls(tmp_path):
    """Built by MkDocs with ``use_directory_urls: false``, every link of the site, the HTML reference
    lists' among them, reaches its page and fragment (LinkChecker over the served site; the real
    site's link check covers directory URLs)."""
    content = tmp_path / "content"
    shutil.copytree(MINI, content)
    config = make_project(tmp_path, content)
    settings = yaml.safe_load(config.read_text(encoding="utf-8"))
    settings["use_directory_urls"] = False
    config.write_text(yaml.safe_dump(settings, allow_unicode=True, sort_keys=False), encoding="utf-8")
    site = strict_build(tmp_path / "site", config).site
    page = (site / "entities/acme.html").read_text(encoding="utf-8")
    references = page[page.index('id="references"') :]
    assert '<a href="../sources/paper-2025.html#excerpt-' in references
    assert '<a href="daily-paper.html" title=' in references  # the publisher, in the same folder
    assert check_links.internal_link_problems(site) == []
