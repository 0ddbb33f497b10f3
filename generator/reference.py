"""The format reference page, derived from :mod:`generator.schema` like the checks and the JSON Schema.

:func:`field_rows` flattens the field tree into one row a field (``relationships[].target``);
the page itself is the template ``format-reference.md.j2``, rendered by the engine at
:data:`PAGE_PATH`.  A test fails when a field of the schema is missing from the page.
"""

from __future__ import annotations

from dataclasses import dataclass

from . import schema
from .vocabulary import default_vocabulary

PAGE_PATH = "reference/format.md"


@dataclass(frozen=True)
class FieldRow:
    """One field of a record kind, as the reference page lists it."""

    path: str  # "relationships[].target"
    shape: str  # "id of an entity (place)", "list of ...", "date"
    required: bool
    doc: str


def describe(spec: schema.Spec, vocabulary=None) -> str:
    """A few words on what a value of ``spec`` looks like (words from ``vocabulary``, else the default)."""
    if vocabulary is None:
        vocabulary = default_vocabulary()
    if isinstance(spec, schema.Text):
        if spec.pattern == schema.TAG_PATTERN:
            return "word-with-hyphens"
        if spec.pattern == schema.LANGUAGE_PATTERN:
            return "language code"
        return f"{'rich text' if spec.rich else 'text'}, up to {spec.max_length:,} characters"
    if isinstance(spec, schema.Url):
        return "http(s) address"
    if isinstance(spec, schema.Date):
        return "date: YYYY, YYYY-MM or YYYY-MM-DD"
    if isinstance(spec, schema.Choice):
        return "one of: " + ", ".join(schema.choices_of(spec, vocabulary))
    if isinstance(spec, schema.Cite):
        return "citation: source-id or source-id#excerpt-id"
    if isinstance(spec, schema.Int):
        return f"whole number from {spec.minimum}"
    if isinstance(spec, schema.Ref):
        kinds = " or ".join(spec.kinds)
        types = schema.types_of(spec, vocabulary)
        return f"id of {_a(kinds)}" + (f" ({' or '.join(types)})" if types else "")
    if isinstance(spec, schema.ListOf):
        at_least = f", at least {spec.min_items}" if spec.min_items else ""
        inner = "mappings" if isinstance(spec.item, (schema.Obj, schema.MapOf)) else describe(spec.item, vocabulary)
        return f"list of {inner}{at_least}"
    if isinstance(spec, schema.Obj):
        return "mapping"
    if isinstance(spec, schema.MapOf):
        return "mapping with keys: " + ", ".join(schema.keys_of(spec, vocabulary))
    raise TypeError(f"no description for {type(spec).__name__}")


def _a(word: str) -> str:
    return ("an " if word[:1] in "aeio" else "a ") + word


def field_rows(spec: schema.Obj, prefix: str = "", vocabulary=None) -> list[FieldRow]:
    """Every field under ``spec``, depth first, in schema order."""
    rows: list[FieldRow] = []
    for name, field_spec, required in spec.fields:
        path = f"{prefix}{name}"
        doc = field_spec.doc
        if isinstance(field_spec, schema.ListOf) and isinstance(field_spec.item, schema.Obj):
            doc = doc or field_spec.item.doc
        rows.append(FieldRow(path, describe(field_spec, vocabulary), required, doc))
        rows.extend(_nested_rows(field_spec, path, vocabulary))
    return rows


def _nested_rows(spec: schema.Spec, path: str, vocabulary) -> list[FieldRow]:
    if isinstance(spec, schema.Obj):
        return field_rows(spec, path + ".", vocabulary)
    if isinstance(spec, schema.ListOf):
        return _nested_rows(spec.item, path + "[]", vocabulary)
    if isinstance(spec, schema.MapOf):
        return _nested_rows(spec.value, path + ".<key>", vocabulary)
    return []


def rows_by_kind(vocabulary=None) -> dict[str, list[FieldRow]]:
    return {kind: field_rows(schema.RECORD_SPECS[kind], vocabulary=vocabulary) for kind in schema.RECORD_KINDS}


def all_field_paths() -> set[str]:
    """Every field path of every kind: what the reference page must mention."""
    return {row.path for rows in rows_by_kind().values() for row in rows}
