"""The dossier as downloadable data: one JSON file, CSV tables per kind, FollowTheMoney entities.

:func:`build_exports` maps site paths (``data/dossier.json`` ...) to file text.  Everything
is derived from the linked :class:`~generator.link.Dossier` and sorted by id, with no build
time in it, so two builds of the same records give byte-identical files.

Record text stays plain data here: JSON strings, CSV cells and FtM property values are never
markup.  Rich text keeps its ``[[id]]`` links as written in the records (the record format),
and CSV cells that a spreadsheet would read as a formula are prefixed with a single quote.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass

from . import schema
from .check import TEXT_LINK_RE
from .evidence import voice_words
from .feeds import FEED_PATH, atom_feed, plain_summary
from .link import Dossier
from .model import Entity, Event, PartialDate, Source

DATA_DIR = "data"
DATA_PAGE_PATH = "data.md"
DOSSIER_JSON_PATH = f"{DATA_DIR}/dossier.json"
FTM_PATH = f"{DATA_DIR}/entities.ftm.json"
#: Bumped when the layout of ``dossier.json`` changes in a way that breaks readers.
EXPORT_FORMAT_VERSION = 1
#: Characters that make a spreadsheet read a cell as a formula (OWASP "CSV injection").
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
LIST_SEPARATOR = ";"


@dataclass(frozen=True)
class Download:
    """One file of the data page: where it lives, what it holds, how big it is."""

    path: str
    title: str
    description: str
    size: int
    count: int | None = None
    count_nouns: tuple[str, str] = ("row", "rows")  # singular, plural

    @property
    def count_text(self) -> str:
        """'1 row', '12 rows'; empty when the file has no count."""
        if self.count is None:
            return ""
        return f"{self.count} {self.count_nouns[0] if self.count == 1 else self.count_nouns[1]}"


def page_url(record, directory_urls: bool = True) -> str:
    """The site-relative URL of a record's page (as MkDocs writes it)."""
    folder = schema.KIND_FOLDERS[record.kind]
    return f"{folder}/{record.id}/" if directory_urls else f"{folder}/{record.id}.html"


def _date(value: PartialDate | None) -> str | None:
    return value.iso() if value else None


def _relationship_dict(relationship, owner: str, vocabulary) -> dict:
    relation = vocabulary.relation_types_by_name[relationship.type]
    return {
        "subject": owner,
        "type": relationship.type,
        "label": relation.label,
        "inverse_label": relation.inverse_label,
        "object": relationship.target,
        "since": _date(relationship.since),
        "until": _date(relationship.until),
        "qualifier": relationship.qualifier,
        "note": relationship.note,
        "sources": list(relationship.sources),
    }


def entity_dict(dossier: Dossier, entity: Entity, directory_urls: bool = True) -> dict:
    """An entity as written, plus what linking derived: relations both ways, events, mentions."""
    return {
        "id": entity.id,
        "kind": "entity",
        "type": entity.type,
        "name": entity.name,
        "aliases": [{"name": a.name, "lang": a.lang, "note": a.note} for a in entity.aliases],
        "summary": entity.summary,
        "description": entity.description,
        "facts": {fact.key: {"value": fact.value, "sources": list(fact.sources)} for fact in entity.facts},
        "relationships": [_relationship_dict(r, entity.id, dossier.vocabulary) for r in entity.relationships],
        "lifecycle": [
            {
                "state": s.state,
                "date": s.date.iso(),
                "qualifier": s.qualifier,
                "note": s.note,
                "event": s.event,
                "sources": list(s.sources),
            }
            for s in entity.lifecycle
        ],
        "tags": list(entity.tags),
        "sources": list(entity.sources),
        "url": page_url(entity, directory_urls),
        "former_ids": list(entity.former_ids),
        # Derived: every relation this entity stands in, incoming ones under their inverse label.
        "relations": [
            {
                "label": view.label,
                "type": view.relationship.type,
                "direction": "outgoing" if view.outgoing else "incoming",
                "other": view.other,
                "declared_by": view.owner,
            }
            for view in dossier.relations_by_entity.get(entity.id, [])
        ],
        "events": [
            {"event": role.event.id, "role": role.role, "detail": role.detail}
            for role in dossier.events_by_entity.get(entity.id, [])
        ],
        "mentioned_in": [
            {"record": m.record, "section": m.section} for m in dossier.mentions_by_record.get(entity.id, [])
        ],
    }


def event_dict(dossier: Dossier, event: Event, directory_urls: bool = True) -> dict:
    return {
        "id": event.id,
        "kind": "event",
        "date": event.date.iso(),
        "date_precision": event.date.precision,
        "qualifier": event.qualifier,
        "human_date": event.human_date,
        "title": event.title,
        "summary": event.summary,
        "description": event.description,
        "participants": [{"entity": p.entity, "role": p.role} for p in event.participants],
        "place": event.place,
        "topics": list(event.topics),
        "tags": list(event.tags),
        "sources": list(event.sources),
        "url": page_url(event, directory_urls),
        "former_ids": list(event.former_ids),
        "lifecycle_changes": [
            {"entity": entity_id, "state": state.state}
            for entity_id, state in dossier.lifecycle_by_event.get(event.id, [])
        ],
        "mentioned_in": [
            {"record": m.record, "section": m.section} for m in dossier.mentions_by_record.get(event.id, [])
        ],
    }


def source_dict(dossier: Dossier, source: Source, directory_urls: bool = True) -> dict:
    return {
        "id": source.id,
        "kind": "source",
        "title": source.title,
        "title_en": source.title_en,
        "source_kind": source.kind_of_source,
        "publisher": source.publisher,
        "date": _date(source.date),
        "qualifier": source.qualifier,
        "language": source.language,
        "url": source.url,
        "relays": list(source.relays),
        "note": source.note,
        "page_url": page_url(source, directory_urls),
        "former_ids": list(source.former_ids),
        "archive_url": source.archive_url,
        "stored_text": {"path": source.stored_text.path, "origin": source.stored_text.origin}
        if source.stored_text
        else None,
        "relayed_by": sorted(dossier.relayed_by.get(source.id, [])),
        "cited_by": [
            {"record": c.record, "section": c.section, "excerpt": c.excerpt}
            for c in dossier.citations_by_source.get(source.id, [])
        ],
        "excerpts": [excerpt_dict(dossier, source, excerpt) for excerpt in source.excerpts],
    }


def excerpt_dict(dossier: Dossier, source: Source, excerpt) -> dict:
    """An excerpt as written, with its citation, the chain of voices and who rests on it."""
    citation = f"{source.id}#{excerpt.id}"
    location = excerpt.location
    return {
        "id": excerpt.id,
        "citation": citation,
        "quote": excerpt.quote,
        "translation": excerpt.translation,
        "lang": excerpt.lang or source.language,
        "location": {
            "section": location.section,
            "paragraph": location.paragraph,
            "page": location.page,
            "timestamp": location.timestamp,
        }
        if location
        else None,
        "voice": excerpt.voice or source.id,
        "voice_chain": [s.id for s in dossier.voice_chain(citation)],
        "voice_text": voice_words(dossier, citation),
        "note": excerpt.note,
        "cited_by": sorted(
            {c.record for c in dossier.citations_by_source.get(source.id, []) if c.excerpt == excerpt.id}
        ),
    }


def dossier_document(dossier: Dossier, site_meta: dict | None = None) -> dict:
    """The whole dossier as one JSON-ready document, records sorted by id."""
    site_meta = site_meta or {}
    directory_urls = site_meta.get("directory_urls", True)
    return {
        "format": "dossier-export",
        "version": EXPORT_FORMAT_VERSION,
        "site": {"name": site_meta.get("name", ""), "url": site_meta.get("url", "")},
        "counts": dossier.counts(),
        "relation_types": [
            {"type": r.name, "label": r.label, "inverse_label": r.inverse_label}
            for r in dossier.vocabulary.relation_types
        ],
        "entities": [entity_dict(dossier, dossier.entities[i], directory_urls) for i in sorted(dossier.entities)],
        "events": [event_dict(dossier, dossier.events[i], directory_urls) for i in sorted(dossier.events)],
        "sources": [source_dict(dossier, dossier.sources[i], directory_urls) for i in sorted(dossier.sources)],
        # Every id a record had before it was renamed, and its id now: the old address forwards there.
        "former_ids": {
            former: record.id
            for record in (*dossier.entities.values(), *dossier.events.values(), *dossier.sources.values())
            for former in sorted(record.former_ids)
        },
    }


def spreadsheet_safe(value) -> str:
    """A CSV cell: None as empty, lists joined, and formula-looking text defused with a quote."""
    if value is None:
        return ""
    if isinstance(value, (list, tuple)):
        value = LIST_SEPARATOR.join(str(item) for item in value)
    text = str(value)
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def _csv_text(columns: list[str], rows: list[dict]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\r\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({column: spreadsheet_safe(row.get(column)) for column in columns})
    return buffer.getvalue()


#: CSV tables: file name -> (columns, description).  Rows are built by :func:`csv_tables`.
CSV_TABLES: dict[str, tuple[list[str], str]] = {
    "entities": (
        ["id", "type", "name", "summary", "description", "tags", "sources", "url", "former_ids"],
        "one row per entity",
    ),
    "events": (
        [
            "id",
            "date",
            "date_precision",
            "qualifier",
            "title",
            "summary",
            "place",
            "topics",
            "tags",
            "sources",
            "url",
            "former_ids",
        ],
        "one row per event, oldest first",
    ),
    "sources": (
        [
            "id",
            "title",
            "title_en",
            "kind",
            "publisher",
            "date",
            "qualifier",
            "language",
            "url",
            "relays",
            "note",
            "former_ids",
        ],
        "one row per source",
    ),
    "relationships": (
        ["subject", "type", "label", "inverse_label", "object", "since", "until", "qualifier", "note", "sources"],
        "one row per typed relationship, as declared by its subject",
    ),
    "participants": (["event", "date", "entity", "role"], "one row per entity taking part in an event"),
    "aliases": (["entity", "name", "lang", "note"], "one row per other name of an entity"),
    "facts": (["entity", "key", "value", "sources"], "one row per key fact of an entity"),
    "lifecycle": (
        ["entity", "state", "date", "qualifier", "event", "note", "sources"],
        "one row per dated state of an entity that has a lifecycle",
    ),
    "excerpts": (
        [
            "source",
            "id",
            "citation",
            "quote",
            "translation",
            "lang",
            "section",
            "paragraph",
            "page",
            "timestamp",
            "voice",
            "voice_chain",
            "voice_text",
            "note",
            "cited_by",
        ],
        "one row per quoted passage of a source, with whose voice it is and the records resting on it",
    ),
}


#: Rich-text columns of the CSV tables: the cell holds the text as a reader sees it ([[links]] become
#: names, citations go), and a ``<column>_links`` column beside it lists the ids the text names
#: (``source-id#excerpt-id`` for a citation).  The JSON keeps the text as written.
CSV_RICH_COLUMNS: dict[str, tuple[str, ...]] = {
    "entities": ("summary", "description"),
    "events": ("summary",),
    "sources": ("note",),
    "relationships": ("note",),
    "facts": ("value",),
    "lifecycle": ("note",),
}
for _table, _rich_columns in CSV_RICH_COLUMNS.items():
    _columns = CSV_TABLES[_table][0]
    for _column in _rich_columns:
        _columns.insert(_columns.index(_column) + 1, f"{_column}_links")


def _readable(dossier: Dossier, rows: dict[str, list[dict]]) -> None:
    for table, columns in CSV_RICH_COLUMNS.items():
        for row in rows[table]:
            for column in columns:
                text = row.get(column)
                if text:
                    row[f"{column}_links"] = list(
                        dict.fromkeys(m.group(1).strip() for m in TEXT_LINK_RE.finditer(text))
                    )
                    row[column] = plain_summary(dossier, text)


def csv_rows(dossier: Dossier, directory_urls: bool = True) -> dict[str, list[dict]]:
    """The rows of every CSV table, keyed like :data:`CSV_TABLES`."""
    entities = [dossier.entities[i] for i in sorted(dossier.entities)]
    rows: dict[str, list[dict]] = {name: [] for name in CSV_TABLES}
    for entity in entities:
        rows["entities"].append(
            {
                "id": entity.id,
                "type": entity.type,
                "name": entity.name,
                "summary": entity.summary,
                "description": entity.description,
                "tags": entity.tags,
                "sources": entity.sources,
                "url": page_url(entity, directory_urls),
                "former_ids": entity.former_ids,
            }
        )
        rows["relationships"].extend(_relationship_dict(r, entity.id, dossier.vocabulary) for r in entity.relationships)
        rows["aliases"].extend(
            {"entity": entity.id, "name": a.name, "lang": a.lang, "note": a.note} for a in entity.aliases
        )
        rows["facts"].extend(
            {"entity": entity.id, "key": f.key, "value": f.value, "sources": f.sources} for f in entity.facts
        )
        rows["lifecycle"].extend(
            {
                "entity": entity.id,
                "state": s.state,
                "date": s.date.iso(),
                "qualifier": s.qualifier,
                "event": s.event,
                "note": s.note,
                "sources": s.sources,
            }
            for s in entity.lifecycle
        )
    for event in dossier.events_in_order:
        rows["events"].append(
            {
                "id": event.id,
                "date": event.date.iso(),
                "date_precision": event.date.precision,
                "qualifier": event.qualifier,
                "title": event.title,
                "summary": event.summary,
                "place": event.place,
                "topics": event.topics,
                "tags": event.tags,
                "sources": event.sources,
                "url": page_url(event, directory_urls),
                "former_ids": event.former_ids,
            }
        )
        rows["participants"].extend(
            {"event": event.id, "date": event.date.iso(), "entity": p.entity, "role": p.role}
            for p in event.participants
        )
    for source_id in sorted(dossier.sources):
        source = dossier.sources[source_id]
        rows["sources"].append(
            {
                "id": source.id,
                "title": source.title,
                "title_en": source.title_en,
                "kind": source.kind_of_source,
                "publisher": source.publisher,
                "date": _date(source.date),
                "qualifier": source.qualifier,
                "language": source.language,
                "url": source.url,
                "relays": source.relays,
                "note": source.note,
                "former_ids": source.former_ids,
            }
        )
        for excerpt in source.excerpts:
            row = excerpt_dict(dossier, source, excerpt)
            location = row.pop("location") or {}
            rows["excerpts"].append({"source": source.id, **row, **location})
    _readable(dossier, rows)
    return rows


def csv_path(table: str) -> str:
    return f"{DATA_DIR}/{table}.csv"


def _json_text(document) -> str:
    """Compact JSON: Python's fast C encoder serves only unindented output (an indented dossier of
    10,000 records took 5 s to write); browsers and ``jq`` lay it out for reading."""
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")) + "\n"


def build_exports(dossier: Dossier, site_meta: dict | None = None) -> tuple[dict[str, str], list[Download]]:
    """Every data file of the site, and the list the data page shows (in the page's order)."""
    from .ftm import ftm_lines  # imports followthemoney, which is slow to load: only when exporting

    site_meta = site_meta or {}
    directory_urls = site_meta.get("directory_urls", True)
    files: dict[str, str] = {}
    downloads: list[Download] = []

    document = dossier_document(dossier, site_meta)
    files[DOSSIER_JSON_PATH] = _json_text(document)
    counts = dossier.counts()
    downloads.append(
        Download(
            DOSSIER_JSON_PATH,
            "The whole dossier (JSON)",
            "every record as written, with relations in both directions, event roles, mentions and citations resolved",
            len(files[DOSSIER_JSON_PATH].encode("utf-8")),
            sum(counts.values()),
            ("record", "records"),
        )
    )

    for table, table_rows in csv_rows(dossier, directory_urls).items():
        columns, description = CSV_TABLES[table]
        path = csv_path(table)
        files[path] = _csv_text(columns, table_rows)
        downloads.append(
            Download(
                path, f"{table.capitalize()} (CSV)", description, len(files[path].encode("utf-8")), len(table_rows)
            )
        )

    lines = ftm_lines(dossier, site_meta)
    files[FTM_PATH] = "".join(line + "\n" for line in lines)
    downloads.append(
        Download(
            FTM_PATH,
            "FollowTheMoney entities (line-delimited JSON)",
            "for Aleph, OpenSanctions tools and the ftm command line: organizations, people, places, assets, "
            "relationships, events and the sources that document them",
            len(files[FTM_PATH].encode("utf-8")),
            len(lines),
            ("entity", "entities"),
        )
    )

    files[FEED_PATH] = atom_feed(dossier, site_meta)
    downloads.append(
        Download(
            FEED_PATH,
            "Atom feed of events",
            "every event, newest first, for a feed reader; dates are the events' own",
            len(files[FEED_PATH].encode("utf-8")),
            len(dossier.events),
            ("entry", "entries"),
        )
    )
    return files, downloads
