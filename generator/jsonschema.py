"""The JSON Schema (draft 2020-12) of a record file, derived from :mod:`generator.schema`.

Editors that speak the YAML language server read it through the first line of every record
(``# yaml-language-server: $schema=../../schema/record.schema.json``) and complete and check
fields as you type; ``check-jsonschema`` validates records against it in CI.  It is served
with the site at :data:`SITE_PATH` and committed at :data:`COMMITTED_PATH`; a test fails when
the committed copy no longer matches what this module derives.

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
COMMITTED_PATH = Path("schema") / "record.schema.json"
SCHEMA_COMMENT = "# yaml-language-server: $schema=../../schema/record.schema.json"
DRAFT = "https://json-schema.org/draft/2020-12/schema"

# The engine reads YAML 1.1, which turns unquoted 2025 into a number and 2025-11-27 into a
# timestamp; it accepts both where a date belongs (check-jsonschema hands timestamps over as
# strings), so a year may be an integer here too.
_DATE_STRING = r"^[0-9]{4}(?:-(?:0[1-9]|1[0-2])(?:-(?:0[1-9]|[12][0-9]|3[01]))?)?$"
_URL = r"^[hH][tT][tT][pP][sS]?://[^\s/?#]+[^\s]*$"
_NOT_BLANK = r"\S"


def _definition_names() -> dict[int, str]:
    """Named object specs of :mod:`generator.schema` become ``$defs`` entries, by identity."""
    return {id(value): name.lower().replace("_", "-") for name, value in vars(schema).items()
            if isinstance(value, schema.Obj)}


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
        properties = {key: ({"description": key_docs[key], "allOf": [value]} if key in key_docs else value)
                      for key in schema.keys_of(spec, self.vocabulary)}
        return {"type": "object", "properties": properties, "additionalProperties": False}


def build_json_schema(vocabulary=None) -> dict:
    """The schema as a JSON-ready dict: any one of the three record kinds, with the vocabulary's words."""
    translator = _Translator(vocabulary or default_vocabulary())
    kinds = [translator.spec(schema.RECORD_SPECS[kind]) for kind in schema.RECORD_KINDS]
    definitions = dict(sorted(translator.definitions.items()))
    return {
        "$schema": DRAFT,
        "title": "Dossier record",
        "description": ("One record file of the dossier: an entity (content/entities/), an event "
                        "(content/events/) or a source (content/sources/). The file name is the record's id. "
                        "See the format reference page of the site for every field."),
        "anyOf": kinds,
        "$defs": definitions,
    }


def json_schema_text(vocabulary=None) -> str:
    """The schema as the bytes written to the site and committed: stable key order, final newline."""
    return json.dumps(build_json_schema(vocabulary), ensure_ascii=False, indent=2) + "\n"


def write_committed_schema(project_root: Path, vocabulary=None) -> Path:
    """Write the committed copy under ``project_root``; returns its path."""
    target = project_root / COMMITTED_PATH
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json_schema_text(vocabulary), encoding="utf-8")
    return target
