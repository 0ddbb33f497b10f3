"""An Atom feed of the dossier's events, newest first (RFC 4287).

The feed is reproducible: every date in it comes from the events (a date known to the month
or the year stands for its first day), never from the clock, so two builds of the same records
give the same bytes.  Entry ids are the events' permanent page URLs when the site has an http(s)
``site_url``, else ``urn:dossier:event:<id>``; either way they never change for a record.

All record text travels as XML text (``type="text"``), escaped by ElementTree, so nothing in a
record can become markup in a feed reader; characters XML 1.0 forbids are dropped.  Only http(s)
URLs become links.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from ..link import Dossier
from ..model import Event, PartialDate
from ..richtext import plain_text
from ..settings import SiteSettings, http_url, record_path

FEED_PATH = "feed.xml"
ATOM_NS = "http://www.w3.org/2005/Atom"
#: Without events the feed still needs an <updated>; this fixed date keeps it reproducible.
EMPTY_FEED_UPDATED = "2000-01-01T00:00:00Z"
_XML_FORBIDDEN_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _text(value: str) -> str:
    return _XML_FORBIDDEN_RE.sub("", value)


def atom_date(date: PartialDate) -> str:
    """An RFC 3339 timestamp for a partial date: its first day, at midnight UTC."""
    return f"{date.year:04d}-{date.month or 1:02d}-{date.day or 1:02d}T00:00:00Z"


class AtomFeed:
    """Builds the feed for one site: ``site_url`` (may be empty) and the MkDocs URL style."""

    def __init__(self, dossier: Dossier, settings: SiteSettings | None = None):
        self.dossier = dossier
        self.settings = settings or SiteSettings()
        self.site_name = self.settings.name or "Dossier"
        self.site_url = self.settings.base_url

    def url(self, site_path: str) -> str:
        """Absolute when the site URL is known; otherwise relative to the feed, which sits at the root."""
        return self.site_url + site_path if (self.site_url or site_path) else "./"

    def event_path(self, event: Event) -> str:
        return self.settings.page_url(record_path(event))

    def entry_id(self, event: Event) -> str:
        return self.url(self.event_path(event)) if self.site_url else f"urn:dossier:event:{event.id}"

    def events_newest_first(self) -> list[Event]:
        return sorted(self.dossier.events.values(), key=lambda e: e.sort_key, reverse=True)

    def _entry(self, feed: ET.Element, event: Event) -> None:
        entry = ET.SubElement(feed, "entry")
        ET.SubElement(entry, "id").text = self.entry_id(event)
        title = ET.SubElement(entry, "title", type="text")
        title.text = _text(f"{event.human_date}: {event.title}")
        ET.SubElement(entry, "updated").text = atom_date(event.date)
        ET.SubElement(entry, "published").text = atom_date(event.date)
        ET.SubElement(entry, "link", rel="alternate", type="text/html", href=self.url(self.event_path(event)))
        for source_id in dict.fromkeys(citation.partition("#")[0] for citation in event.sources):
            source_url = http_url(self.dossier.sources[source_id].url)
            if source_url:
                ET.SubElement(entry, "link", rel="related", href=source_url)
        summary = ET.SubElement(entry, "summary", type="text")
        summary.text = _text(plain_text(self.dossier, event.summary))
        for tag in event.tags:
            ET.SubElement(entry, "category", term=_text(tag))

    def xml(self) -> str:
        events = self.events_newest_first()
        feed = ET.Element("feed", xmlns=ATOM_NS)  # plain names in the default namespace
        ET.SubElement(feed, "id").text = self.url(FEED_PATH) if self.site_url else "urn:dossier:feed"
        ET.SubElement(feed, "title", type="text").text = _text(f"{self.site_name}: events")
        ET.SubElement(feed, "updated").text = max(atom_date(e.date) for e in events) if events else EMPTY_FEED_UPDATED
        author = ET.SubElement(feed, "author")
        ET.SubElement(author, "name").text = _text(self.site_name)
        ET.SubElement(feed, "link", rel="self", type="application/atom+xml", href=self.url(FEED_PATH))
        ET.SubElement(feed, "link", rel="alternate", type="text/html", href=self.url(""))
        ET.SubElement(feed, "generator").text = "dossier-generator"
        for event in events:
            self._entry(feed, event)
        ET.indent(feed)
        return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(feed, encoding="unicode") + "\n"


def atom_feed(dossier: Dossier, settings: SiteSettings | None = None) -> str:
    """The feed's XML text (UTF-8 when encoded)."""
    return AtomFeed(dossier, settings).xml()
