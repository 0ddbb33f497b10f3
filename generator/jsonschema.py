"""The JSON Schema (draft 2020-12) of a record file, derived from :mod:`generator.schema`.

Editors that speak the YAML language server read it through the first line of every record
(``# yaml-language-server: $schema=../../schema/entity.schema.json``: one schema a kind) and
complete and check fields as you type; ``check-jsonschema`` validates records against them.
The combined ``record.schema.json`` picks the kind by the field only it has.  They are served
with the site below ``schema/`` and committed in ``schema/``; a test fails when a committed copy
no longer matches what this module derives.

The schema covers what one file can say on its own (fields, types, dates, ids, patterns);
whether a referenced id exists, and of what kind, is checked by the engine alone.
"""

from __future__ import annotations

import json
from pathlib import Path

from . import schema
from .vocabulary import default_vocabulary

SITE_PATH = "schema/record.schema.json"
#: The committed copy, relative to the project root; record files point at it.
COMMITTED_PATH = Path(SITE_PATH)
SCHEMA_COMMENT_PREFIX = "# yaml-language-server:"
DRAFT = "https://json-schema.org/draft/2020-12/schema"

# The engine reads YAML 1.1, which turns unquoted 2025 into a number and 2025-11-27 into a
# timestamp; it accepts both where a date belongs (check-jsonschema hands timestamps over as
# strings), so a year may be an integer here too.
_DATE_STRING = r"^[0-9]{4}(?:-(?:0[1-9]|1[0-2])(?:-(?:0[1-9]|[12][0-9]|3[01]))?)?$"
_URL = r"^[hH][tT][tT][pP][sS]?://[^\s/?#]+[^\s]*$"
_NOT_BLANK = r"\S"


def _definition_names() -> dict[int, str]:
    """Named object specs of :mod:`generator.schema` become ``$defs`` entries, by identity."""
    return {
        id(value): name.lower().replace("_", "-")
        for name, value in vars(schema).items()
        if isinstance(value, schema.Obj)
    }


class _Translator:
    def __init__(self, vocabulary) -> None:
        self.vocabulary = vocabulary
        self.names = _definition_names()
        self.definitions: dict[str, dict] = {}

    def spec(self, spec: schema.Spec) -> dict:
        method = getattr(self, "_" + type(spec).__name__.lower())
        result = method(spec)
        if spec.doc and "$ref" not in result:
            result = {"description": spec.doc, **result}
        return result

    def _text(self, spec: schema.Text) -> dict:
        result: dict = {"type": "string", "maxLength": spec.max_length}
        result["pattern"] = spec.pattern or _NOT_BLANK
        return result

    def _url(self, spec: schema.Url) -> dict:
        return {"type": "string", "pattern": _URL}

    def _date(self, spec: schema.Date) -> dict:
        return {"type": ["string", "integer"], "pattern": _DATE_STRING, "minimum": 1000, "maximum": 9999}

    def _choice(self, spec: schema.Choice) -> dict:
        return {"type": "string", "enum": list(schema.choices_of(spec, self.vocabulary))}

    def _ref(self, spec: schema.Ref) -> dict:
        kinds = " or ".join(schema.types_of(spec, self.vocabulary) or spec.kinds)
        doc = spec.doc or f"The id of {kinds} record."
        return {"description": doc, "type": "string", "pattern": schema.ID_PATTERN}

    def _cite(self, spec: schema.Cite) -> dict:
        return {"type": "string", "pattern": schema.CITATION_PATTERN}

    def _int(self, spec: schema.Int) -> dict:
        return {"type": "integer", "minimum": spec.minimum}

    def _listof(self, spec: schema.ListOf) -> dict:
        result: dict = {"type": "array", "items": self.spec(spec.item)}
        if spec.min_items:
            result["minItems"] = spec.min_items
        # The engine refuses repeated ids and words; repeated mappings are left alone.
        if spec.unique and not isinstance(spec.item, (schema.Obj, schema.MapOf)):
            result["uniqueItems"] = True
        return result

    def _obj(self, spec: schema.Obj) -> dict:
        name = self.names.get(id(spec))
        body = {
            "type": "object",
            "properties": {field_name: self.spec(field_spec) for field_name, field_spec, _ in spec.fields},
            "required": [field_name for field_name, _, required in spec.fields if required],
            "additionalProperties": False,
        }
        if spec.doc:
            body = {"description": spec.doc, **body}
        if name is None:
            return body
        self.definitions.setdefault(name, body)
        return {"$ref": f"#/$defs/{name}"}

    def _mapof(self, spec: schema.MapOf) -> dict:
        value = self.spec(spec.value)
        key_docs = self.vocabulary.meanings(spec.vocab) if spec.vocab else {}
        properties = {
            key: ({"description": key_docs[key], "allOf": [value]} if key in key_docs else value)
            for key in schema.keys_of(spec, self.vocabulary)
        }
        return {"type": "object", "properties": properties, "additionalProperties": False}


_KIND_DESCRIPTIONS = {
    "entity": "An entity record (content/entities/ID.yaml): an organization, person, product, rule, place ...",
    "event": "An event record (content/events/ID.yaml): a dated happening.",
    "source": "A source record (content/sources/ID.yaml): a publication or informant that statements rest on.",
}


def build_kind_schema(kind: str, vocabulary=None) -> dict:
    """The schema of one kind of record, with that kind's fields at the top level and the vocabulary's words.

    One schema a kind (each record's first line names its own) lets an editor say what is wrong
    with the record in hand: a typo in an entity's relation type is reported as such, not as
    "'date' is a required property" because no kind at all matched."""
    translator = _Translator(vocabulary or default_vocabulary())
    body = translator.spec(schema.RECORD_SPECS[kind])
    definitions = dict(translator.definitions)
    if "$ref" in body:  # the kind's own definition goes to the top level
        body = definitions.pop(body["$ref"].rsplit("/", 1)[-1])
    return {
        "$schema": DRAFT,
        "title": f"Dossier {kind} record",
        **{key: value for key, value in body.items() if key != "description"},
        "description": _KIND_DESCRIPTIONS[kind] + " The file name is the record's id. See the format reference "
        "page of the site for every field.",
        "$defs": dict(sorted(definitions.items())),
    }


def build_json_schema(vocabulary=None) -> dict:
    """Any one of the three kinds, with the vocabulary's words, chosen by the field only that kind has
    (``kind`` for sources, ``type`` for entities, else an event), so that errors are those of one kind,
    not of all three."""
    translator = _Translator(vocabulary or default_vocabulary())
    refs = {kind: translator.spec(schema.RECORD_SPECS[kind]) for kind in schema.RECORD_KINDS}
    return {
        "$schema": DRAFT,
        "title": "Dossier record",
        "description": (
            "One record file of the dossier: an entity (content/entities/), an event "
            "(content/events/) or a source (content/sources/). The file name is the record's id. "
            "Records name the schema of their own kind (entity.schema.json, event.schema.json, "
            "source.schema.json); this one picks the kind by the field only it has: 'kind' for a "
            "source, 'type' for an entity, else an event."
        ),
        "if": {"required": ["kind"]},
        "then": refs["source"],
        "else": {"if": {"required": ["type"]}, "then": refs["entity"], "else": refs["event"]},
        "$defs": dict(sorted(translator.definitions.items())),
    }


def kind_schema_path(kind: str) -> str:
    """The site path (and committed path) of one kind's schema, e.g. ``schema/entity.schema.json``."""
    return f"schema/{kind}.schema.json"


def schema_comment(kind: str) -> str:
    """The first line of every record of ``kind``: which schema an editor checks it against."""
    return f"{SCHEMA_COMMENT_PREFIX} $schema=../../{kind_schema_path(kind)}"


def _text(document: dict) -> str:
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


def json_schema_text(vocabulary=None) -> str:
    """The combined schema as the bytes written to the site and committed: stable key order, final newline."""
    return _text(build_json_schema(vocabulary))


def schema_texts(vocabulary=None) -> dict[str, str]:
    """Every schema file by its path below the project root (and below the site): the combined one
    and one a kind, with the words of ``vocabulary`` (by default the engine's)."""
    vocabulary = vocabulary or default_vocabulary()
    texts = {SITE_PATH: json_schema_text(vocabulary)}
    texts.update({kind_schema_path(kind): _text(build_kind_schema(kind, vocabulary)) for kind in schema.RECORD_KINDS})
    return texts


def stale_schemas(project_root: Path, vocabulary=None) -> list[Path]:
    """The committed schema files that are missing or differ from what this module derives."""
    stale = []
    for relative, text in schema_texts(vocabulary).items():
        target = project_root / relative
        if not target.is_file() or target.read_text(encoding="utf-8") != text:
            stale.append(target)
    return stale


def write_committed_schema(project_root: Path, vocabulary=None) -> list[Path]:
    """Write the committed schema files under ``project_root`` that changed; returns their paths."""
    texts = schema_texts(vocabulary)
    written = []
    for target in stale_schemas(project_root, vocabulary):
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(texts[target.relative_to(project_root).as_posix()], encoding="utf-8")
        written.append(target)
    return written
