"""The record format, declared once as data.

Everything that knows the shape of a record reads it from here: the structural checks in
:mod:`generator.check`, the JSON Schema (:func:`generator.jsonschema.build_json_schema`),
the format reference page and the scaffolding of ``python -m generator new``.  To add an
entity type, a relation type or a key fact, edit the tables below and nothing else.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

ID_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
ID_RE = re.compile(ID_PATTERN)
ID_MAX_LENGTH = 64
#: Ids that would collide with generated index pages.
RESERVED_IDS = frozenset({"index", "types", "data", "assets", "search", "tags", "timeline"})
TAG_PATTERN = ID_PATTERN
#: A citation: a source id, optionally followed by ``#`` and the id of one of its excerpts.
CITATION_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*(?:#[a-z0-9]+(?:-[a-z0-9]+)*)?$"
CITATION_RE = re.compile(CITATION_PATTERN)
TIMESTAMP_PATTERN = r"^(?:[0-9]{1,2}:)?[0-5]?[0-9]:[0-5][0-9]$"

DATE_PATTERN = r"^[0-9]{4}(?:-[0-9]{2}(?:-[0-9]{2})?)?$"
DATE_QUALIFIERS = ("early", "mid", "late", "around", "before", "after", "since", "by")

RECORD_KINDS = ("entity", "event", "source")
#: Folder under ``content/`` that holds each kind, and the URL folder of its pages.
KIND_FOLDERS = {"entity": "entities", "event": "events", "source": "sources"}


@dataclass(frozen=True)
class EntityType:
    """One kind of entity; ``plural`` titles its index page."""

    name: str
    label: str
    plural: str
    doc: str


ENTITY_TYPES: tuple[EntityType, ...] = (
    EntityType("organization", "Organization", "Organizations", "Any organization that fits no narrower type."),
    EntityType("company", "Company", "Companies", "A business, group or corporation."),
    EntityType("person", "Person", "People", "A natural person."),
    EntityType("government-body", "Government body", "Government bodies",
               "A government, administration, ministry, agency or bureau."),
    EntityType("product", "Product", "Products", "A product or platform that is not a chip or AI model."),
    EntityType("service", "Service", "Services", "A service, such as a cloud or marketplace service."),
    EntityType("ai-model", "AI model", "AI models", "A machine-learning model or model family."),
    EntityType("chip", "Chip", "Chips", "A chip, accelerator or other semiconductor product."),
    EntityType("regulation", "Regulation", "Regulations",
               "A law, rule, export control or designation; may carry a dated lifecycle."),
    EntityType("place", "Place", "Places", "A country, region, city or site."),
    EntityType("media-outlet", "Media outlet", "Media outlets", "A newspaper, magazine or news site."),
    EntityType("method", "Method", "Methods",
               "A way of doing something the sources describe, such as a route around a control."),
    EntityType("topic", "Topic", "Topics", "A theme that ties records together."),
)
ENTITY_TYPES_BY_NAME = {entity_type.name: entity_type for entity_type in ENTITY_TYPES}

ORGANIZATIONS = ("organization", "company", "government-body", "media-outlet")
ACTORS = ORGANIZATIONS + ("person",)
PRODUCTS = ("product", "service", "ai-model", "chip")


@dataclass(frozen=True)
class RelationType:
    """A typed relationship from one entity to another.

    ``inverse_label`` is how the relation reads on the target's page ("owned by" for
    "owns"), so back-links are derived and never typed twice.  ``subject_types`` and
    ``target_types`` restrict which entity types may stand on each end (empty: any).
    """

    name: str
    label: str
    inverse_label: str
    doc: str
    subject_types: tuple[str, ...] = ()
    target_types: tuple[str, ...] = ()

    @property
    def symmetric(self) -> bool:
        return self.label == self.inverse_label


RELATION_TYPES: tuple[RelationType, ...] = (
    RelationType("owns", "owns", "owned by", "The subject owns the target.", ACTORS),
    RelationType("subsidiary-of", "subsidiary of", "parent of", "The subject is a subsidiary of the target.",
                 ORGANIZATIONS, ORGANIZATIONS),
    RelationType("develops", "develops", "developed by", "The subject develops or designs the target.",
                 ACTORS, PRODUCTS),
    RelationType("operates", "operates", "operated by", "The subject runs the target service, site or product."),
    RelationType("partner-of", "partner of", "partner of", "The two work together (symmetric).",
                 ACTORS, ACTORS),
    RelationType("supplies", "supplies", "supplied by", "The subject supplies the target."),
    RelationType("customer-of", "customer of", "has customer", "The subject buys from the target."),
    RelationType("regulates", "regulates", "regulated by", "The subject regulates or restricts the target."),
    RelationType("located-in", "located in", "location of", "The subject lies or operates in the target place.",
                 (), ("place",)),
    RelationType("headquartered-in", "headquartered in", "headquarters of",
                 "The subject has its headquarters in the target place.", ORGANIZATIONS, ("place",)),
    RelationType("member-of", "member of", "has member", "The subject belongs to the target group."),
    RelationType("part-of", "part of", "includes", "The subject is a part of the target."),
    RelationType("leads", "leads", "led by", "The subject person leads the target.", ("person",),
                 ORGANIZATIONS),
    RelationType("uses", "uses", "used by", "The subject uses the target (a product, service or method)."),
    RelationType("targets", "targets", "targeted by", "The subject (often a rule) is aimed at the target."),
    RelationType("enacted-by", "enacted by", "enacted", "The subject rule was adopted by the target.",
                 ("regulation",), ACTORS),
    RelationType("rescinded-by", "rescinded by", "rescinded", "The subject rule was withdrawn by the target.",
                 ("regulation",), ACTORS),
    RelationType("enforces", "enforces", "enforced by", "The subject enforces the target rule.",
                 (), ("regulation", "topic")),
    RelationType("successor-of", "successor of", "predecessor of", "The subject succeeded the target."),
    RelationType("competes-with", "competes with", "competes with", "The two compete (symmetric)."),
    RelationType("illustrates", "illustrates", "illustrated by",
                 "The subject is an example of the target method or topic.", (), ("method", "topic")),
)
RELATION_TYPES_BY_NAME = {relation.name: relation for relation in RELATION_TYPES}

FACT_KEYS: dict[str, str] = {
    "country": "Country of registration, origin or jurisdiction.",
    "headquarters": "Where the headquarters stand.",
    "founded": "When it was founded or created.",
    "parent": "The parent organization, e.g. [[alibaba]] (declare a subsidiary-of relationship too).",
    "website": "Official website (http or https URL).",
    "industry": "Line of business.",
    "position": "A person's office or position.",
    "jurisdiction": "Where a rule or body applies.",
    "status": "Current status as the sources state it.",
    "known-for": "What the sources mainly know it for.",
}

LIFECYCLE_STATES = (
    "proposed", "announced", "adopted", "scheduled", "effective", "amended", "expanded",
    "enforced", "suspended", "rescinded", "expired",
)

SOURCE_KINDS: dict[str, str] = {
    "news-article": "An article in a newspaper or news site.",
    "report": "A report by a newspaper, firm or agency.",
    "official-statement": "A statement made by an organization about itself.",
    "official-document": "A law, rule, filing or other official text.",
    "press-release": "A press release.",
    "anonymous-informants": "People a report cites without naming them.",
    "unattributed-report": "A report the citing source mentions without naming who made it.",
}

#: How a voice chain reads the step to a source of this kind ("CNews, relaying the FT, citing two
#: informed sources"); kinds not listed read "relaying".
SOURCE_KIND_RELAY_VERBS: dict[str, str] = {
    "anonymous-informants": "citing",
    "official-statement": "quoting",
}

LANGUAGE_PATTERN = r"^[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})*$"
#: Language of the engine's own texts: an excerpt in another language needs a translation.
READER_LANGUAGE = "en"


# The field DSL: a small tree of field specs that the checker walks and the JSON Schema
# generator translates.  Kept deliberately tiny: every record field is one of these.


@dataclass(frozen=True)
class Spec:
    """Base of every field spec; ``doc`` feeds the reference page and the scaffold."""

    doc: str = field(default="", kw_only=True)


@dataclass(frozen=True)
class Text(Spec):
    """A string.  ``rich`` text may hold ``[[id]]`` links and the safe Markdown subset."""

    rich: bool = False
    max_length: int = 10_000
    pattern: str | None = None
    pattern_hint: str = ""


@dataclass(frozen=True)
class Url(Spec):
    """An absolute http or https URL."""


@dataclass(frozen=True)
class Date(Spec):
    """A date at its precision: YYYY, YYYY-MM or YYYY-MM-DD."""


@dataclass(frozen=True)
class Int(Spec):
    """A whole number from ``minimum`` on."""

    minimum: int = 1


@dataclass(frozen=True)
class Cite(Spec):
    """A citation: ``source-id`` for a whole source, ``source-id#excerpt-id`` for one excerpt of it."""


@dataclass(frozen=True)
class Choice(Spec):
    """One of a fixed list of words."""

    choices: tuple[str, ...] = ()


@dataclass(frozen=True)
class Ref(Spec):
    """The id of another record of one of ``kinds`` (and, for entities, one of ``types``)."""

    kinds: tuple[str, ...] = ("entity",)
    types: tuple[str, ...] = ()


@dataclass(frozen=True)
class ListOf(Spec):
    item: Spec = field(default_factory=Text)
    min_items: int = 0
    unique: bool = True


@dataclass(frozen=True)
class Obj(Spec):
    """A mapping with fixed keys; unknown keys are errors."""

    fields: tuple[tuple[str, Spec, bool], ...] = ()  # (name, spec, required)

    def field_names(self) -> list[str]:
        return [name for name, _spec, _required in self.fields]


@dataclass(frozen=True)
class MapOf(Spec):
    """A mapping whose keys come from ``keys`` and whose values share one spec."""

    keys: tuple[str, ...] = ()
    value: Spec = field(default_factory=Text)


CITATION = Cite(doc="A source id, or source-id#excerpt-id for the passage it rests on.")
SOURCES = ListOf(CITATION, min_items=1,
                 doc="What this statement rests on: source-id#excerpt-id for a passage, or a source id.")
OPTIONAL_SOURCES = ListOf(CITATION, doc="What the text rests on: source-id#excerpt-id for a passage, or a source id.")
QUALIFIER = Choice(choices=DATE_QUALIFIERS,
                   doc="How vague the date is, as the source words it: 'mid' with 2025-05 reads 'mid-May 2025'.")
TAGS = ListOf(Text(max_length=40, pattern=TAG_PATTERN, pattern_hint="tags are lowercase words joined by hyphens"),
              doc="Free keywords: lowercase words joined by hyphens.")
NAME = Text(max_length=200, doc="Display name in English.")
SUMMARY = Text(rich=True, max_length=2_000,
               doc="One paragraph in your own words; may link [[id]] and cite [[source-id]].")
DESCRIPTION = Text(rich=True, max_length=20_000,
                   doc="Longer text: paragraphs, *emphasis*, **strong**, lists; [[id]] links and citations.")
NOTE = Text(rich=True, max_length=2_000, doc="A short remark; may link [[id]].")

ALIAS = Obj(doc="Another name, in any language or script.", fields=(
    ("name", Text(max_length=200, doc="The name as written."), True),
    ("lang", Text(max_length=20, pattern=LANGUAGE_PATTERN, pattern_hint="use a language code such as ru, zh, en",
                  doc="Language code (BCP 47), e.g. ru, zh, en."), False),
    ("note", Text(max_length=300, doc="Where the form comes from."), False),
))

FACT = Obj(doc="A key fact with its sources.", fields=(
    ("value", Text(rich=True, max_length=500, doc="The fact, may link [[id]]."), True),
    ("sources", SOURCES, True),
))

RELATIONSHIP = Obj(doc="A typed relationship to another entity.", fields=(
    ("type", Choice(choices=tuple(r.name for r in RELATION_TYPES), doc="The relation type."), True),
    ("target", Ref(kinds=("entity",), doc="Id of the entity at the other end."), True),
    ("since", Date(doc="When it began, if the source says."), False),
    ("until", Date(doc="When it ended, if the source says."), False),
    ("qualifier", QUALIFIER, False),
    ("note", NOTE, False),
    ("sources", SOURCES, True),
))

LIFECYCLE_STATE = Obj(doc="A dated state in the life of a rule or designation.", fields=(
    ("state", Choice(choices=LIFECYCLE_STATES, doc="What happened to the rule."), True),
    ("date", Date(doc="When."), True),
    ("qualifier", QUALIFIER, False),
    ("note", NOTE, False),
    ("event", Ref(kinds=("event",), doc="The event record that tells it."), False),
    ("sources", SOURCES, True),
))

PARTICIPANT = Obj(doc="An entity that took part, with its role.", fields=(
    ("entity", Ref(kinds=("entity",), doc="Id of the entity."), True),
    ("role", Text(max_length=200, doc="Its role in the event, in a few words."), False),
))

ENTITY = Obj(doc="An organization, person, product, rule, place or other thing.", fields=(
    ("type", Choice(choices=tuple(t.name for t in ENTITY_TYPES), doc="What kind of entity this is."), True),
    ("name", NAME, True),
    ("aliases", ListOf(ALIAS, doc="Other names: other scripts, abbreviations, former names."), False),
    ("summary", SUMMARY, True),
    ("description", DESCRIPTION, False),
    ("facts", MapOf(keys=tuple(FACT_KEYS), value=FACT, doc="Key facts, each with its sources."), False),
    ("relationships", ListOf(RELATIONSHIP, unique=False, doc="Typed links to other entities."), False),
    ("lifecycle", ListOf(LIFECYCLE_STATE, unique=False,
                         doc="For rules and designations: dated states (adopted, effective, rescinded ...)."),
     False),
    ("tags", TAGS, False),
    ("sources", OPTIONAL_SOURCES, False),
))

EVENT = Obj(doc="A dated happening.", fields=(
    ("date", Date(doc="When it happened, at the precision the source gives."), True),
    ("qualifier", QUALIFIER, False),
    ("title", Text(max_length=200, doc="A short headline in English."), True),
    ("summary", SUMMARY, True),
    ("description", DESCRIPTION, False),
    ("participants", ListOf(PARTICIPANT, doc="The entities that took part."), False),
    ("place", Ref(kinds=("entity",), types=("place",), doc="Where it happened."), False),
    ("topics", ListOf(Ref(kinds=("entity",), types=("method", "topic")),
                      doc="Methods or topics the event illustrates."), False),
    ("tags", TAGS, False),
    ("sources", SOURCES, True),
))

LOCATION = Obj(doc="Where the passage stands in the source; any of these.", fields=(
    ("section", Text(max_length=300, doc="The heading of the section, as printed ('lead' before the first)."),
     False),
    ("paragraph", Int(doc="The paragraph's number, counting from 1."), False),
    ("page", Int(doc="The page number."), False),
    ("timestamp", Text(max_length=12, pattern=TIMESTAMP_PATTERN, pattern_hint="write MM:SS or HH:MM:SS",
                       doc="For audio or video: where in the recording, MM:SS or HH:MM:SS."), False),
))

EXCERPT = Obj(doc="A passage of the source that records rest on, in the source's own words.", fields=(
    ("id", Text(max_length=64, pattern=ID_PATTERN, pattern_hint="lowercase words joined by hyphens",
                doc="Unique within the source; cite it as source-id#excerpt-id."), True),
    ("quote", Text(max_length=5_000, doc="The words exactly as the source has them, in its language; "
                                         "'[…]' marks words left out."), True),
    ("translation", Text(max_length=5_000, doc="An English translation (needed unless the quote is English)."),
     False),
    ("lang", Text(max_length=20, pattern=LANGUAGE_PATTERN, pattern_hint="use a language code such as ru or en",
                  doc="Language of the quote, when not the source's."), False),
    ("location", LOCATION, False),
    ("voice", Ref(kinds=("source",), doc="Who speaks in it: a source this one relays (directly or further "
                                         "down), e.g. informants an outlet cites. Omit when the source speaks "
                                         "in its own voice."), False),
    ("note", Text(max_length=1_000, doc="A remark on the passage, e.g. what it leaves unsaid."), False),
))

STORED_TEXT = Obj(doc="A copy of the source's text kept in the repository, where its terms allow.", fields=(
    ("path", Text(max_length=300, pattern=r"^[A-Za-z0-9._/-]+\.(?:txt|md)$",
                  pattern_hint="a .txt or .md file below the content folder, e.g. texts/source-id.txt",
                  doc="The file, relative to the content folder; every quote is checked against it."), True),
    ("origin", Text(max_length=1_000, doc="Where the copy came from, and when."), True),
))

SOURCE = Obj(doc="A publication or informant that statements rest on.", fields=(
    ("title", Text(max_length=400, doc="The title as published, in its own language."), True),
    ("title_en", Text(max_length=400, doc="The title in English, when the original is not."), False),
    ("kind", Choice(choices=tuple(SOURCE_KINDS), doc="What kind of source this is."), True),
    ("publisher", Ref(kinds=("entity",), doc="The entity that published it."), False),
    ("date", Date(doc="Publication date, only if known."), False),
    ("qualifier", QUALIFIER, False),
    ("language", Text(max_length=20, pattern=LANGUAGE_PATTERN, pattern_hint="use a language code such as ru or en",
                      doc="Language code of the source."), False),
    ("url", Url(doc="Address of the source; only when known, never guessed."), False),
    ("archive_url", Url(doc="Address of an archived copy (e.g. in a web archive); only when it exists."), False),
    ("stored_text", STORED_TEXT, False),
    ("relays", ListOf(Ref(kinds=("source",)), doc="Sources this one cites or relays."), False),
    ("note", NOTE, False),
    ("excerpts", ListOf(EXCERPT, unique=False, doc="Passages that records rest on; cite as source-id#excerpt-id."),
     False),
))

RECORD_SPECS: dict[str, Obj] = {"entity": ENTITY, "event": EVENT, "source": SOURCE}
