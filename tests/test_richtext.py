"""One flattener of [[links]]: plain words for hover previews, CSV cells, the feed and the timeline."""

from __future__ import annotations

import ast
import csv
import io
import json
import xml.etree.ElementTree as ET

import pytest
from conftest import MINI, ROOT

from generator import escape
from generator.build import site_pages
from generator.outputs.data_files import DOSSIER_JSON_PATH, csv_path
from generator.outputs.feed import ATOM_NS, FEED_PATH
from generator.pipeline import load_dossier
from generator.richtext import plain_text


@pytest.fixture(scope="module")
def dossier():
    return load_dossier(MINI).dossier


@pytest.mark.parametrize(
    ("text", "plain"),
    [
        ("[[acme]] makes [[widget-x]].", "Acme Group makes Widget X."),
        ("[[acme|the group]] and [[widget-x| the chip ]]", "the group and the chip"),
        ("Reported by [[daily-paper]] [[paper-2025]].", "Reported by Daily Paper."),
        ("Growing [[paper-2025#acme-growing]], say [[insiders]] ( [[insiders]] ).", "Growing, say ()."),
        ("See [[2025-03-02-acme-report]]", "See Paper reports on Acme"),
        ("[[no-such-record]] stays named", "no-such-record stays named"),
        ("two\n\nparagraphs   and\ttabs ", "two paragraphs and tabs"),
        ("", ""),
        (None, ""),
    ],
)
def test_links_become_names_and_citations_vanish(dossier, text, plain):
    assert plain_text(dossier, text) == plain


def test_the_same_summary_reads_the_same_in_the_feed_the_csv_the_timeline_and_the_preview(dossier):
    pages = site_pages(dossier)
    event = dossier.events["2025-03-02-acme-report"]
    words = plain_text(dossier, event.summary)
    assert words == "Daily Paper reported on Acme Group, citing."
    feed = ET.fromstring(pages[FEED_PATH])
    assert [s.text for s in feed.iter(f"{{{ATOM_NS}}}summary") if "Acme" in (s.text or "")] == [words]
    rows = list(csv.DictReader(io.StringIO(pages[csv_path("events")])))
    assert next(row for row in rows if row["id"] == event.id)["summary"] == words
    assert f". {escape.inline(words)}<br>" in pages["timeline.md"]
    assert f'"{escape.inline(words)}")' in pages["entities/acme.md"]  # the hover preview of a link to the event
    assert json.loads(pages[DOSSIER_JSON_PATH])["events"][1]["summary"] == event.summary  # JSON keeps the links


def test_no_other_module_flattens_links():
    """Only richtext.py turns [[links]] into words; render.py turns them into Markdown links and citations."""
    substituting = set()
    for path in (ROOT / "generator").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "sub"
                and isinstance(node.func.value, ast.Name)
                and node.func.value.id == "TEXT_LINK_RE"
            ):
                substituting.add(path.relative_to(ROOT).as_posix())
    assert substituting == {"generator/richtext.py", "generator/render.py"}
    assert escape.link_title("[[acme]]") == "&#91;&#91;acme&#93;&#93;"  # escaped as text, not flattened again
