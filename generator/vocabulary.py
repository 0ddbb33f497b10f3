"""The dossier's vocabulary: entity types, relation types, fact keys, lifecycle states, source kinds, wording.

As FollowTheMoney keeps its schemata in YAML files, the engine keeps its words as data: a
neutral default ships in ``generator/vocabulary/default.yaml`` and a dossier declares its own in
``content/vocabulary.yaml``, which says ``extends: default`` and adds, changes (field by field)
or removes entries.  Loading is two-phase: every file is read and merged, then the result is
checked as a whole (groups, ends of relations, colours, FollowTheMoney schemata), and every
problem is reported at its file, line and column.  The result is a :class:`Vocabulary` of
frozen dataclasses; the checks, the JSON Schema, the reference page, ``generator new``, the
pages, the graph and the exports read it, and nothing in the engine names a type of its own.
"""

from __future__ import annotations

import hashlib
import importlib.util
import re
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from .loader import KEY, Plain, _LoadFailure, display_path, parse_record_text
from .model import Origin
from .problems import DossierError, Problem, suggest_closest

DEFAULT_PATH = Path(__file__).parent / "vocabulary" / "default.yaml"
DEFAULT_SHOWN = "generator/vocabulary/default.yaml"
#: The dossier's own vocabulary, in its content folder.
FILE_NAME = "vocabulary.yaml"

_NAME_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_COLOUR_RE = re.compile(r"^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$")
#: Colours for types that declare none, chosen by the type's name so that they stay put.
_FALLBACK_COLOURS = ("#546e7a", "#8d6e63", "#26a69a", "#ab47bc", "#ffa000", "#5c6bc0", "#c0ca33", "#ec407a")


@dataclass(frozen=True)
class Group:
    """A set of entity types that relations and event fields can allow at once ("any actor")."""

    name: str
    label: str
    doc: str
    origin: Origin


@dataclass(frozen=True)
class EntityType:
    """One kind of entity; ``plural`` titles its index page, ``colour`` its nodes in the graph."""

    name: str
    label: str
    plural: str
    doc: str
    groups: tuple[str, ...]
    colour: str
    ftm: str | None  # the FollowTheMoney schema its entities become, or None: left out of the export
    lifecycle: bool  # whether its entities may carry dated states
    origin: Origin


@dataclass(frozen=True)
class FtmMapping:
    """How a relation becomes FollowTheMoney: a link ``schema`` with the ``subject`` and ``object``
    properties, or a ``property`` of the subject that points at the object (``addressEntity``)."""

    schema: str | None = None
    subject: str | None = None
    object: str | None = None
    property: str | None = None


@dataclass(frozen=True)
class RelationType:
    """A typed relationship from one entity to another.

    ``inverse_label`` is how the relation reads on the target's page ("owned by" for "owns"),
    so back-links are derived and never typed twice.  ``subject_ends`` and ``target_ends`` are
    the types or groups as the vocabulary names them; ``subject_types`` and ``target_types``
    the entity types they stand for (empty: any).
    """

    name: str
    label: str
    inverse_label: str
    doc: str
    subject_ends: tuple[str, ...]
    target_ends: tuple[str, ...]
    subject_types: tuple[str, ...]
    target_types: tuple[str, ...]
    ftm: FtmMapping | None
    origin: Origin

    @property
    def symmetric(self) -> bool:
        return self.label == self.inverse_label


@dataclass(frozen=True)
class SourceKind:
    name: str
    label: str
    short: str  # in lists of sources
    doc: str
    origin: Origin
    #: How a voice chain reads the step to a source of this kind ("CNews, relaying the FT, citing two
    #: informed sources").
    relay_verb: str = "relaying"


@dataclass(frozen=True)
class Wording:
    """The titles of the site's sections that depend on the subject; ``{type}`` is a type's label."""

    lifecycle_section: str
    lifecycle_intro: str
    lifecycle_latest: str
    event_lifecycle_section: str
    event_topics_field: str
    role_participant: str
    role_place: str
    role_topic: str

    def role_heading(self, role: str, type_label: str) -> str:
        text = {"participant": self.role_participant, "place": self.role_place, "topic": self.role_topic}[role]
        return text.replace("{type}", type_label.lower())


WORDING_KEYS = tuple(Wording.__dataclass_fields__)


@dataclass(frozen=True)
class Vocabulary:
    """The merged, checked vocabulary of one dossier."""

    groups: tuple[Group, ...]
    entity_types: tuple[EntityType, ...]
    relation_types: tuple[RelationType, ...]
    fact_keys: dict[str, str]
    lifecycle_states: dict[str, str]  # state -> what it means
    source_kinds: tuple[SourceKind, ...]
    event_place: tuple[str, ...]  # entity types an event's place may have
    event_topics: tuple[str, ...]  # entity types an event's topics may have
    wording: Wording
    files: tuple[str, ...]  # the files it was read from, default first, as shown in messages
    removed: dict[tuple[str, str], Origin] = field(default_factory=dict)  # (section, name) -> where removed
    digest: str = ""
    state_labels: dict[str, str] = field(default_factory=dict)  # state -> how pages name it
    #: Lifecycle states in which a rule applies (``in_force: true``): the graph's as-of view counts a
    #: rule as in force from such a state until a later state that is not one of them.
    in_force_states: tuple[str, ...] = ()
    event_origins: dict[str, Origin] = field(default_factory=dict)  # "place"/"topics" -> where declared

    def state_label(self, state: str) -> str:
        """How pages name a lifecycle state: its label, or its name with spaces for hyphens."""
        return self.state_labels.get(state) or state.replace("-", " ")

    @cached_property
    def entity_types_by_name(self) -> dict[str, EntityType]:
        return {t.name: t for t in self.entity_types}

    @cached_property
    def relation_types_by_name(self) -> dict[str, RelationType]:
        return {r.name: r for r in self.relation_types}

    @cached_property
    def source_kinds_by_name(self) -> dict[str, SourceKind]:
        return {k.name: k for k in self.source_kinds}

    @cached_property
    def lifecycle_types(self) -> tuple[str, ...]:
        return tuple(t.name for t in self.entity_types if t.lifecycle)

    def names(self, section: str) -> tuple[str, ...]:
        """The allowed words of a section, in order: what a ``Choice(vocab=...)`` offers."""
        if section == "entity_types":
            return tuple(t.name for t in self.entity_types)
        if section == "relation_types":
            return tuple(r.name for r in self.relation_types)
        if section == "source_kinds":
            return tuple(k.name for k in self.source_kinds)
        if section in ("fact_keys", "lifecycle_states"):
            return tuple(getattr(self, section))
        if section in ("event_place", "event_topics"):
            return getattr(self, section)
        raise KeyError(f"no vocabulary section {section!r}")

    def meanings(self, section: str) -> dict[str, str]:
        """What each word of a section means, for the skeleton, the JSON Schema and the reference page."""
        if section == "entity_types":
            return {t.name: t.doc for t in self.entity_types}
        if section == "relation_types":
            return {r.name: f"{r.label} / on the target's page: {r.inverse_label}" for r in self.relation_types}
        if section == "source_kinds":
            return {k.name: k.doc for k in self.source_kinds}
        if section in ("fact_keys", "lifecycle_states"):
            return dict(getattr(self, section))
        return {}

    def defined_at(self, section: str, name: str) -> str:
        """Where a word is defined, as ``path:line:col``, for messages about records that use it."""
        item = {
            "entity_types": self.entity_types_by_name,
            "relation_types": self.relation_types_by_name,
            "source_kinds": self.source_kinds_by_name,
        }[section].get(name)
        return f"{item.origin.path}:{item.origin.line}:{item.origin.column}" if item else self.files[-1]

    def type_label(self, name: str) -> str:
        entity_type = self.entity_types_by_name.get(name)
        return entity_type.label if entity_type else name


# Loading: each file is read into layers of (value, origin) pairs, merged, then checked as a whole.

_SECTIONS = ("groups", "entity_types", "relation_types", "fact_keys", "lifecycle_states", "source_kinds")
_TOP_KEYS = ("extends",) + _SECTIONS + ("events", "wording", "remove", "order")
_ENTRY_FIELDS = {
    "groups": ("label", "description"),
    "entity_types": ("label", "plural", "description", "groups", "colour", "ftm", "lifecycle"),
    "relation_types": ("label", "inverse", "symmetric", "description", "from", "to", "ftm"),
    "source_kinds": ("label", "short", "description", "relay_verb"),
}
_REQUIRED_FIELDS = {
    "groups": ("label",),
    "entity_types": ("label", "plural"),
    "relation_types": ("label",),
    "source_kinds": ("label",),
}
_FTM_FIELDS = ("schema", "subject", "object", "property")
_SINGULAR = {
    "groups": "group",
    "entity_types": "entity type",
    "relation_types": "relation type",
    "fact_keys": "fact key",
    "lifecycle_states": "lifecycle state",
    "source_kinds": "source kind",
}


@dataclass
class _Value:
    value: object
    origin: Origin


@dataclass
class _Entry:
    origin: Origin  # where the latest file declares it
    fields: dict[str, _Value] = field(default_factory=dict)


class _Merger:
    def __init__(self) -> None:
        self.problems: list[Problem] = []
        self.sections: dict[str, dict[str, _Entry]] = {name: {} for name in _SECTIONS}
        self.events: dict[str, _Value] = {}
        self.wording: dict[str, _Value] = {}
        self.removed: dict[tuple[str, str], Origin] = {}
        self.order: list[_Value] = []
        self.files: list[str] = []
        self.digest = hashlib.sha1()

    def error(self, origin: Origin, code: str, message: str, hint: str = "") -> None:
        self.problems.append(Problem(origin.path, origin.line, origin.column, code, message, hint))

    def read(self, path: Path, seen: tuple[Path, ...] = ()) -> None:
        # The engine's default is named by its place in the engine, wherever the engine is installed.
        shown = DEFAULT_SHOWN if path.resolve() == DEFAULT_PATH.resolve() else display_path(path)
        try:
            data = path.read_bytes()
            raw = parse_record_text(data, shown, "vocabulary", path.stem)
        except _LoadFailure as failure:
            self.problems.append(
                Problem(shown, failure.line, failure.column, failure.code, failure.message, failure.hint)
            )
            return
        except OSError as error:
            self.problems.append(Problem(shown, 1, 1, "unreadable", f"cannot read the vocabulary: {error.strerror}"))
            return
        self.digest.update(data)

        def at(*keys) -> Origin:
            line, column = raw.mark(tuple(keys))
            return Origin(raw.path, line, column)

        values = raw.values
        for key in values:
            if key not in _TOP_KEYS:
                self.error(
                    at(key, KEY),
                    "unknown-field",
                    f"unknown vocabulary section '{key}'",
                    suggest_closest(key, _TOP_KEYS) or "sections: " + ", ".join(_TOP_KEYS),
                )
        extends = values.get("extends")
        if extends is not None:
            if not isinstance(extends, str):
                self.error(at("extends"), "wrong-type", "extends must name a vocabulary: 'default' or a file path")
            else:
                parent = DEFAULT_PATH if extends == "default" else (path.parent / extends)
                if parent.resolve() in seen or parent.resolve() == path.resolve():
                    self.error(at("extends"), "extends-loop", f"'{extends}' extends itself", "remove the loop")
                elif not parent.is_file():
                    self.error(
                        at("extends"),
                        "unknown-vocabulary",
                        f"no vocabulary '{extends}'",
                        "write 'extends: default' or the path of a vocabulary file next to this one",
                    )
                else:
                    self.read(parent, seen + (path.resolve(),))
        self.files.append(raw.path)
        for section in _SECTIONS:
            if section in values:
                self._section(section, values[section], at)
        if "events" in values:
            self._events(values["events"], at)
        if "wording" in values:
            self._wording(values["wording"], at)
        if "remove" in values:
            self._remove(values["remove"], at)
        if "order" in values:
            self._order(values["order"], at)

    def _mapping(self, value, origin: Origin, what: str) -> bool:
        if isinstance(value, dict):
            return True
        self.error(origin, "wrong-type", f"{what} must be a mapping", "write 'name:' lines indented under it")
        return False

    def _section(self, section: str, value, at) -> None:
        if not self._mapping(value, at(section), section):
            return
        entries = self.sections[section]
        for name, body in value.items():
            key_origin = at(section, name, KEY)
            if not _NAME_RE.match(name):
                self.error(
                    key_origin,
                    "bad-name",
                    f"{_SINGULAR[section]} '{name}' is not a well-formed name",
                    "names are lowercase letters a-z, digits and single hyphens",
                )
                continue
            existing = entries.get(name)
            entry = _Entry(key_origin, dict(existing.fields) if existing else {})
            entries[name] = entry
            if section in ("fact_keys", "lifecycle_states"):
                flag = body.get("in_force") if section == "lifecycle_states" and isinstance(body, dict) else None
                if flag is not None:
                    if not (isinstance(flag, Plain) and flag.type_name == "bool"):
                        self.error(
                            at(section, name, "in_force"),
                            "wrong-type",
                            f"{section}.{name}.in_force must be true or false",
                            "write in_force: true",
                        )
                        continue
                    entry.fields["in_force"] = _Value(
                        flag.raw.lower() in ("true", "yes", "on", "y"), at(section, name, "in_force")
                    )
                    body = {key: item for key, item in body.items() if key != "in_force"}
                if (
                    isinstance(body, dict)
                    and set(body) <= {"description", "label"}
                    and all(isinstance(item, str) for item in body.values())
                ):
                    if "label" in body:
                        entry.fields["label"] = _Value(body["label"].strip(), at(section, name, "label"))
                    body = body.get("description")
                if not isinstance(body, str) or not body.strip():
                    self.error(
                        at(section, name),
                        "wrong-type",
                        f"{section}.{name} must be a description text",
                        "write what it means in a few words (or give 'label:', 'description:'"
                        + (" and 'in_force:'" if section == "lifecycle_states" else "")
                        + ")",
                    )
                    continue
                entry.fields["description"] = _Value(body.strip(), at(section, name))
                continue
            if body is None or (isinstance(body, Plain) and body.type_name == "null"):
                body = {}
            if not self._mapping(body, at(section, name), f"{section}.{name}"):
                continue
            allowed = _ENTRY_FIELDS[section]
            for field_name, field_value in body.items():
                where = at(section, name, field_name)
                if field_name not in allowed:
                    self.error(
                        at(section, name, field_name, KEY),
                        "unknown-field",
                        f"unknown field '{section}.{name}.{field_name}'",
                        suggest_closest(field_name, allowed) or "fields: " + ", ".join(allowed),
                    )
                    continue
                converted = self._field(section, name, field_name, field_value, where, at)
                if converted is not None:
                    entry.fields[field_name] = _Value(converted, where)

    def _field(self, section: str, name: str, field_name: str, value, where: Origin, at):
        label = f"{section}.{name}.{field_name}"
        if field_name in ("groups", "from", "to"):
            if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
                self.error(where, "wrong-type", f"{label} must be a list of names", "write [first, second]")
                return None
            return tuple((item, at(section, name, field_name, index)) for index, item in enumerate(value))
        if field_name in ("symmetric", "lifecycle"):
            if isinstance(value, Plain) and value.type_name == "bool":
                return value.raw.lower() in ("true", "yes", "on", "y")
            self.error(where, "wrong-type", f"{label} must be true or false")
            return None
        if field_name == "ftm" and section == "relation_types":
            if (
                not isinstance(value, dict)
                or not set(value) <= set(_FTM_FIELDS)
                or not all(isinstance(item, str) for item in value.values())
            ):
                self.error(
                    where,
                    "wrong-type",
                    f"{label} must be a mapping with schema, subject and object, or with property",
                    "e.g. {schema: Ownership, subject: owner, object: asset} or {property: addressEntity}",
                )
                return None
            return {key: (item, at(section, name, field_name, key)) for key, item in value.items()}
        if not isinstance(value, str) or not value.strip():
            found = f"'{value.raw}' (put it in quotes)" if isinstance(value, Plain) else "no text"
            self.error(where, "wrong-type", f"{label} must be text, found {found}")
            return None
        return value.strip()

    def _names(self, value, origin: Origin, what: str, at, *keys) -> list[tuple[str, Origin]] | None:
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            self.error(origin, "wrong-type", f"{what} must be a list of names", "write [first, second]")
            return None
        return [(item, at(*keys, index)) for index, item in enumerate(value)]

    def _events(self, value, at) -> None:
        if not self._mapping(value, at("events"), "events"):
            return
        for key, names in value.items():
            if key not in ("place", "topics"):
                self.error(
                    at("events", key, KEY),
                    "unknown-field",
                    f"unknown field 'events.{key}'",
                    suggest_closest(key, ("place", "topics")) or "fields: place, topics",
                )
                continue
            listed = self._names(names, at("events", key), f"events.{key}", at, "events", key)
            if listed is not None:
                self.events[key] = _Value(tuple(listed), at("events", key))

    def _wording(self, value, at) -> None:
        if not self._mapping(value, at("wording"), "wording"):
            return
        for key, text in value.items():
            if key not in WORDING_KEYS:
                self.error(
                    at("wording", key, KEY),
                    "unknown-field",
                    f"unknown wording '{key}'",
                    suggest_closest(key, WORDING_KEYS) or "keys: " + ", ".join(WORDING_KEYS),
                )
            elif not isinstance(text, str) or not text.strip():
                self.error(at("wording", key), "wrong-type", f"wording.{key} must be text")
            else:
                self.wording[key] = _Value(text.strip(), at("wording", key))

    def _remove(self, value, at) -> None:
        if not self._mapping(value, at("remove"), "remove"):
            return
        for section, names in value.items():
            if section not in _SECTIONS:
                self.error(
                    at("remove", section, KEY),
                    "unknown-field",
                    f"cannot remove from '{section}'",
                    suggest_closest(section, _SECTIONS) or "sections: " + ", ".join(_SECTIONS),
                )
                continue
            for name, origin in (
                self._names(names, at("remove", section), f"remove.{section}", at, "remove", section) or ()
            ):
                if self.sections[section].pop(name, None) is None:
                    self.error(
                        origin,
                        "unknown-type",
                        f"{_SINGULAR[section]} '{name}' cannot be removed: no vocabulary before this one declares it",
                        suggest_closest(name, self.sections[section]) or "remove the line",
                    )
                else:
                    self.removed[(section, name)] = origin

    def _order(self, value, at) -> None:
        if not self._mapping(value, at("order"), "order"):
            return
        for section, names in value.items():
            if section != "entity_types":
                self.error(
                    at("order", section, KEY),
                    "unknown-field",
                    f"cannot order '{section}'",
                    "only entity_types has an order (it orders the site's sections)",
                )
                continue
            self.order = [
                _Value(name, origin)
                for name, origin in self._names(names, at("order", section), "order.entity_types", at, "order", section)
                or ()
            ]


def _ftm_schemata() -> frozenset[str] | None:
    """The schema names FollowTheMoney ships, read from its YAML files without importing it (slow)."""
    spec = importlib.util.find_spec("followthemoney")
    if spec is None or not spec.submodule_search_locations:
        return None
    for location in spec.submodule_search_locations:
        folder = Path(location) / "schema"
        if folder.is_dir():
            return frozenset(path.stem for path in folder.glob("*.yaml"))
    return None


class _Builder:
    """Phase two: the merged entries become checked dataclasses."""

    def __init__(self, merger: _Merger):
        self.merger = merger
        self.error = merger.error

    def text(self, entry: _Entry, name: str, default: str = "") -> str:
        value = entry.fields.get(name)
        return value.value if value else default

    def missing(self, section: str, name: str, entry: _Entry) -> bool:
        absent = [f for f in _REQUIRED_FIELDS.get(section, ()) if f not in entry.fields]
        for field_name in absent:
            self.error(
                entry.origin,
                "missing-field",
                f"{_SINGULAR[section]} '{name}' has no {field_name}",
                f"add '{field_name}:' under it",
            )
        return bool(absent)

    def build(self) -> Vocabulary | None:
        merger = self.merger
        sections = merger.sections
        groups = tuple(
            Group(name, self.text(entry, "label"), self.text(entry, "description"), entry.origin)
            for name, entry in sections["groups"].items()
            if not self.missing("groups", name, entry)
        )
        group_names = {group.name for group in groups}
        ftm_names = _ftm_schemata()
        entity_types: list[EntityType] = []
        for name, entry in sections["entity_types"].items():
            if self.missing("entity_types", name, entry):
                continue
            if name in group_names:
                self.error(
                    entry.origin,
                    "duplicate-type",
                    f"'{name}' is both an entity type and a group",
                    "rename one: relations and event fields name types and groups alike",
                )
            member_of = []
            for group, origin in entry.fields["groups"].value if "groups" in entry.fields else ():
                if group not in group_names:
                    self.error(
                        origin,
                        "unknown-group",
                        f"entity type '{name}': no group '{group}'",
                        suggest_closest(group, group_names) or "declare it under 'groups:' or remove it",
                    )
                elif group in member_of:
                    self.error(origin, "duplicate-item", f"entity type '{name}': group '{group}' is listed twice")
                else:
                    member_of.append(group)
            colour = self.text(
                entry,
                "colour",
                _FALLBACK_COLOURS[int(hashlib.sha1(name.encode()).hexdigest(), 16) % len(_FALLBACK_COLOURS)],
            )
            if not _COLOUR_RE.match(colour):
                self.error(
                    entry.fields["colour"].origin,
                    "bad-colour",
                    f"entity type '{name}': '{colour}' is not a colour",
                    "write a hex colour in quotes, such as '#1e88e5' or '#18e'",
                )
            ftm = self.text(entry, "ftm") or None
            if ftm and ftm_names is not None and ftm not in ftm_names:
                self.error(
                    entry.fields["ftm"].origin,
                    "unknown-ftm-schema",
                    f"entity type '{name}': FollowTheMoney has no schema '{ftm}'",
                    suggest_closest(ftm, ftm_names) or "see https://followthemoney.tech/explorer/schemata/",
                )
            lifecycle = entry.fields["lifecycle"].value if "lifecycle" in entry.fields else False
            entity_types.append(
                EntityType(
                    name,
                    self.text(entry, "label"),
                    self.text(entry, "plural"),
                    self.text(entry, "description"),
                    tuple(member_of),
                    colour,
                    ftm,
                    lifecycle,
                    entry.origin,
                )
            )
        entity_types = self._ordered(entity_types)
        type_names = [t.name for t in entity_types]
        members = {group: tuple(t.name for t in entity_types if group in t.groups) for group in group_names}

        def expand(ends, owner: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
            written, expanded = [], []
            for end, origin in ends:
                if end in members:
                    expanded.extend(members[end])
                elif end in type_names:
                    expanded.append(end)
                else:
                    self.error(
                        origin,
                        "unknown-type",
                        f"{owner}: no entity type or group '{end}'",
                        suggest_closest(end, type_names + sorted(group_names)) or "declare it or remove it",
                    )
                    continue
                written.append(end)
            return tuple(written), tuple(dict.fromkeys(expanded))

        relation_types = []
        for name, entry in sections["relation_types"].items():
            if self.missing("relation_types", name, entry):
                continue
            label = self.text(entry, "label")
            symmetric = entry.fields["symmetric"].value if "symmetric" in entry.fields else False
            inverse = self.text(entry, "inverse")
            subject_ends, subject_types = expand(
                entry.fields["from"].value if "from" in entry.fields else (), f"relation type '{name}'"
            )
            target_ends, target_types = expand(
                entry.fields["to"].value if "to" in entry.fields else (), f"relation type '{name}'"
            )
            if symmetric and inverse and inverse != label:
                self.error(
                    entry.fields["inverse"].origin,
                    "symmetric-inverse",
                    f"relation type '{name}' is symmetric, but its inverse '{inverse}' differs from '{label}'",
                    "remove 'inverse:' or 'symmetric: true'",
                )
            elif not symmetric and not inverse:
                self.error(
                    entry.origin,
                    "missing-inverse",
                    f"relation type '{name}' has no inverse label",
                    "add 'inverse:' (how it reads on the target's page, as 'owned by' for 'owns'), "
                    "or 'symmetric: true'",
                )
                continue
            ftm = None
            if "ftm" in entry.fields:
                ftm = self._ftm_mapping(name, entry.fields["ftm"], ftm_names)
            relation_types.append(
                RelationType(
                    name,
                    label,
                    label if symmetric else inverse,
                    self.text(entry, "description"),
                    subject_ends,
                    target_ends,
                    subject_types,
                    target_types,
                    ftm,
                    entry.origin,
                )
            )

        source_kinds = tuple(
            SourceKind(
                name,
                self.text(entry, "label"),
                self.text(entry, "short") or self.text(entry, "label").lower(),
                self.text(entry, "description"),
                entry.origin,
                self.text(entry, "relay_verb", "relaying"),
            )
            for name, entry in sections["source_kinds"].items()
            if not self.missing("source_kinds", name, entry)
        )
        events = {}
        for key in ("place", "topics"):
            if key in merger.events:
                events[key] = expand(merger.events[key].value, f"events.{key}")[1]
            else:
                events[key] = ()
        absent_wording = [key for key in WORDING_KEYS if key not in merger.wording]
        if absent_wording:  # only when a vocabulary extends nothing
            self.error(
                Origin(merger.files[-1] if merger.files else "vocabulary.yaml"),
                "missing-field",
                "the vocabulary has no wording for " + ", ".join(absent_wording),
                "write 'extends: default', or give each under 'wording:'",
            )
        if merger.problems:
            return None
        return Vocabulary(
            groups=groups,
            entity_types=tuple(entity_types),
            relation_types=tuple(relation_types),
            fact_keys={
                name: entry.fields["description"].value
                for name, entry in sections["fact_keys"].items()
                if "description" in entry.fields
            },
            lifecycle_states={
                name: entry.fields["description"].value
                for name, entry in sections["lifecycle_states"].items()
                if "description" in entry.fields
            },
            source_kinds=source_kinds,
            event_place=events["place"],
            event_topics=events["topics"],
            wording=Wording(**{key: merger.wording[key].value for key in WORDING_KEYS}),
            files=tuple(merger.files),
            removed=dict(merger.removed),
            digest=merger.digest.hexdigest()[:16],
            state_labels={
                name: entry.fields["label"].value
                for name, entry in sections["lifecycle_states"].items()
                if "label" in entry.fields
            },
            in_force_states=tuple(
                name
                for name, entry in sections["lifecycle_states"].items()
                if entry.fields.get("in_force") and entry.fields["in_force"].value and "description" in entry.fields
            ),
            event_origins={key: value.origin for key, value in merger.events.items()},
        )

    def _ordered(self, entity_types: list[EntityType]) -> list[EntityType]:
        if not self.merger.order:
            return entity_types
        by_name = {t.name: t for t in entity_types}
        ordered: list[EntityType] = []
        for item in self.merger.order:
            if item.value not in by_name:
                self.error(
                    item.origin,
                    "unknown-type",
                    f"order: no entity type '{item.value}'",
                    suggest_closest(item.value, by_name) or "remove it from the order",
                )
            elif by_name[item.value] in ordered:
                self.error(item.origin, "duplicate-type", f"order: '{item.value}' is listed twice", "remove one")
            else:
                ordered.append(by_name[item.value])
        return ordered + [t for t in entity_types if t not in ordered]

    def _ftm_mapping(self, name: str, value: _Value, ftm_names) -> FtmMapping | None:
        fields = {key: item for key, (item, _origin) in value.value.items()}
        if "property" in fields and len(fields) == 1:
            return FtmMapping(property=fields["property"])
        if set(fields) != {"schema", "subject", "object"}:
            self.error(
                value.origin,
                "wrong-type",
                f"relation type '{name}': ftm needs schema, subject and object, or property alone",
                "e.g. {schema: Ownership, subject: owner, object: asset}",
            )
            return None
        if ftm_names is not None and fields["schema"] not in ftm_names:
            self.error(
                value.value["schema"][1],
                "unknown-ftm-schema",
                f"relation type '{name}': FollowTheMoney has no schema '{fields['schema']}'",
                suggest_closest(fields["schema"], ftm_names) or "see https://followthemoney.tech/explorer/schemata/",
            )
            return None
        return FtmMapping(fields["schema"], fields["subject"], fields["object"])


def vocabulary_path(content_dir: Path) -> Path:
    return Path(content_dir) / FILE_NAME


def load_vocabulary(content_dir: Path | None = None) -> Vocabulary:
    """The vocabulary of the dossier in ``content_dir``: its ``vocabulary.yaml``, or the default alone.

    Raises :class:`~generator.problems.DossierError` with every problem, each at its file's line and column.
    """
    own = vocabulary_path(content_dir) if content_dir is not None else None
    return load_vocabulary_file(own if own is not None and own.is_file() else DEFAULT_PATH)


_LOADED: dict[tuple, Vocabulary] = {}


def load_vocabulary_file(path: Path) -> Vocabulary:
    merger = _Merger()
    merger.read(Path(path))
    key = (str(Path(path).resolve()), merger.digest.hexdigest(), tuple(merger.files))
    if key in _LOADED and not merger.problems:
        return _LOADED[key]
    vocabulary = _Builder(merger).build() if merger.files else None  # build even so: every problem in one run
    if vocabulary is None:
        raise DossierError(merger.problems)
    _LOADED[key] = vocabulary
    return vocabulary


def default_vocabulary() -> Vocabulary:
    return load_vocabulary_file(DEFAULT_PATH)


def removed_types_in_use(vocabulary: Vocabulary, used: dict[tuple[str, str], list[Origin]]) -> list[Problem]:
    """One error at each removal that records still depend on: ``used`` maps (section, name) to where."""
    problems = []
    for (section, name), origin in sorted(vocabulary.removed.items()):
        places = used.get((section, name))
        if not places:
            continue
        shown = ", ".join(f"{p.path}:{p.line}:{p.column}" for p in places[:3])
        more = f" and {len(places) - 3} more" if len(places) > 3 else ""
        count = f"{len(places)} record{'s' if len(places) != 1 else ''}"
        problems.append(
            Problem(
                origin.path,
                origin.line,
                origin.column,
                "removed-in-use",
                f"{_SINGULAR[section]} '{name}' is removed, but {count} still "
                f"{'uses' if len(places) == 1 else 'use'} it: {shown}{more}",
                "change those records first, or keep the type",
            )
        )
    return problems
