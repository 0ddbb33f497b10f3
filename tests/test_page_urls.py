"""One rule for a page's URL: the JSON export, the graph, the feed, FtM and the redirects give a record
the address MkDocs gives its page, with directory URLs on and off, with and without a site URL."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import pytest
from conftest import MINI
from mkdocs.structure.files import File

from generator.build import SiteBuild
from generator.outputs.data_files import DOSSIER_JSON_PATH, FTM_PATH, build_data_files
from generator.outputs.feed import ATOM_NS, FEED_PATH
from generator.outputs.graph import build_graph, graph_json
from generator.pipeline import load_dossier
from generator.settings import SiteSettings, record_path

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
