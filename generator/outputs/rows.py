"""One row builder per record kind: the whole-dossier JSON holds these rows, the CSV tables project them.

Each builder returns a record as written plus what linking derived, as JSON-ready values (ISO
dates, lists, None for what is not given).  :mod:`.data_files` writes the document as JSON and
takes each CSV table's columns from the same rows, so a field has one name and one value in
both.  Rich text keeps its ``[[id]]`` links as written (the record format).
"""

from __future__ import annotations

from ..evidence import voice_words
from ..link import Dossier
from ..model import Entity, Event, PartialDate, Source
from ..settings import SiteSettings

#: Bumped when the layout of ``dossier.json`` changes in a way that breaks readers.
EXPORT_FORMAT_VERSION = 1


def _date(value: PartialDate | None) -> str | None:
    return value.iso() if value else None


def _mentions(dossier: Dossier, record_id: str) -> list[dict]:
    """Where other records' text names this one: the record and the section."""
    return [{"record": m.record, "section": m.section} for m in dossier.mentions_by_record.get(record_id, [])]


def relationship_row(relationship, owner: str, vocabulary) -> dict:
    """A typed relationship as its subject declares it, with both of its labels."""
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


def entity_row(dossier: Dossier, entity: Entity, settings: SiteSettings) -> dict:
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
        "relationships": [relationship_row(r, entity.id, dossier.vocabulary) for r in entity.relationships],
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
        "url": settings.record_url(entity),
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
        "mentioned_in": _mentions(dossier, entity.id),
    }


def event_row(dossier: Dossier, event: Event, settings: SiteSettings) -> dict:
    """An event as written, with its human date and the lifecycle changes it brought."""
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
        "url": settings.record_url(event),
        "former_ids": list(event.former_ids),
        "lifecycle_changes": [
            {"entity": entity_id, "state": state.state}
            for entity_id, state in dossier.lifecycle_by_event.get(event.id, [])
        ],
        "mentioned_in": _mentions(dossier, event.id),
    }


def source_row(dossier: Dossier, source: Source, settings: SiteSettings) -> dict:
    """A source as written (``url`` is the source's own address, ``page_url`` its page here)."""
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
        "page_url": settings.record_url(source),
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
        "excerpts": [excerpt_row(dossier, source, excerpt) for excerpt in source.excerpts],
    }


def excerpt_row(dossier: Dossier, source: Source, excerpt) -> dict:
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


#: The row builder of each record kind; the document lists the records of each kind under the name of
#: the dossier's map of them (``schema.KIND_FOLDERS``), in the order of ``schema.RECORD_KINDS``.
ROW_BUILDERS = {"entity": entity_row, "event": event_row, "source": source_row}


def document_head(dossier: Dossier, settings: SiteSettings) -> dict:
    """What the document holds before its lists of records (sorted by id, :data:`RECORD_LISTS`)."""
    return {
        "format": "dossier-export",
        "version": EXPORT_FORMAT_VERSION,
        "site": {"name": settings.name, "url": settings.site_url},
        "counts": dossier.counts(),
        "relation_types": [
            {"type": r.name, "label": r.label, "inverse_label": r.inverse_label}
            for r in dossier.vocabulary.relation_types
        ],
    }


def former_ids(dossier: Dossier) -> dict[str, str]:
    """What the document holds after its lists of records: every id a record had before it was
    renamed, and its id now (the old address forwards there)."""
    return {
        former: record.id
        for record in (*dossier.entities.values(), *dossier.events.values(), *dossier.sources.values())
        for former in sorted(record.former_ids)
    }
