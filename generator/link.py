"""Link checked records into a :class:`Dossier`: inverse relations, timelines, backlinks.

Everything derived is computed here in one pass over the records, so that rendering only
looks things up.  Lookups come in pairs: ``get(id)`` returns None, ``require(id)`` raises.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from .check import TEXT_LINK_RE, relay_path
from .model import Entity, Event, Excerpt, LifecycleState, Page, Record, Relationship, Source, split_citation
from .vocabulary import Vocabulary, default_vocabulary


@dataclass(frozen=True)
class RelationView:
    """A relationship as seen from one entity: outgoing, or incoming with the inverse label."""

    label: str
    other: str  # id of the entity at the other end
    relationship: Relationship
    outgoing: bool
    owner: str  # id of the entity whose file declares it


@dataclass(frozen=True)
class EventRole:
    event: Event
    role: str  # "participant", "place", "topic"
    detail: str | None = None


@dataclass(frozen=True)
class Mention:
    """``record`` mentions the target in ``section`` of its page."""

    record: str
    section: str


@dataclass(frozen=True)
class Citation:
    """``record`` rests on a source (one ``excerpt`` of it, if given) in ``section`` of its page."""

    record: str
    section: str
    excerpt: str | None = None


_SECTION_OF_FIELD = {
    "summary": "Summary",
    "description": "Description",
    "facts": "Key facts",
    "relationships": "Relationships",
    "lifecycle": "Lifecycle",
    "participants": "Participants",
    "place": "Details",
    "topics": "Details",
    "sources": "References",
    "note": "Details",
    "relays": "Relays",
    "publisher": "Details",
    "body": "Text",
}


@dataclass
class Dossier:
    """The whole checked and linked dossier."""

    entities: dict[str, Entity]
    events: dict[str, Event]
    sources: dict[str, Source]
    pages: dict[str, Page] = field(default_factory=dict)
    relations_by_entity: dict[str, list[RelationView]] = field(default_factory=dict)
    events_by_entity: dict[str, list[EventRole]] = field(default_factory=dict)
    mentions_by_record: dict[str, list[Mention]] = field(default_factory=dict)
    citations_by_source: dict[str, list[Citation]] = field(default_factory=dict)
    relayed_by: dict[str, list[str]] = field(default_factory=dict)
    published_by: dict[str, list[str]] = field(default_factory=dict)
    lifecycle_by_event: dict[str, list[tuple[str, LifecycleState]]] = field(default_factory=dict)
    #: Excerpts of other sources whose voice is this source: what it is reported to have said.
    voiced_by: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    events_in_order: list[Event] = field(default_factory=list)
    # (previous, next) on the timeline by event id: one entry a page reads, so that an incremental
    # render (generator/incremental.py) sees which event pages a move on the timeline reaches.
    event_neighbours: dict[str, tuple[Event | None, Event | None]] = field(default_factory=dict, repr=False)
    vocabulary: Vocabulary = field(default_factory=default_vocabulary)

    def get(self, record_id: str) -> Record | None:
        return self.entities.get(record_id) or self.events.get(record_id) or self.sources.get(record_id)

    def require(self, record_id: str) -> Record:
        record = self.get(record_id)
        if record is None:
            raise KeyError(f"no record with id {record_id!r} in the dossier")
        return record

    def excerpt(self, citation: str) -> Excerpt | None:
        """The excerpt a 'source-id#excerpt-id' citation names (None for a whole source)."""
        source_id, excerpt_id = split_citation(citation)
        source = self.sources.get(source_id)
        return source.excerpt(excerpt_id) if source is not None and excerpt_id else None

    def voice_chain(self, citation: str) -> list[Source]:
        """Who speaks in a citation, from the cited source down to the excerpt's voice.

        [CNews article, FT report, FT's informants] for an excerpt of the CNews article whose voice is
        the informants; just [source] for a whole source or an excerpt in the source's own voice.
        """
        source_id, _ = split_citation(citation)
        excerpt = self.excerpt(citation)
        chain = [source_id]
        if excerpt is not None and excerpt.voice and excerpt.voice != source_id:
            chain = relay_path(source_id, excerpt.voice, self._relays_of) or [source_id, excerpt.voice]
        return [self.sources[s] for s in chain if s in self.sources]

    def _relays_of(self, source_id: str) -> tuple[str, ...]:
        source = self.sources.get(source_id)
        return source.relays if source is not None else ()

    def relayed_by_chain(self, source_id: str) -> list[tuple[int, Source]]:
        """Every source that relays this one, directly (depth 1) or through others, breadth first."""
        seen = {source_id}
        found: list[tuple[int, Source]] = []
        frontier = [source_id]
        depth = 0
        while frontier:
            depth += 1
            next_frontier = []
            for current in frontier:
                for relayer in self.relayed_by.get(current, ()):
                    if relayer not in seen and relayer in self.sources:
                        seen.add(relayer)
                        found.append((depth, self.sources[relayer]))
                        next_frontier.append(relayer)
            frontier = next_frontier
        return found

    def entities_of_type(self, entity_type: str) -> list[Entity]:
        return sorted((e for e in self.entities.values() if e.type == entity_type), key=lambda e: e.name.lower())

    def counts(self) -> dict[str, int]:
        return {"entities": len(self.entities), "events": len(self.events), "sources": len(self.sources)}

    def previous_and_next(self, event: Event) -> tuple[Event | None, Event | None]:
        return self.event_neighbours[event.id]


def _text_fields(record: Record):
    """(field name, text) for every text field of a record that may hold [[links]]."""
    if isinstance(record, Entity):
        yield "summary", record.summary
        if record.description:
            yield "description", record.description
        for fact in record.facts:
            yield "facts", fact.value
        for relationship in record.relationships:
            if relationship.note:
                yield "relationships", relationship.note
        for state in record.lifecycle:
            if state.note:
                yield "lifecycle", state.note
    elif isinstance(record, Event):
        yield "summary", record.summary
        if record.description:
            yield "description", record.description
    elif isinstance(record, Source) and record.note:
        yield "note", record.note


def _cited_sources(record: Record):
    """(field name, citation) for every citation a record makes ('source-id' or 'source-id#excerpt-id').

    Inline [[links]] to records that are not sources are yielded too; callers keep the sources.
    """
    for name, text in _text_fields(record):
        for match in TEXT_LINK_RE.finditer(text):
            yield name, match.group(1).strip()
    if isinstance(record, Entity):
        for source_id in record.sources:
            yield "summary", source_id
        for fact in record.facts:
            for source_id in fact.sources:
                yield "facts", source_id
        for relationship in record.relationships:
            for source_id in relationship.sources:
                yield "relationships", source_id
        for state in record.lifecycle:
            for source_id in state.sources:
                yield "lifecycle", source_id
    elif isinstance(record, Event):
        for source_id in record.sources:
            yield "summary", source_id


def link_dossier(
    entities: list[Entity],
    events: list[Event],
    sources: list[Source],
    pages: list[Page] = (),
    vocabulary: Vocabulary | None = None,
) -> Dossier:
    dossier = Dossier(
        entities={e.id: e for e in entities},
        events={e.id: e for e in events},
        sources={s.id: s for s in sources},
        pages={p.id: p for p in pages},
        vocabulary=vocabulary or default_vocabulary(),
    )
    relations: dict[str, list[RelationView]] = defaultdict(list)
    event_roles: dict[str, list[EventRole]] = defaultdict(list)
    mentions: dict[str, set[Mention]] = defaultdict(set)
    citations: dict[str, set[Citation]] = defaultdict(set)

    for entity in dossier.entities.values():
        for relationship in entity.relationships:
            relation = dossier.vocabulary.relation_types_by_name[relationship.type]
            relations[entity.id].append(
                RelationView(relation.label, relationship.target, relationship, True, entity.id)
            )
            relations[relationship.target].append(
                RelationView(relation.inverse_label, entity.id, relationship, False, entity.id)
            )
        for state in entity.lifecycle:
            if state.event:
                dossier.lifecycle_by_event.setdefault(state.event, []).append((entity.id, state))

    dossier.events_in_order = sorted(dossier.events.values(), key=lambda e: e.sort_key)
    ordered = dossier.events_in_order
    dossier.event_neighbours = {
        event.id: (ordered[index - 1] if index > 0 else None, ordered[index + 1] if index + 1 < len(ordered) else None)
        for index, event in enumerate(ordered)
    }
    for event in dossier.events_in_order:
        for participant in event.participants:
            event_roles[participant.entity].append(EventRole(event, "participant", participant.role))
        if event.place:
            event_roles[event.place].append(EventRole(event, "place"))
        for topic in event.topics:
            event_roles[topic].append(EventRole(event, "topic"))

    all_records: list[Record] = [*dossier.entities.values(), *dossier.events.values(), *dossier.sources.values()]
    for record in all_records:
        for name, text in _text_fields(record):
            for match in TEXT_LINK_RE.finditer(text):
                target, excerpt = split_citation(match.group(1).strip())
                if target in dossier.sources or excerpt is not None:
                    continue
                if target != record.id:
                    mentions[target].add(Mention(record.id, _SECTION_OF_FIELD.get(name, "Text")))
        for name, citation in _cited_sources(record):
            source_id, excerpt_id = split_citation(citation)
            citations[source_id].add(Citation(record.id, _SECTION_OF_FIELD.get(name, "Text"), excerpt_id))
        if isinstance(record, Source):
            for excerpt in record.excerpts:
                if excerpt.voice and excerpt.voice != record.id:
                    dossier.voiced_by.setdefault(excerpt.voice, []).append((record.id, excerpt.id))
            for relayed in record.relays:
                dossier.relayed_by.setdefault(relayed, []).append(record.id)
            if record.publisher:
                dossier.published_by.setdefault(record.publisher, []).append(record.id)
    for page in dossier.pages.values():
        for match in TEXT_LINK_RE.finditer(page.body):
            target, _excerpt = split_citation(match.group(1).strip())
            mentions[target].add(Mention("page:" + page.id, page.title))

    dossier.relations_by_entity = {
        key: sorted(
            views,
            key=lambda v: (v.label, dossier.entities[v.other].name.lower() if v.other in dossier.entities else v.other),
        )
        for key, views in relations.items()
    }
    dossier.events_by_entity = dict(event_roles)
    dossier.mentions_by_record = {
        key: sorted(value, key=lambda m: (m.record, m.section)) for key, value in mentions.items()
    }
    dossier.citations_by_source = {
        key: sorted(value, key=lambda c: (c.record, c.section, c.excerpt or ""))
        for key, value in citations.items()
        if key in dossier.sources
    }
    return dossier
