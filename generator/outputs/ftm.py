"""The dossier as FollowTheMoney entities, for Aleph, OpenSanctions tools and ``ftm``.

The mapping comes from the dossier's vocabulary (:mod:`generator.vocabulary`):

* an entity type's ``ftm`` names the schema its entities become (``Address`` takes the name as
  ``full`` too); types without one have no FtM counterpart and are left out, with the links
  that touch them.
* a relation type's ``ftm`` names a link schema and the properties of its subject and object
  (``Ownership``: ``owner``, ``asset``), or a property of the subject that points at the
  object (``addressEntity``, when the object is an ``Address``); anything else, or any pair the
  FtM ranges do not allow, becomes ``UnknownLink`` with the relation's label as ``role``.
* events -> ``Event`` (participants as ``involved``, the place as ``addressEntity``).
* sources -> ``Article`` (title, publisher's name, date, language, ``sourceUrl``) and one
  ``Documentation`` link from a source to each exported record that cites it.

Ids are ``dossier-<kind>-<record id>`` (links: subject, type and object joined by dots, which
record ids never hold, and a counter for repeats), so they stay the same from build to build
and never clash with other datasets.
"""

from __future__ import annotations

import json

from followthemoney import model
from followthemoney.proxy import EntityProxy

from ..evidence import voice_words
from ..link import Dossier
from ..model import Entity, Relationship
from ..pieces import EveryPiece
from ..schema import KIND_FOLDERS, RECORD_KINDS
from ..settings import SiteSettings, http_url

ID_PREFIX = "dossier"

FALLBACK_LINK = ("UnknownLink", "subject", "object")


def entity_id(kind: str, record_id: str) -> str:
    return f"{ID_PREFIX}-{kind}-{record_id}"


def _fits(link_schema: str, prop: str, ftm_schema: str) -> bool:
    """Whether an entity of ``ftm_schema`` may stand in ``prop`` of ``link_schema``."""
    link_property = model.get(link_schema).get(prop)
    return (
        link_property is not None
        and link_property.range is not None
        and model.get(ftm_schema).is_a(link_property.range)
    )


#: Property types whose cleaning depends on the value alone (not on the entity), and is costly.
CLEANED_ONCE_TYPES = frozenset({"url", "date"})


class FtmBuilder:
    """Builds the proxies; :meth:`proxies` returns them sorted by id."""

    def __init__(self, dossier: Dossier, settings: SiteSettings | None = None):
        self.dossier = dossier
        self.settings = settings or SiteSettings()
        self.by_id: dict[str, EntityProxy] = {}
        self._cleaned: dict[tuple, str | None] = {}

    def _add(self, proxy: EntityProxy, prop_name: str, values) -> None:
        """``proxy.add``, with each distinct URL and date cleaned once a build.

        FtM parses every URL and date it is given; a large dossier gives the same few source
        URLs and dates tens of thousands of times, which was half the export's time.
        """
        prop = proxy.schema.properties.get(prop_name)
        if prop is None or prop.type.name not in CLEANED_ONCE_TYPES or not isinstance(values, (str, type(None))):
            proxy.add(prop_name, values)
            return
        if not values:
            return
        key = (prop.type.name, prop.format, values)
        if key not in self._cleaned:
            self._cleaned[key] = prop.type.clean(values, format=prop.format, proxy=proxy)
        if self._cleaned[key] is not None:
            proxy.unsafe_add(prop, self._cleaned[key], cleaned=True)

    def _page_url(self, record) -> str | None:
        return self.settings.absolute_url(self.settings.record_url(record))

    def _make(self, schema_name: str, proxy_id: str) -> EntityProxy:
        proxy = model.make_entity(schema_name)
        proxy.id = proxy_id
        self.by_id[proxy_id] = proxy
        return proxy

    def ftm_schema_of(self, record_id: str) -> str | None:
        entity = self.dossier.entities.get(record_id)
        return self.dossier.vocabulary.entity_types_by_name[entity.type].ftm if entity else None

    def add_entity(self, entity: Entity) -> None:
        schema_name = self.dossier.vocabulary.entity_types_by_name[entity.type].ftm
        if schema_name is None:
            return
        proxy = self._make(schema_name, entity_id("entity", entity.id))
        if schema_name == "Address":
            self._add(proxy, "full", entity.name)
        self._add(proxy, "name", entity.name)
        for alias in entity.aliases:
            self._add(proxy, "alias", alias.name)
        self._add(proxy, "summary", entity.summary)
        if entity.description:
            self._add(proxy, "description", entity.description)
        self._add(proxy, "keywords", list(entity.tags))
        self._add(proxy, "sourceUrl", self._page_url(entity))
        website = next((fact.value for fact in entity.facts if fact.key == "website"), None)
        if http_url(website) and proxy.schema.get("website"):
            self._add(proxy, "website", website)

    def add_relationship(self, owner: str, relationship: Relationship, counter: dict) -> None:
        subject_schema, object_schema = self.ftm_schema_of(owner), self.ftm_schema_of(relationship.target)
        if subject_schema is None or object_schema is None:
            return
        subject_id, object_id = entity_id("entity", owner), entity_id("entity", relationship.target)
        relation = self.dossier.vocabulary.relation_types_by_name[relationship.type]
        mapping = relation.ftm
        if mapping is not None and mapping.property:
            prop = self.by_id[subject_id].schema.get(mapping.property)
            if prop is not None and prop.range is not None and model.get(object_schema).is_a(prop.range):
                self.by_id[subject_id].add(mapping.property, object_id)
                return
        link = (mapping.schema, mapping.subject, mapping.object) if mapping and mapping.schema else FALLBACK_LINK
        if not (_fits(link[0], link[1], subject_schema) and _fits(link[0], link[2], object_schema)):
            link = FALLBACK_LINK
        key = (owner, relationship.type, relationship.target)
        counter[key] = counter.get(key, 0) + 1
        suffix = f"-{counter[key]}" if counter[key] > 1 else ""
        proxy = self._make(link[0], entity_id("link", f"{owner}.{relationship.type}.{relationship.target}{suffix}"))
        self._add(proxy, link[1], subject_id)
        self._add(proxy, link[2], object_id)
        self._add(proxy, "role", relation.label)
        if relationship.since:
            self._add(proxy, "startDate", relationship.since.iso())
        if relationship.until:
            self._add(proxy, "endDate", relationship.until.iso())
        if relationship.note:
            self._add(proxy, "description", relationship.note)
        for source_id in dict.fromkeys(citation.partition("#")[0] for citation in relationship.sources):
            self._add(proxy, "sourceUrl", http_url(self.dossier.sources[source_id].url))

    def add_event(self, event) -> None:
        proxy = self._make("Event", entity_id("event", event.id))
        self._add(proxy, "name", event.title)
        self._add(proxy, "date", event.date.iso())
        self._add(proxy, "summary", event.summary)
        if event.description:
            self._add(proxy, "description", event.description)
        for participant in event.participants:
            participant_schema = self.ftm_schema_of(participant.entity)
            if participant_schema and _fits("Event", "involved", participant_schema):
                self._add(proxy, "involved", entity_id("entity", participant.entity))
        if event.place and self.ftm_schema_of(event.place) == "Address":
            self._add(proxy, "addressEntity", entity_id("entity", event.place))
        self._add(proxy, "keywords", list(event.tags))
        self._add(proxy, "sourceUrl", self._page_url(event))

    def add_source(self, source) -> None:
        proxy = self._make("Article", entity_id("source", source.id))
        self._add(proxy, "title", source.title)
        if source.title_en:
            self._add(proxy, "title", source.title_en)
        if source.publisher:
            self._add(proxy, "publisher", self.dossier.entities[source.publisher].name)
        if source.date:
            self._add(proxy, "publishedAt", source.date.iso())
        if source.language:
            self._add(proxy, "language", source.language)
        self._add(proxy, "sourceUrl", http_url(source.url))
        if source.note:
            self._add(proxy, "notes", source.note)

    def exported(self, record_id: str) -> bool:
        """Whether a record has an FtM entity: every event, and entities whose type names a schema."""
        return record_id in self.dossier.events or self.ftm_schema_of(record_id) is not None

    def add_documentation(self, source_id: str) -> None:
        """One Documentation link from a source to each exported entity or event that cites it."""
        citations = self.dossier.citations_by_source.get(source_id, [])
        records = sorted({citation.record for citation in citations})
        source = self.dossier.sources[source_id]
        for record_id in records:
            if not self.exported(record_id):
                continue
            target = entity_id("event" if record_id in self.dossier.events else "entity", record_id)
            proxy = self._make("Documentation", entity_id("documentation", f"{source_id}.{record_id}"))
            self._add(proxy, "document", entity_id("source", source_id))
            self._add(proxy, "entity", target)
            self._add(proxy, "role", "cited as source")
            # The passages the record rests on: the quote as summary, translation and voice as description.
            for excerpt_id in sorted({c.excerpt for c in citations if c.record == record_id and c.excerpt}):
                excerpt = source.excerpt(excerpt_id)
                if excerpt is None:
                    continue
                self._add(proxy, "summary", excerpt.quote)
                voice = voice_words(self.dossier, f"{source_id}#{excerpt_id}")
                self._add(proxy, "description", " — ".join(p for p in (excerpt.translation, voice) if p))

    def record_lines(self, kind: str, record_id: str) -> dict[str, str]:
        """The FtM lines one record gives, by FtM id: an entity with the links it declares, an event,
        or a source with a Documentation link to each record citing it.

        Each record's lines depend on that record and on what it names, never on the order in
        which records are exported: the preview keeps them from build to build
        (:mod:`generator.incremental`) and builds again only those of the records a change reaches.
        """
        self.by_id = {}
        if kind == "entity":
            entity = self.dossier.entities[record_id]
            self.add_entity(entity)
            counter: dict = {}
            for relationship in entity.relationships:
                self.add_relationship(record_id, relationship, counter)
            record = entity
        elif kind == "event":
            record = self.dossier.events[record_id]
            self.add_event(record)
        else:
            record = self.dossier.sources[record_id]
            self.add_source(record)
            self.add_documentation(record_id)
        # A tool holding a former id finds the entity: ``referents``, as merged entities list the ids they replace.
        own_id, referents = entity_id(kind, record_id), sorted(entity_id(kind, f) for f in record.former_ids)
        lines = {}
        for proxy_id, proxy in self.by_id.items():
            data = proxy.to_dict()
            if proxy_id == own_id and referents:
                data["referents"] = referents
            lines[proxy_id] = json.dumps(data, ensure_ascii=False, sort_keys=True)
        return lines


def ftm_lines(dossier: Dossier, settings: SiteSettings | None = None, pieces=None) -> list[str]:
    """One JSON object a line, sorted by FtM id, as ``ftm`` and ``alephclient write-entities`` read them.

    ``pieces`` (:mod:`generator.pieces`; every line is made without one) keeps each record's
    lines in the preview, and makes again only those a change reaches.
    """
    pieces = pieces or EveryPiece(dossier)
    builder = FtmBuilder(pieces.view, settings)
    lines: dict[str, str] = {}
    for kind in RECORD_KINDS:
        for record_id in getattr(dossier, KIND_FOLDERS[kind]):
            lines.update(pieces(("ftm", kind, record_id), builder.record_lines, kind, record_id))
    return [lines[key] for key in sorted(lines)]
