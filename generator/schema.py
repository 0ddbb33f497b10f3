"""The record format, declared once as data.

Everything that knows the shape of a record reads it from here: the structural checks in
:mod:`generator.check`, the JSON Schema (:func:`generator.jsonschema.build_json_schema`),
the format reference page and the scaffolding of ``python -m generator new``.  The words a
field allows (entity types, relation types, fact keys, lifecycle states, source kinds) are
not here: they belong to the dossier's vocabulary (:mod:`generator.vocabulary`), which a spec
names with ``vocab=`` and which :func:`choices_of`, :func:`types_of` and :func:`keys_of` resolve.
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

DATE_QUALIFIERS = ("early", "mid", "late", "around", "before", "after", "since", "by")

RECORD_KINDS = ("entity", "event", "source")
#: Folder under ``content/`` that holds each kind, and the URL folder of its pages.
KIND_FOLDERS = {"entity": "entities", "event": "events", "source": "sources"}


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
    """One of a fixed list of words, or of the words of a vocabulary section (``vocab``)."""

    choices: tuple[str, ...] = ()
    vocab: str | None = None


@dataclass(frozen=True)
class Ref(Spec):
    """The id of another record of one of ``kinds`` (and, for entities, one of ``types``, or of the
    entity types a vocabulary section lists: ``vocab``)."""

    kinds: tuple[str, ...] = ("entity",)
    types: tuple[str, ...] = ()
    vocab: str | None = None


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
    """A mapping whose keys come from ``keys`` (or a vocabulary section: ``vocab``) and whose values share one spec."""

    keys: tuple[str, ...] = ()
    value: Spec = field(default_factory=Text)
    vocab: str | None = None


def choices_of(spec: Choice, vocabulary) -> tuple[str, ...]:
    """The words ``spec`` allows in a dossier with ``vocabulary``."""
    return vocabulary.names(spec.vocab) if spec.vocab else spec.choices


def types_of(spec: Ref, vocabulary) -> tuple[str, ...]:
    """The entity types ``spec`` allows (empty: any)."""
    return vocabulary.names(spec.vocab) if spec.vocab else spec.types


def keys_of(spec: MapOf, vocabulary) -> tuple[str, ...]:
    return vocabulary.names(spec.vocab) if spec.vocab else spec.keys


CITATION = Cite(doc="A source id, or source-id#excerpt-id for the passage it rests on.")
SOURCES = ListOf(
    CITATION, min_items=1, doc="What this statement rests on: source-id#excerpt-id for a passage, or a source id."
)
OPTIONAL_SOURCES = ListOf(CITATION, doc="What the text rests on: source-id#excerpt-id for a passage, or a source id.")
QUALIFIER = Choice(
    choices=DATE_QUALIFIERS,
    doc="How vague the date is, as the source words it: 'mid' with 2025-05 reads 'mid-May 2025'.",
)
TAGS = ListOf(
    Text(max_length=40, pattern=TAG_PATTERN, pattern_hint="tags are lowercase words joined by hyphens"),
    doc="Free keywords: lowercase words joined by hyphens.",
)
NAME = Text(max_length=200, doc="Display name in English.")
SUMMARY = Text(
    rich=True, max_length=2_000, doc="One paragraph in your own words; may link [[id]] and cite [[source-id]]."
)
DESCRIPTION = Text(
    rich=True,
    max_length=20_000,
    doc="Longer text: paragraphs, *emphasis*, **strong**, lists; [[id]] links and citations.",
)
NOTE = Text(rich=True, max_length=2_000, doc="A short remark; may link [[id]].")
FORMER_IDS = ListOf(
    Text(
        max_length=ID_MAX_LENGTH,
        pattern=ID_PATTERN,
        pattern_hint="a former id is a file name without .yaml: lowercase a-z, 0-9 and hyphens",
    ),
    doc="Ids the record had before it was renamed: their pages forward to this one "
    "(written by 'python -m generator rename').",
)

ALIAS = Obj(
    doc="Another name, in any language or script.",
    fields=(
        ("name", Text(max_length=200, doc="The name as written."), True),
        (
            "lang",
            Text(
                max_length=20,
                pattern=LANGUAGE_PATTERN,
                pattern_hint="use a language code such as ru, zh, en",
                doc="Language code (BCP 47), e.g. ru, zh, en.",
            ),
            False,
        ),
        ("note", Text(max_length=300, doc="Where the form comes from."), False),
    ),
)

FACT = Obj(
    doc="A key fact with its sources.",
    fields=(
        ("value", Text(rich=True, max_length=500, doc="The fact, may link [[id]]."), True),
        ("sources", SOURCES, True),
    ),
)

RELATIONSHIP = Obj(
    doc="A typed relationship to another entity.",
    fields=(
        ("type", Choice(vocab="relation_types", doc="The relation type."), True),
        ("target", Ref(kinds=("entity",), doc="Id of the entity at the other end."), True),
        ("since", Date(doc="When it began, if the source says."), False),
        ("until", Date(doc="When it ended, if the source says."), False),
        ("qualifier", QUALIFIER, False),
        ("note", NOTE, False),
        ("sources", SOURCES, True),
    ),
)

LIFECYCLE_STATE = Obj(
    doc="A dated state in the life of the thing the record describes.",
    fields=(
        ("state", Choice(vocab="lifecycle_states", doc="The state it entered."), True),
        ("date", Date(doc="When."), True),
        ("qualifier", QUALIFIER, False),
        ("note", NOTE, False),
        ("event", Ref(kinds=("event",), doc="The event record that tells it."), False),
        ("sources", SOURCES, True),
    ),
)

PARTICIPANT = Obj(
    doc="An entity that took part, with its role.",
    fields=(
        ("entity", Ref(kinds=("entity",), doc="Id of the entity."), True),
        ("role", Text(max_length=200, doc="Its role in the event, in a few words."), False),
    ),
)

ENTITY = Obj(
    doc="An organization, person, place or other thing, of a type the vocabulary declares.",
    fields=(
        ("type", Choice(vocab="entity_types", doc="What kind of entity this is."), True),
        ("name", NAME, True),
        ("aliases", ListOf(ALIAS, doc="Other names: other scripts, abbreviations, former names."), False),
        ("summary", SUMMARY, True),
        ("description", DESCRIPTION, False),
        ("facts", MapOf(vocab="fact_keys", value=FACT, doc="Key facts, each with its sources."), False),
        ("relationships", ListOf(RELATIONSHIP, unique=False, doc="Typed links to other entities."), False),
        (
            "lifecycle",
            ListOf(
                LIFECYCLE_STATE,
                unique=False,
                doc="Dated states in its life, for types that have a lifecycle; each holds until the next.",
            ),
            False,
        ),
        ("tags", TAGS, False),
        ("sources", OPTIONAL_SOURCES, False),
        ("former_ids", FORMER_IDS, False),
    ),
)

EVENT = Obj(
    doc="A dated happening.",
    fields=(
        ("date", Date(doc="When it happened, at the precision the source gives."), True),
        ("qualifier", QUALIFIER, False),
        ("title", Text(max_length=200, doc="A short headline in English."), True),
        ("summary", SUMMARY, True),
        ("description", DESCRIPTION, False),
        ("participants", ListOf(PARTICIPANT, doc="The entities that took part."), False),
        ("place", Ref(kinds=("entity",), vocab="event_place", doc="Where it happened."), False),
        (
            "topics",
            ListOf(
                Ref(kinds=("entity",), vocab="event_topics"),
                doc="What the event is about: entities of the types the vocabulary allows as topics.",
            ),
            False,
        ),
        ("tags", TAGS, False),
        ("sources", SOURCES, True),
        ("former_ids", FORMER_IDS, False),
    ),
)

LOCATION = Obj(
    doc="Where the passage stands in the source; any of these.",
    fields=(
        (
            "section",
            Text(max_length=300, doc="The heading of the section, as printed ('lead' before the first)."),
            False,
        ),
        ("paragraph", Int(doc="The paragraph's number, counting from 1."), False),
        ("page", Int(doc="The page number."), False),
        (
            "timestamp",
            Text(
                max_length=12,
                pattern=TIMESTAMP_PATTERN,
                pattern_hint="write MM:SS or HH:MM:SS",
                doc="For audio or video: where in the recording, MM:SS or HH:MM:SS.",
            ),
            False,
        ),
    ),
)

EXCERPT = Obj(
    doc="A passage of the source that records rest on, in the source's own words.",
    fields=(
        (
            "id",
            Text(
                max_length=64,
                pattern=ID_PATTERN,
                pattern_hint="lowercase words joined by hyphens",
                doc="Unique within the source; cite it as source-id#excerpt-id.",
            ),
            True,
        ),
        (
            "quote",
            Text(
                max_length=5_000,
                doc="The words exactly as the source has them, in its language; '[…]' marks words left out.",
            ),
            True,
        ),
        (
            "translation",
            Text(max_length=5_000, doc="An English translation (needed unless the quote is English)."),
            False,
        ),
        (
            "lang",
            Text(
                max_length=20,
                pattern=LANGUAGE_PATTERN,
                pattern_hint="use a language code such as ru or en",
                doc="Language of the quote, when not the source's.",
            ),
            False,
        ),
        ("location", LOCATION, False),
        (
            "voice",
            Ref(
                kinds=("source",),
                doc="Who speaks in it: a source this one relays (directly or further "
                "down), e.g. informants an outlet cites. Omit when the source speaks "
                "in its own voice.",
            ),
            False,
        ),
        ("note", Text(max_length=1_000, doc="A remark on the passage, e.g. what it leaves unsaid."), False),
    ),
)

STORED_TEXT = Obj(
    doc="A copy of the source's text kept in the repository, where its terms allow.",
    fields=(
        (
            "path",
            Text(
                max_length=300,
                pattern=r"^[A-Za-z0-9._/-]+\.(?:txt|md)$",
                pattern_hint="a .txt or .md file below the content folder, e.g. texts/source-id.txt",
                doc="The file, relative to the content folder; every quote is checked against it.",
            ),
            True,
        ),
        ("origin", Text(max_length=1_000, doc="Where the copy came from, and when."), True),
    ),
)

SOURCE = Obj(
    doc="A publication or informant that statements rest on.",
    fields=(
        ("title", Text(max_length=400, doc="The title as published, in its own language."), True),
        ("title_en", Text(max_length=400, doc="The title in English, when the original is not."), False),
        ("kind", Choice(vocab="source_kinds", doc="What kind of source this is."), True),
        ("publisher", Ref(kinds=("entity",), doc="The entity that published it."), False),
        ("date", Date(doc="Publication date, only if known."), False),
        ("qualifier", QUALIFIER, False),
        (
            "language",
            Text(
                max_length=20,
                pattern=LANGUAGE_PATTERN,
                pattern_hint="use a language code such as ru or en",
                doc="Language code of the source.",
            ),
            False,
        ),
        ("url", Url(doc="Address of the source; only when known, never guessed."), False),
        ("archive_url", Url(doc="Address of an archived copy (e.g. in a web archive); only when it exists."), False),
        ("stored_text", STORED_TEXT, False),
        ("relays", ListOf(Ref(kinds=("source",)), doc="Sources this one cites or relays."), False),
        ("note", NOTE, False),
        (
            "excerpts",
            ListOf(EXCERPT, unique=False, doc="Passages that records rest on; cite as source-id#excerpt-id."),
            False,
        ),
        ("former_ids", FORMER_IDS, False),
    ),
)

RECORD_SPECS: dict[str, Obj] = {"entity": ENTITY, "event": EVENT, "source": SOURCE}
