"""The Atom feed of events: valid for feedparser, newest first, reproducible, text stays text."""

from __future__ import annotations

import dataclasses
import time
import xml.etree.ElementTree as ET

import feedparser
import pytest
from conftest import ROOT

from generator.model import PartialDate, split_citation
from generator.outputs.feed import ATOM_NS, atom_date, atom_feed
from generator.pipeline import load_dossier
from generator.settings import SiteSettings

SITE_META = SiteSettings(name='Chips <&> "Borders"', site_url="https://example.org/dossier/", directory_urls=True)


@pytest.fixture(scope="module")
def real_dossier():
    return load_dossier(ROOT / "content").dossier


@pytest.fixture(scope="module")
def real_feed(real_dossier):
    return feedparser.parse(atom_feed(real_dossier, SITE_META).encode("utf-8"))


def test_feed_parses_cleanly_with_one_entry_per_event(real_dossier, real_feed):
    assert real_feed.bozo is False or real_feed.bozo == 0, real_feed.get("bozo_exception")
    assert real_feed.version == "atom10"
    assert len(real_feed.entries) == len(real_dossier.events)
    assert len({entry.id for entry in real_feed.entries}) == len(real_feed.entries)
    assert real_feed.feed.title == 'Chips <&> "Borders": events'


def test_entries_run_newest_first(real_dossier, real_feed):
    updated = [entry.updated_parsed for entry in real_feed.entries]
    assert updated == sorted(updated, reverse=True)
    newest = max(real_dossier.events.values(), key=lambda e: e.sort_key)
    assert real_feed.entries[0].id == f"https://example.org/dossier/events/{newest.id}/"
    oldest = min(real_dossier.events.values(), key=lambda e: e.sort_key)
    assert real_feed.entries[-1].id == f"https://example.org/dossier/events/{oldest.id}/"


def test_dates_come_from_the_events_never_from_the_clock(real_dossier, real_feed):
    by_id = {f"https://example.org/dossier/events/{e.id}/": e for e in real_dossier.events.values()}
    for entry in real_feed.entries:
        assert entry.updated == atom_date(by_id[entry.id].date)
    assert real_feed.feed.updated == max(atom_date(e.date) for e in real_dossier.events.values())
    first = atom_feed(real_dossier, SITE_META)
    time.sleep(1.1)
    assert atom_feed(real_dossier, SITE_META) == first


@pytest.mark.parametrize(
    "date, expected",
    [
        (PartialDate(2025), "2025-01-01T00:00:00Z"),
        (PartialDate(2025, 4), "2025-04-01T00:00:00Z"),
        (PartialDate(2025, 11, 27), "2025-11-27T00:00:00Z"),
    ],
)
def test_partial_dates_stand_for_their_first_day(date, expected):
    assert atom_date(date) == expected


def test_every_link_is_http_and_points_into_the_site_or_to_a_source(real_dossier, real_feed):
    source_urls = {s.url for s in real_dossier.sources.values() if s.url}
    hrefs = [link.href for entry in real_feed.entries for link in entry.links]
    assert hrefs
    for href in hrefs:
        assert href.startswith("https://example.org/dossier/events/") or href in source_urls, href
    assert {link.rel for entry in real_feed.entries for link in entry.links} >= {"alternate"}


def test_summaries_are_plain_words_without_link_syntax(real_dossier, real_feed):
    for entry in real_feed.entries:
        assert "[[" not in entry.summary and "]]" not in entry.summary
        assert entry.summary_detail.type == "text/plain"


def test_hostile_record_text_never_becomes_markup(real_dossier):
    event = real_dossier.events_in_order[-1]
    hostile_title = '<script>alert(1)</script> ]]> & "x" \x01\x0b end'
    hostile_summary = "<img src=x onerror=alert(1)> & <![CDATA[ boom ]]>"
    source_id, _excerpt = split_citation(event.sources[0])  # the real dossier cites excerpts
    hostile_source = dataclasses.replace(real_dossier.sources[source_id], url="javascript:alert(1)")
    hostile = dataclasses.replace(event, title=hostile_title, summary=hostile_summary, tags=("a&b<c",))
    dossier = dataclasses.replace(
        real_dossier,
        events={**real_dossier.events, event.id: hostile},
        sources={**real_dossier.sources, source_id: hostile_source},
    )
    text = atom_feed(dossier, SiteSettings(name="<b>site</b>", site_url="javascript:alert(2)"))
    assert "<script" not in text and "<img" not in text and "<b>" not in text and "javascript:" not in text
    root = ET.fromstring(text.encode("utf-8"))  # well-formed XML despite control characters
    assert root.tag == f"{{{ATOM_NS}}}feed"
    parsed = feedparser.parse(text.encode("utf-8"))
    assert not parsed.bozo, parsed.get("bozo_exception")
    entry = next(e for e in parsed.entries if e.id == f"urn:dossier:event:{event.id}")
    assert entry.title.endswith('<script>alert(1)</script> ]]> & "x"  end')  # shown as the text it is
    assert entry.summary == hostile_summary
    assert entry.tags[0].term == "a&b<c"
    assert all(not link.href.lower().startswith("javascript") for e in parsed.entries for link in e.links)


def test_without_a_site_url_ids_are_urns_and_links_relative(real_dossier):
    parsed = feedparser.parse(atom_feed(real_dossier, SiteSettings()).encode("utf-8"))
    assert not parsed.bozo
    event = real_dossier.events_in_order[0]
    entry = next(e for e in parsed.entries if e.id == f"urn:dossier:event:{event.id}")
    assert entry.link == f"events/{event.id}/"


def test_links_follow_the_mkdocs_url_style(real_dossier):
    parsed = feedparser.parse(
        atom_feed(real_dossier, dataclasses.replace(SITE_META, directory_urls=False)).encode("utf-8")
    )
    assert all(entry.link.endswith(".html") for entry in parsed.entries)


def test_an_empty_dossier_still_gives_a_valid_feed(real_dossier):
    empty = dataclasses.replace(real_dossier, events={}, events_in_order=[])
    parsed = feedparser.parse(atom_feed(empty, SITE_META).encode("utf-8"))
    assert not parsed.bozo and parsed.entries == []


def test_a_thousand_record_dossier_gives_a_valid_feed(thousand_record_content):
    dossier = load_dossier(thousand_record_content).dossier
    parsed = feedparser.parse(atom_feed(dossier, SITE_META).encode("utf-8"))
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert len(parsed.entries) == len(dossier.events) > 100
    updated = [entry.updated_parsed for entry in parsed.entries]
    assert updated == sorted(updated, reverse=True)
