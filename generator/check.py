"""Check raw records against the schema and against each other; build the model.

Two phases, as in FollowTheMoney: every file is checked on its own first (fields, types,
dates, ids), then references between records are resolved once all ids are known.  All
problems are collected; nothing stops at the first one.
"""

from __future__ import annotations

import dataclasses
import re
import unicodedata
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from . import schema
from .loader import KEY, UNQUOTED_LINK_HINT, Plain, RawRecord, unquoted_link_message
from .model import (
    Alias,
    Entity,
    Event,
    Excerpt,
    Fact,
    LifecycleState,
    Location,
    Origin,
    PartialDate,
    Participant,
    Relationship,
    Source,
    StoredText,
    split_citation,
)
from .problems import Problem, Severity, suggest_closest
from .vocabulary import Vocabulary

TEXT_LINK_RE = re.compile(r"\[\[([^\[\]|\n]*)(?:\|([^\[\]\n]*))?\]\]")

_YAML11_WORDS = {"y", "n", "yes", "no", "on", "off", "true", "false"}


@dataclass(frozen=True)
class PendingRef:
    """A reference seen in phase one, resolved in phase two."""

    record: RawRecord
    path: tuple
    target: str
    spec: schema.Ref
    in_text: bool = False
    excerpt: str | None = None  # for a citation of one passage: source-id#excerpt
    at: tuple[int, int] | None = None  # the exact spot, for a [[link]] inside a text
    malformed: bool = False  # not an id at all ('The Verge'): reported in phase two, with the record it names
    date: PartialDate | None = None  # a lifecycle state's date, which the event it names must match

    def position(self) -> tuple[int, int]:
        return self.at or self.record.mark(self.path)


@dataclass(frozen=True)
class PendingRelation:
    """A relationship seen in phase one, whose ends are checked in phase two (even when the file has
    other errors, so that one run reports them all)."""

    index: int
    type: str
    target: str


@dataclass
class _FileCheck:
    record: RawRecord
    problems: list[Problem]
    refs: list[PendingRef] = field(default_factory=list)
    deferred: bool = False  # an error that phase two reports

    def add(
        self,
        path: tuple,
        code: str,
        message: str,
        hint: str = "",
        on_key: bool = False,
        severity: Severity = Severity.ERROR,
    ) -> None:
        mark_path = path + (KEY,) if on_key and path + (KEY,) in self.record.marks else path
        line, column = self.record.mark(mark_path)
        self.problems.append(Problem(self.record.path, line, column, code, message, hint, severity))


def _field_label(path: tuple) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "record"


class _Validator:
    """Walks a value along its :mod:`generator.schema` spec, converting and reporting."""

    def __init__(self, check: _FileCheck, vocabulary: Vocabulary):
        self.check = check
        self.vocabulary = vocabulary

    def value(self, value, spec: schema.Spec, path: tuple):
        method = getattr(self, "_" + type(spec).__name__.lower())
        return method(value, spec, path)

    def _scalar_text(self, value, path: tuple) -> str | None:
        if isinstance(value, str):
            return value
        if isinstance(value, Plain):
            if value.type_name == "null":
                self.check.add(
                    path, "empty-value", f"{_field_label(path)} is empty", "give a value or remove the field"
                )
                return None
            hint = f"put it in quotes: '{value.raw}'"
            if value.raw.lower() in _YAML11_WORDS:
                hint += " (YAML reads it as true/false otherwise)"
            self.check.add(
                path,
                "needs-quotes",
                f"{_field_label(path)}: {value.raw} is read as a {value.type_name}, not as text",
                hint,
            )
            return None
        if _is_unquoted_link(value):  # 'summary: [[acme]]' is a list holding a list to YAML
            self.check.add(path, "unquoted-link", unquoted_link_message(_field_label(path)), UNQUOTED_LINK_HINT)
            return None
        found = "a list" if isinstance(value, list) else "a mapping"
        self.check.add(
            path,
            "wrong-type",
            f"{_field_label(path)} must be text, found {found}",
            "write a single value on the same line as the field name",
        )
        return None

    def _text(self, value, spec: schema.Text, path: tuple):
        text = self._scalar_text(value, path)
        if text is None:
            return None
        stripped = text.strip()
        if not stripped:
            self.check.add(path, "empty-value", f"{_field_label(path)} is empty", "give a value or remove the field")
            return None
        if len(text) > spec.max_length:
            self.check.add(
                path,
                "too-long",
                f"{_field_label(path)} has {len(text)} characters, more than {spec.max_length}",
                "shorten it",
            )
            return None
        if spec.pattern and not re.match(spec.pattern, stripped):
            self.check.add(
                path, "bad-format", f"{_field_label(path)}: '{stripped}' is not well formed", spec.pattern_hint
            )
            return None
        if spec.rich:
            for match in TEXT_LINK_RE.finditer(text):
                target, excerpt = split_citation(match.group(1).strip())
                kinds = ("source",) if excerpt is not None else schema.RECORD_KINDS
                self.check.refs.append(
                    PendingRef(
                        self.check.record,
                        path,
                        target,
                        schema.Ref(kinds=kinds),
                        in_text=True,
                        excerpt=excerpt,
                        at=self.check.record.position(path, match.start()),
                    )
                )
        return stripped if not spec.rich else text.strip()

    def _url(self, value, spec: schema.Url, path: tuple):
        text = self._scalar_text(value, path)
        if text is None:
            return None
        parts = urlsplit(text.strip())
        if parts.scheme not in ("http", "https") or not parts.netloc or any(c.isspace() for c in text.strip()):
            self.check.add(
                path,
                "bad-url",
                f"{_field_label(path)}: '{text}' is not an http or https address",
                "give the full address, starting with https://",
            )
            return None
        return text.strip()

    def _date(self, value, spec: schema.Date, path: tuple):
        if isinstance(value, Plain) and value.type_name in ("int", "timestamp"):
            value = value.raw
        text = self._scalar_text(value, path)
        if text is None:
            return None
        try:
            return PartialDate.parse(text.strip())
        except ValueError as error:
            self.check.add(
                path,
                "bad-date",
                f"{_field_label(path)}: {error}",
                "dates are YYYY, YYYY-MM or YYYY-MM-DD, e.g. '2025-04' or '2025-11-27'",
            )
            return None

    def _int(self, value, spec: schema.Int, path: tuple):
        if isinstance(value, Plain) and value.type_name == "int":
            number = int(value.raw.replace("_", ""), 0) if value.raw.strip().isdigit() else None
            if number is not None and number >= spec.minimum:
                return number
        shown = value.raw if isinstance(value, Plain) else value
        self.check.add(
            path,
            "bad-number",
            f"{_field_label(path)}: {shown!r} is not a whole number from {spec.minimum} on",
            "write the number without quotes, e.g. 3",
        )
        return None

    def _cite(self, value, spec: schema.Cite, path: tuple):
        text = self._scalar_text(value, path)
        if text is None:
            return None
        text = text.strip()
        if not schema.CITATION_RE.match(text):
            self.check.add(
                path,
                "bad-citation",
                f"{_field_label(path)}: '{text}' is not a citation",
                "write a source id, or source-id#excerpt-id to cite one passage of it",
            )
            return None
        source_id, excerpt = split_citation(text)
        self.check.refs.append(
            PendingRef(self.check.record, path, source_id, schema.Ref(kinds=("source",)), excerpt=excerpt)
        )
        return text

    def _choice(self, value, spec: schema.Choice, path: tuple):
        text = self._scalar_text(value, path)
        if text is None:
            return None
        choices = schema.choices_of(spec, self.vocabulary)
        if text not in choices:
            removed = self.vocabulary.removed.get((spec.vocab, text)) if spec.vocab else None
            if removed is not None:
                self.check.add(
                    path,
                    "unknown-value",
                    f"{_field_label(path)}: '{text}' is removed from the "
                    f"vocabulary at {removed.path}:{removed.line}:{removed.column}",
                    "choose another, or keep it in the vocabulary",
                )
                return None
            hint = suggest_closest(text, choices) or (
                "one of: " + ", ".join(choices) + (f" (the words of {self.vocabulary.files[-1]})" if spec.vocab else "")
            )
            self.check.add(path, "unknown-value", f"{_field_label(path)}: '{text}' is not allowed", hint)
            return None
        return text

    def _ref(self, value, spec: schema.Ref, path: tuple):
        text = self._scalar_text(value, path)
        if text is None:
            return None
        if not schema.ID_RE.match(text):
            # Reported in phase two, which knows every record's name: 'The Verge' may be 'the-verge'.
            self.check.refs.append(PendingRef(self.check.record, path, text, spec, malformed=True))
            self.check.deferred = True
            return None
        self.check.refs.append(PendingRef(self.check.record, path, text, spec))
        return text

    def _listof(self, value, spec: schema.ListOf, path: tuple):
        if not isinstance(value, list):
            if isinstance(value, Plain) and value.type_name == "null":
                self.check.add(path, "empty-value", f"{_field_label(path)} is empty", "give a list or remove the field")
                return None
            self.check.add(
                path,
                "wrong-type",
                f"{_field_label(path)} must be a list",
                "write each item on its own line starting with '- '",
            )
            return None
        if len(value) < spec.min_items:
            self.check.add(
                path,
                "empty-list",
                f"{_field_label(path)} needs at least {spec.min_items} item",
                "cite the source id(s) this rests on",
            )
            return None
        items = []
        seen = set()
        for index, item in enumerate(value):
            converted = self.value(item, spec.item, path + (index,))
            if converted is None:
                continue
            if spec.unique and isinstance(converted, str):
                if converted in seen:
                    self.check.add(
                        path + (index,),
                        "duplicate-item",
                        f"{_field_label(path)}: '{converted}' is listed twice",
                        "remove one",
                    )
                    continue
                seen.add(converted)
            items.append(converted)
        return tuple(items)

    def _obj(self, value, spec: schema.Obj, path: tuple):
        if not isinstance(value, dict):
            found = "a list" if isinstance(value, list) else "a single value"
            self.check.add(
                path,
                "wrong-type",
                f"{_field_label(path)} must be a mapping of fields, found {found}",
                "write 'field: value' lines, indented under it",
            )
            return None
        result = {}
        known = spec.field_names()
        for key in value:
            if key not in known:
                hint = suggest_closest(key, known) or ("allowed fields: " + ", ".join(known))
                self.check.add(
                    path + (key,), "unknown-field", f"unknown field '{_field_label(path + (key,))}'", hint, on_key=True
                )
        for name, field_spec, required in spec.fields:
            if name not in value:
                if required:
                    self.check.add(
                        path,
                        "missing-field",
                        f"missing required field '{_field_label(path + (name,))}'",
                        f"add '{name}:' ({field_spec.doc.rstrip('.').lower()})",
                    )
                continue
            converted = self.value(value[name], field_spec, path + (name,))
            if converted is not None:
                result[name] = converted
        return result

    def _mapof(self, value, spec: schema.MapOf, path: tuple):
        if not isinstance(value, dict):
            self.check.add(
                path, "wrong-type", f"{_field_label(path)} must be a mapping", "write 'key:' lines indented under it"
            )
            return None
        result = {}
        keys = schema.keys_of(spec, self.vocabulary)
        for key, item in value.items():
            if key not in keys:
                hint = suggest_closest(key, keys) or ("allowed keys: " + ", ".join(keys))
                self.check.add(
                    path + (key,), "unknown-field", f"unknown key '{_field_label(path + (key,))}'", hint, on_key=True
                )
                continue
            converted = self.value(item, spec.value, path + (key,))
            if converted is not None:
                result[key] = converted
        return result


def _is_unquoted_link(value) -> bool:
    """What YAML makes of an unquoted '[[id]]': a list holding a list of words."""
    return (
        isinstance(value, list)
        and len(value) >= 1
        and all(isinstance(item, list) and len(item) == 1 and isinstance(item[0], str) for item in value)
    )


def _origin(record: RawRecord, path: tuple = ()) -> Origin:
    line, column = record.mark(path)
    return Origin(record.path, line, column)


def _build_entity(record: RawRecord, fields: dict) -> Entity:
    return Entity(
        id=record.record_id,
        origin=_origin(record),
        type=fields["type"],
        name=fields["name"],
        summary=fields["summary"],
        aliases=tuple(Alias(a["name"], a.get("lang"), a.get("note")) for a in fields.get("aliases", ()) if "name" in a),
        description=fields.get("description"),
        facts=tuple(
            Fact(key, fact["value"], fact["sources"])
            for key, fact in fields.get("facts", {}).items()
            if "value" in fact and "sources" in fact
        ),
        relationships=tuple(
            Relationship(
                r["type"],
                r["target"],
                r["sources"],
                r.get("since"),
                r.get("until"),
                r.get("qualifier"),
                r.get("note"),
                _origin(record, ("relationships", index)),
            )
            for index, r in enumerate(fields.get("relationships", ()))
            if {"type", "target", "sources"} <= r.keys()
        ),
        lifecycle=tuple(
            sorted(
                (
                    LifecycleState(
                        s["state"], s["date"], s["sources"], s.get("qualifier"), s.get("note"), s.get("event")
                    )
                    for s in fields.get("lifecycle", ())
                    if {"state", "date", "sources"} <= s.keys()
                ),
                key=lambda s: s.date,
            )
        ),
        tags=fields.get("tags", ()),
        sources=fields.get("sources", ()),
        former_ids=fields.get("former_ids", ()),
    )


def _build_event(record: RawRecord, fields: dict) -> Event:
    return Event(
        id=record.record_id,
        origin=_origin(record),
        date=fields["date"],
        title=fields["title"],
        summary=fields["summary"],
        sources=fields["sources"],
        qualifier=fields.get("qualifier"),
        description=fields.get("description"),
        participants=tuple(
            Participant(p["entity"], p.get("role")) for p in fields.get("participants", ()) if "entity" in p
        ),
        place=fields.get("place"),
        topics=fields.get("topics", ()),
        tags=fields.get("tags", ()),
        former_ids=fields.get("former_ids", ()),
    )


def _build_source(record: RawRecord, fields: dict) -> Source:
    return Source(
        id=record.record_id,
        origin=_origin(record),
        title=fields["title"],
        kind_of_source=fields["kind"],
        title_en=fields.get("title_en"),
        publisher=fields.get("publisher"),
        date=fields.get("date"),
        qualifier=fields.get("qualifier"),
        language=fields.get("language"),
        url=fields.get("url"),
        relays=fields.get("relays", ()),
        note=fields.get("note"),
        archive_url=fields.get("archive_url"),
        stored_text=StoredText(**fields["stored_text"]) if "stored_text" in fields else None,
        excerpts=tuple(
            Excerpt(
                e["id"],
                e["quote"],
                e.get("translation"),
                e.get("lang"),
                Location(**e["location"]) if e.get("location") else None,
                e.get("voice"),
                e.get("note"),
                _origin(record, ("excerpts", index, "quote")),
            )
            for index, e in enumerate(fields.get("excerpts", ()))
            if {"id", "quote"} <= e.keys()
        ),
        former_ids=fields.get("former_ids", ()),
    )


def _check_excerpts(check: _FileCheck, fields: dict) -> None:
    """Excerpt ids are unique within their source; a quote not in English carries a translation."""
    seen: set[str] = set()
    for index, excerpt in enumerate(fields.get("excerpts", ())):
        path = ("excerpts", index)
        excerpt_id = excerpt.get("id")
        if excerpt_id in seen:
            check.add(
                path + ("id",),
                "duplicate-excerpt",
                f"excerpts[{index}]: id '{excerpt_id}' is used twice in this source",
                "give each excerpt its own id",
            )
        seen.add(excerpt_id)
        language = excerpt.get("lang") or fields.get("language")
        if (
            "quote" in excerpt
            and not excerpt.get("translation")
            and (language is None or language.split("-")[0] != schema.READER_LANGUAGE)
        ):
            shown = f"in '{language}'" if language else "in an unknown language"
            check.add(
                path + ("quote",),
                "missing-translation",
                f"excerpts[{index}] ('{excerpt_id}'): the quote is {shown} and has no translation",
                "add 'translation:' with the passage in English (or 'lang: en' if the quote is English)",
            )
        if excerpt.get("voice") == check.record.record_id:
            check.add(
                path + ("voice",),
                "self-voice",
                f"excerpts[{index}]: the voice is the source itself",
                "omit 'voice:' when the source speaks in its own voice",
            )


_BUILDERS = {"entity": _build_entity, "event": _build_event, "source": _build_source}


@dataclass
class CheckedFile:
    """Phase one's result for one file: the record (None if it had errors) and what was found."""

    raw: RawRecord
    record: Entity | Event | Source | None
    problems: list[Problem]
    refs: list[PendingRef]
    relations: list[PendingRelation] = field(default_factory=list)
    names: tuple[str, ...] = ()  # name, title and aliases: what a contributor may write instead of the id
    former_ids: tuple[tuple[str, int, int], ...] = ()  # (id, line, column) of each former id


def check_record(raw: RawRecord, vocabulary: Vocabulary) -> CheckedFile:
    """Phase one: check a single record on its own, against the dossier's vocabulary."""
    check = _FileCheck(raw, [])
    spec = schema.RECORD_SPECS[raw.kind]
    fields = _Validator(check, vocabulary).value(raw.values, spec, ())
    if raw.kind == "entity" and fields and fields.get("lifecycle") and fields.get("type"):
        entity_type = vocabulary.entity_types_by_name[fields["type"]]
        if not entity_type.lifecycle:
            check.add(
                ("lifecycle",),
                "no-lifecycle",
                f"lifecycle: {_a(entity_type.label.lower())} has no lifecycle in the vocabulary "
                f"('{entity_type.name}' is defined at {vocabulary.defined_at('entity_types', entity_type.name)})",
                "remove the lifecycle, or give the type 'lifecycle: true' in the dossier's vocabulary",
                on_key=True,
            )
    if raw.kind == "source" and fields is not None:
        _check_excerpts(check, fields)
    relations = _record_checks(check, raw, vocabulary)
    record = None
    if not check.problems and not check.deferred and fields is not None:
        record = _BUILDERS[raw.kind](raw, fields)
    former_ids = raw.values.get("former_ids")
    formers = tuple(
        (former, *raw.mark(("former_ids", position)))
        for position, former in enumerate(former_ids if isinstance(former_ids, list) else ())
        if isinstance(former, str) and schema.ID_RE.match(former)
    )
    return CheckedFile(raw, record, check.problems, check.refs, relations, _names_of(raw), formers)


def _names_of(raw: RawRecord) -> tuple[str, ...]:
    values = raw.values
    names = [values.get(key) for key in ("name", "title", "title_en")]
    aliases = values.get("aliases")
    if isinstance(aliases, list):
        names.extend(alias.get("name") for alias in aliases if isinstance(alias, dict))
    return tuple(name.strip() for name in names if isinstance(name, str) and name.strip())


def _raw_date(value) -> PartialDate | None:
    text = value.raw if isinstance(value, Plain) else value
    try:
        return PartialDate.parse(text.strip()) if isinstance(text, str) else None
    except ValueError:
        return None


def _raw_items(values: dict, name: str) -> list[tuple[int, dict]]:
    items = values.get(name)
    return [(i, item) for i, item in enumerate(items) if isinstance(item, dict)] if isinstance(items, list) else []


def _at_common_precision(first: PartialDate, second: PartialDate) -> tuple[tuple, tuple]:
    """Both dates cut to the coarser of their precisions: '2021' and '2021-06' compare as equal."""
    depth = min((first.month > 0) + (first.day > 0), (second.month > 0) + (second.day > 0)) + 1
    return ((first.year, first.month, first.day)[:depth], (second.year, second.month, second.day)[:depth])


def _record_checks(check: _FileCheck, raw: RawRecord, vocabulary: Vocabulary) -> list[PendingRelation]:
    """Checks between fields of one record that the field specs cannot express; returns the
    relationships for phase two.  Runs on the raw values, so they are made whatever else is wrong."""
    values = raw.values
    relations = []
    for index, item in _raw_items(values, "relationships"):
        path = ("relationships", index)
        relation_type, target = item.get("type"), item.get("target")
        if (
            isinstance(relation_type, str)
            and relation_type in vocabulary.relation_types_by_name
            and isinstance(target, str)
            and schema.ID_RE.match(target)
        ):
            relations.append(PendingRelation(index, relation_type, target))
            if target == raw.record_id:
                check.add(
                    path + ("type",),
                    "self-relationship",
                    f"relationships[{index}]: the entity points at itself",
                    "remove it or fix the target",
                )
        since, until = _raw_date(item.get("since")), _raw_date(item.get("until"))
        if since and until:
            since_cut, until_cut = _at_common_precision(since, until)
            if since_cut > until_cut:
                check.add(
                    path + ("since",),
                    "dates-reversed",
                    f"relationships[{index}]: since ({since.human()}) is after until ({until.human()})",
                    "swap 'since' and 'until', or correct the date that is wrong",
                )
    first_listed: dict[str, int] = {}
    for index, item in _raw_items(values, "participants"):
        entity = item.get("entity")
        if not isinstance(entity, str):
            continue
        if entity in first_listed:
            check.add(
                ("participants", index, "entity"),
                "duplicate-participant",
                f"participants[{index}].entity: '{entity}' is already listed as participants[{first_listed[entity]}]",
                "list each entity once; give all its roles in one 'role:', e.g. 'buyer and seller'",
            )
        else:
            first_listed[entity] = index
    relays = values.get("relays")
    if raw.kind == "source" and isinstance(relays, list):
        for index, relayed in enumerate(relays):
            if relayed == raw.record_id:
                check.add(
                    ("relays", index),
                    "self-relay",
                    f"relays[{index}]: the source relays itself",
                    "list in 'relays' the other sources this one cites, never its own id",
                )
    state_dates = {
        ("lifecycle", index, "event"): _raw_date(item.get("date")) for index, item in _raw_items(values, "lifecycle")
    }
    for position, ref in enumerate(check.refs):
        if ref.path in state_dates and state_dates[ref.path] is not None:
            check.refs[position] = dataclasses.replace(ref, date=state_dates[ref.path])
    return relations


@dataclass
class _Index:
    """What phase two knows of every record: kind, entity type, file, names, event dates."""

    kinds_by_id: dict[str, str] = field(default_factory=dict)
    types_by_id: dict[str, str] = field(default_factory=dict)
    paths_by_id: dict[str, str] = field(default_factory=dict)
    ids_by_name: dict[str, set[tuple[str, str]]] = field(default_factory=dict)  # name key -> (id, name as written)
    event_dates: dict[str, PartialDate] = field(default_factory=dict)
    main_names: dict[str, str] = field(default_factory=dict)  # id -> name or title

    def ids_named(self, word: str, kinds) -> list[tuple[str, str]]:
        """(id, the name as written) of records of ``kinds`` whose name or alias is ``word``."""
        found = self.ids_by_name.get(_name_key(word), set())
        return sorted((record_id, name) for record_id, name in found if self.kinds_by_id.get(record_id) in kinds)


def _name_key(name: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", name).casefold().split())


def _slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return "-".join(re.findall(r"[a-z0-9]+", ascii_text))


def suggest_record(word: str, kinds, index: _Index) -> str:
    """'did you mean ...?' for a word that is not the id of a record of ``kinds``: a record whose name or
    alias it is, a record whose id it spells, or the closest id; '' when nothing comes close."""
    named = index.ids_named(word, kinds)
    if named:
        record_id, name = named[0]
        what = "name" if index.main_names.get(record_id) == name else "alias"
        return f"did you mean '{record_id}'? ('{name}' is its {what})"
    candidates = [i for i, k in index.kinds_by_id.items() if k in kinds]
    slug = _slug(word)
    if slug and slug != word and slug in candidates:
        return f"did you mean '{slug}'?"
    return suggest_closest(slug or word, candidates)


def _create_hint(target: str, kinds) -> str:
    sources = f"'python -m generator new source {target}'"
    entities = f"'python -m generator new entity {target} --type TYPE'"
    if tuple(kinds) == ("source",):
        return f"no source has this id: fix the id, or add the source with {sources}"
    if tuple(kinds) == ("entity",):
        return f"no entity has this id: fix the id, or add the entity with {entities}"
    if tuple(kinds) == ("event",):
        return f"no event has this id: fix the id, or add the event with 'python -m generator new event {target}'"
    return f"fix the id; to cite a new source, add it with {sources}; to link a new entity, {entities}"


def resolve_references(
    checked_files: list[CheckedFile], vocabulary: Vocabulary, unreadable_ids=frozenset()
) -> list[Problem]:
    """Phase two: every reference points at an existing record of the right kind and type.

    References to ``unreadable_ids`` (records whose file exists but could not be read) are not
    reported: the file's own error says what to fix, and one typo should not give twenty errors.
    Likewise an entity whose type the vocabulary does not know gets its one error, and the
    records that point at it are not checked against its type.
    """
    problems: list[Problem] = []
    index = _Index()
    excerpts_by_source: dict[str, list[str]] = {}
    relays_by_source: dict[str, list[str]] = {}
    for checked in checked_files:
        raw = checked.raw
        if raw.record_id in index.paths_by_id:
            problems.append(
                Problem(
                    raw.path,
                    1,
                    1,
                    "duplicate-id",
                    f"id '{raw.record_id}' is already used by {index.paths_by_id[raw.record_id]}",
                    "ids are unique across entities, events and sources: rename one file",
                )
            )
            continue
        index.paths_by_id[raw.record_id] = raw.path
        index.kinds_by_id[raw.record_id] = raw.kind
        entity_type = raw.values.get("type") if raw.kind == "entity" else None
        if isinstance(entity_type, str) and entity_type in vocabulary.entity_types_by_name:
            index.types_by_id[raw.record_id] = entity_type
        for position, name in enumerate(checked.names):
            index.ids_by_name.setdefault(_name_key(name), set()).add((raw.record_id, name))
            if position == 0:
                index.main_names[raw.record_id] = name
        if isinstance(checked.record, Event):
            index.event_dates[raw.record_id] = checked.record.date
        if isinstance(checked.record, Source):
            excerpts_by_source[raw.record_id] = [excerpt.id for excerpt in checked.record.excerpts]
            relays_by_source[raw.record_id] = list(checked.record.relays)

    for checked in checked_files:
        for ref in checked.refs:
            if ref.target not in unreadable_ids or ref.target in index.kinds_by_id:
                found = _check_reference(ref, index, vocabulary)
                # A source with errors of its own has no excerpt list to check against: its errors come first.
                if not found and ref.excerpt is not None and ref.target in excerpts_by_source:
                    found = _check_excerpt_reference(ref, excerpts_by_source)
                problems.extend(found)
        if checked.raw.kind == "entity":
            problems.extend(_check_relationship_ends(checked, index.types_by_id, vocabulary))
        if isinstance(checked.record, Source):
            problems.extend(_check_voices(checked.record, checked.raw, relays_by_source, index.kinds_by_id))
    problems.extend(_relay_cycles(checked_files, index))
    problems.extend(_former_id_clashes(checked_files, index))
    return problems


def relay_path(source_id: str, voice: str, relays_of) -> list[str] | None:
    """The shortest chain of ``relays`` from a source down to ``voice`` (both included), or None.

    ``relays_of(id)`` gives the ids a source relays (checking works on raw ids, linking on records).
    """
    paths = {source_id: [source_id]}
    queue = [source_id]
    while queue:
        current = queue.pop(0)
        if current == voice:
            return paths[current]
        for relayed in relays_of(current):
            if relayed not in paths:
                paths[relayed] = paths[current] + [relayed]
                queue.append(relayed)
    return None


def _check_excerpt_reference(ref: PendingRef, excerpts_by_source: dict) -> list[Problem]:
    excerpt_ids = excerpts_by_source.get(ref.target, [])
    if ref.excerpt in excerpt_ids:
        return []
    line, column = ref.position()
    shown = f"[[{ref.target}#{ref.excerpt}]]" if ref.in_text else f"'{ref.target}#{ref.excerpt}'"
    if excerpt_ids:
        hint = suggest_closest(ref.excerpt, excerpt_ids) or (
            "its excerpts: " + ", ".join(excerpt_ids[:12]) + (" …" if len(excerpt_ids) > 12 else "")
        )
    else:
        hint = (
            f"source '{ref.target}' has no excerpts: add one under 'excerpts:' in its file, or cite the whole "
            f"source as '{ref.target}'"
        )
    return [
        Problem(
            ref.record.path,
            line,
            column,
            "unknown-excerpt",
            f"{_field_label(ref.path)}: {shown}: source '{ref.target}' has no excerpt '{ref.excerpt}'",
            hint,
        )
    ]


def _check_voices(source: Source, raw: RawRecord, relays_by_source: dict, kinds_by_id: dict) -> list[Problem]:
    """An excerpt's voice is a source down this one's relay chain: it cannot speak through a source it never relays."""
    problems = []
    for index, excerpt in enumerate(source.excerpts):
        voice = excerpt.voice
        if voice is None or kinds_by_id.get(voice) != "source" or voice == source.id:
            continue  # unknown ids and self-voices have their own errors
        if relay_path(source.id, voice, lambda current: relays_by_source.get(current, ())) is None:
            line, column = raw.mark(("excerpts", index, "voice"))
            problems.append(
                Problem(
                    raw.path,
                    line,
                    column,
                    "voice-not-relayed",
                    f"excerpts[{index}] ('{excerpt.id}'): voice '{voice}' is not a source that '{source.id}' relays",
                    f"add '{voice}' to 'relays:' (of this source, or of a source it relays), or fix the voice",
                )
            )
    return problems


def _check_reference(ref: PendingRef, index: _Index, vocabulary: Vocabulary) -> list[Problem]:
    kinds_by_id, types_by_id = index.kinds_by_id, index.types_by_id
    line, column = ref.position()
    where = _field_label(ref.path)
    if (
        ref.malformed
        or ref.in_text
        and not schema.ID_RE.match(ref.target)
        or ref.excerpt is not None
        and not schema.ID_RE.match(ref.excerpt)
    ):
        excerpt = "" if ref.excerpt is None else "#" + ref.excerpt
        shown = f"[[{ref.target}{excerpt}]]" if ref.in_text else f"'{ref.target}{excerpt}'"
        hint = suggest_record(ref.target, ref.spec.kinds, index)
        if hint:
            hint = f"write the record's id: {hint}"
        elif ref.in_text:
            hint = "write [[id]] or [[id|label]] with the id of a record (its file name without .yaml)"
        else:
            hint = "ids are file names without .yaml: lowercase a-z, 0-9 and hyphens"
        return [Problem(ref.record.path, line, column, "bad-reference", f"{where}: {shown} is not a record id", hint)]
    if ref.target not in kinds_by_id:
        hint = suggest_record(ref.target, ref.spec.kinds, index) or _create_hint(ref.target, ref.spec.kinds)
        return [
            Problem(
                ref.record.path, line, column, "unknown-reference", f"{where}: no record with id '{ref.target}'", hint
            )
        ]
    kind = kinds_by_id[ref.target]
    if kind not in ref.spec.kinds:
        return [
            Problem(
                ref.record.path,
                line,
                column,
                "wrong-kind",
                f"{where}: '{ref.target}' is {_a(kind)}, but {_a(' or '.join(ref.spec.kinds))} is expected",
                suggest_closest(ref.target, [i for i, k in kinds_by_id.items() if k in ref.spec.kinds]),
            )
        ]
    allowed = schema.types_of(ref.spec, vocabulary)
    target_type = types_by_id.get(ref.target)
    if kind == "entity" and target_type is None:
        return []  # its type is unknown: the entity's own error says so, once
    if (allowed or ref.spec.vocab) and target_type not in allowed:
        expected = " or ".join(vocabulary.type_label(t).lower() for t in allowed) or "nothing (no type allowed)"
        return [
            Problem(
                ref.record.path,
                line,
                column,
                "wrong-type",
                f"{where}: '{ref.target}' is {_a(vocabulary.type_label(target_type).lower())}, "
                f"but {_a(expected)} is expected",
                "point at an entity of the right type, or change the field" + _declared_at(ref.spec.vocab, vocabulary),
            )
        ]
    event_date = index.event_dates.get(ref.target)
    if ref.date is not None and event_date is not None:
        state_cut, event_cut = _at_common_precision(ref.date, event_date)
        if state_cut != event_cut:
            return [
                Problem(
                    ref.record.path,
                    line,
                    column,
                    "date-mismatch",
                    f"{where}: event '{ref.target}' is dated {event_date.human()}, but this state is dated "
                    f"{ref.date.human()}",
                    "name the event that tells this state, or correct the date of one of them",
                )
            ]
    return []


def _declared_at(section: str | None, vocabulary: Vocabulary) -> str:
    """Where the vocabulary says which types an event field allows, for messages about a record."""
    key = {"event_place": "place", "event_topics": "topics"}.get(section or "")
    origin = vocabulary.event_origins.get(key) if key else None
    return f" (events.{key} is declared at {origin.path}:{origin.line}:{origin.column})" if origin else ""


def _a(word: str) -> str:
    return ("an " if word[:1] in "aeio" else "a ") + word


def _ends(written: tuple[str, ...], types: tuple[str, ...]) -> str:
    """A relation's ends as the vocabulary names them, with the types a group stands for."""
    text = " or ".join(written)
    return text if tuple(written) == tuple(types) else f"{text} ({', '.join(types)})"


def _check_relationship_ends(checked: CheckedFile, types_by_id: dict, vocabulary: Vocabulary) -> list[Problem]:
    """Each relationship's ends against its relation type.  Runs on the raw values (the relationships
    phase one collected), so a record with other errors still hears about these; the entity points at
    itself is reported in phase one (``_record_checks``)."""
    problems = []
    raw = checked.raw
    entity_type = raw.values.get("type")
    for relationship in checked.relations:
        index = relationship.index
        relation = vocabulary.relation_types_by_name[relationship.type]
        defined = f"(defined at {vocabulary.defined_at('relation_types', relation.name)})"
        line, column = raw.mark(("relationships", index, "type"))
        if (
            relation.subject_types
            and isinstance(entity_type, str)
            and entity_type in vocabulary.entity_types_by_name
            and entity_type not in relation.subject_types
        ):
            problems.append(
                Problem(
                    raw.path,
                    line,
                    column,
                    "wrong-relationship",
                    f"relationships[{index}]: {_a(entity_type)} cannot '{relation.name}'",
                    f"'{relation.name}' {defined} starts from "
                    f"{_ends(relation.subject_ends, relation.subject_types)}; choose another relation type",
                )
            )
        target_type = types_by_id.get(relationship.target)
        if target_type and relation.target_types and target_type not in relation.target_types:
            tline, tcolumn = raw.mark(("relationships", index, "target"))
            problems.append(
                Problem(
                    raw.path,
                    tline,
                    tcolumn,
                    "wrong-relationship",
                    f"relationships[{index}]: '{relation.name}' points at {_a(target_type)} ('{relationship.target}')",
                    f"'{relation.name}' {defined} must point at {_ends(relation.target_ends, relation.target_types)}",
                )
            )
    return problems


def _relay_cycles(checked_files: list[CheckedFile], index: _Index) -> list[Problem]:
    """A source that relays, through others, a source that relays it: each cycle once, at the link
    that closes it in the file of its first id."""
    edges: dict[str, list[PendingRef]] = {}
    for checked in checked_files:
        if checked.raw.kind == "source":
            edges[checked.raw.record_id] = [
                ref for ref in checked.refs if ref.path[:1] == ("relays",) and ref.target != checked.raw.record_id
            ]
    problems, reported = [], set()
    for start in sorted(edges):
        stack = [(start, [start])]
        seen = set()
        while stack:
            current, trail = stack.pop()
            for ref in edges.get(current, []):
                if ref.target == start:
                    cycle = frozenset(trail)
                    if cycle in reported:
                        continue
                    reported.add(cycle)
                    first = min(trail)
                    rotated = trail[trail.index(first) :] + trail[: trail.index(first)]
                    closing = next(r for r in edges[rotated[-1]] if r.target == first)
                    line, column = closing.position()
                    problems.append(
                        Problem(
                            closing.record.path,
                            line,
                            column,
                            "relay-cycle",
                            f"{_field_label(closing.path)}: relay cycle {' -> '.join(rotated + [first])}",
                            "a source relays what it cites, never a source that cites it: "
                            "remove the link that goes back",
                        )
                    )
                elif ref.target not in seen and ref.target in edges:
                    seen.add(ref.target)
                    stack.append((ref.target, trail + [ref.target]))
    return problems


def _former_id_clashes(checked_files: list[CheckedFile], index: _Index) -> list[Problem]:
    """A former id sends its old address to one record: it may not be a live id, nor claimed twice."""
    problems, claimed_by = [], {}
    for checked in checked_files:
        raw = checked.raw
        for position, (former, line, column) in enumerate(checked.former_ids):
            where = f"former_ids[{position}]"
            if former in index.paths_by_id:
                owner = index.paths_by_id[former]
                problems.append(
                    Problem(
                        raw.path,
                        line,
                        column,
                        "former-id-clash",
                        f"{where}: '{former}' is the id of a live record ({owner})",
                        "an old address can lead to one page only: remove it here, or rename that record",
                    )
                )
            elif former in claimed_by:
                problems.append(
                    Problem(
                        raw.path,
                        line,
                        column,
                        "former-id-clash",
                        f"{where}: '{former}' is already a former id of {claimed_by[former]}",
                        "an old address can forward to one record only: remove it from one of them",
                    )
                )
            else:
                claimed_by[former] = raw.path
    return problems
