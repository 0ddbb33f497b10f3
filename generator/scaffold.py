"""``python -m generator new entity|event|source ID [--type TYPE]``: a record skeleton to fill in.

The skeleton is derived from :mod:`generator.schema` and the dossier's vocabulary: every field
appears with its meaning in a comment; required fields stand uncommented with an empty value
(so ``check`` points at each one still to fill in), optional ones are commented out, ready to
uncomment.  Example ids come from the dossier's own records.
"""

from __future__ import annotations

from pathlib import Path

from . import schema
from .jsonschema import schema_comment
from .loader import check_record_id, display_path
from .problems import DossierError
from .reference import describe
from .vocabulary import Vocabulary, default_vocabulary, load_vocabulary


class ScaffoldError(Exception):
    """The record cannot be created; the message says why and what to do."""


#: What ``--type`` sets for each kind.
TYPE_FIELDS = {"entity": "type", "source": "kind"}

_EXAMPLES = {
    schema.Date: "'2025-11-27'",
    schema.Url: "https://example.org/article",
}


def _choice_lines(name: str, spec: schema.Choice, vocabulary: Vocabulary) -> list[str]:
    choices = schema.choices_of(spec, vocabulary)
    meanings = vocabulary.meanings(spec.vocab) if spec.vocab else {}
    if not meanings or spec.vocab == "lifecycle_states":
        return [f"one of: {', '.join(choices)}"]
    return [f"  {choice}: {meanings[choice]}" for choice in choices]


def _comment_block(name: str, spec: schema.Spec, required: bool, indent: str, vocabulary: Vocabulary) -> list[str]:
    need = "required" if required else "optional"
    lines = [f"{indent}# {name} ({need}): {spec.doc}".rstrip()]
    if isinstance(spec, schema.Choice):
        choice_lines = _choice_lines(name, spec, vocabulary)
        if len(choice_lines) == 1:
            lines.append(f"{indent}#   {choice_lines[0]}")
        else:
            lines.append(f"{indent}#   one of:")
            lines.extend(f"{indent}#   {line}" for line in choice_lines)
    elif isinstance(spec, schema.MapOf):
        lines.append(f"{indent}#   keys:")
        key_docs = vocabulary.meanings(spec.vocab) if spec.vocab else {}
        lines.extend(
            f"{indent}#     {key}: {key_docs.get(key, '')}".rstrip() for key in schema.keys_of(spec, vocabulary)
        )
    elif not isinstance(spec, (schema.Obj, schema.ListOf)):
        lines.append(f"{indent}#   {describe(spec, vocabulary)}")
    return lines


def _example_value(spec: schema.Spec) -> str:
    for spec_type, example in _EXAMPLES.items():
        if isinstance(spec, spec_type):
            return example
    return ""


def _item_lines(name: str, spec: schema.Obj, required: bool, vocabulary: Vocabulary) -> list[str]:
    """Each field of a list item explained, then an example item (commented out when optional)."""
    lines: list[str] = [f"#   each item: {spec.doc}"]
    for field_name, field_spec, field_required in spec.fields:
        lines.extend(
            "#   " + comment[2:] for comment in _comment_block(field_name, field_spec, field_required, "", vocabulary)
        )
    mark = "" if required else "# "
    lines.append(f"{mark}{name}:")
    for index, (field_name, field_spec, _field_required) in enumerate(spec.fields):
        value = "[]" if isinstance(field_spec, schema.ListOf) else _example_value(field_spec)
        lines.append(f"{mark}  {'- ' if index == 0 else '  '}{field_name}: {value}".rstrip())
    return lines


def skeleton_text(
    kind: str,
    type_value: str | None = None,
    vocabulary: Vocabulary | None = None,
    example_ids: dict[str, str] | None = None,
) -> str:
    """The text of a new record of ``kind``; ``type_value`` fills ``type`` (entity) or ``kind`` (source).

    ``example_ids`` (record kind -> an id of the dossier's own) give the examples of lists of ids."""
    vocabulary = vocabulary or default_vocabulary()
    example_ids = example_ids or {}
    spec = schema.RECORD_SPECS[kind]
    lines = [
        schema_comment(kind),
        f"# A new {kind}: {spec.doc}",
        "# Fill in every field that has no value yet, delete the comments you no longer need,",
        "# then run: python -m generator check   (the format reference page lists every field)",
        "",
    ]
    for name, field_spec, required in spec.fields:
        if name == "lifecycle" and kind == "entity" and type_value and type_value not in vocabulary.lifecycle_types:
            continue  # this type has no lifecycle in the vocabulary
        lines.extend(_comment_block(name, field_spec, required, "", vocabulary))
        if name == TYPE_FIELDS.get(kind) and type_value:
            lines.append(f"{name}: {type_value}")
        elif isinstance(field_spec, schema.ListOf) and isinstance(field_spec.item, schema.Obj):
            lines.extend(_item_lines(name, field_spec.item, required, vocabulary))
        elif isinstance(field_spec, schema.MapOf):
            keys = schema.keys_of(field_spec, vocabulary)
            if not keys:
                lines.pop()
                continue
            lines.append(f"# {name}:")
            first_key = keys[0]
            lines.append(f"#   {first_key}:")
            for sub_name, sub_spec, _sub_required in field_spec.value.fields:
                value = "[]" if isinstance(sub_spec, schema.ListOf) else ""
                lines.append(f"#     {sub_name}: {value}".rstrip())
        elif isinstance(field_spec, schema.ListOf):
            item = field_spec.item
            # an id of the dossier's own, where any record of that kind fits (not where a type is asked for)
            if isinstance(item, schema.Cite):
                example = example_ids.get("source")
            elif isinstance(item, schema.Ref) and not schema.types_of(item, vocabulary):
                example = example_ids.get(item.kinds[0])
            else:
                example = None
            lines.append(f"#   {describe(field_spec, vocabulary)}, e.g. [{example or 'first-id, second-id'}]")
            lines.append(f"{name}:" if required else f"# {name}: []")
        elif required:
            lines.append(f"{name}:")
        else:
            lines.append(f"# {name}: {_example_value(field_spec)}".rstrip())
        lines.append("")
    return "\n".join(lines).rstrip("\n") + "\n"


def _check_type(kind: str, type_value: str | None, vocabulary: Vocabulary) -> None:
    if type_value is None:
        return
    field_name = TYPE_FIELDS.get(kind)
    if field_name is None:
        raise ScaffoldError(f"--type does not apply to {kind} records")
    choices = schema.choices_of(
        {name: field_spec for name, field_spec, _required in schema.RECORD_SPECS[kind].fields}[field_name],
        vocabulary,
    )
    if type_value not in choices:
        from .problems import suggest_closest  # one suggestion rule everywhere

        hint = suggest_closest(type_value, choices) or "one of: " + ", ".join(choices)
        raise ScaffoldError(
            f"'{type_value}' is not {'an entity type' if kind == 'entity' else 'a source kind'} "
            f"of this dossier's vocabulary ({' and '.join(vocabulary.files)}); {hint}"
        )


def example_id(content_dir: Path, kind: str = "entity") -> str | None:
    """An id of one of the dossier's own records, for examples in messages; None in an empty dossier."""
    folder = Path(content_dir) / schema.KIND_FOLDERS[kind]
    names = sorted(path.stem for path in folder.glob("*.yaml")) if folder.is_dir() else []
    return next(
        (name for name in names if "-" in name and not check_record_id(name)),
        next((name for name in names if not check_record_id(name)), None),
    )


def create_record(content_dir: Path, kind: str, record_id: str, type_value: str | None = None) -> Path:
    """Write the skeleton of a new record; refuses an ill-formed id or one already in use."""
    if kind not in schema.RECORD_KINDS:
        raise ScaffoldError(f"unknown record kind '{kind}'; use entity, event or source")
    id_problem = check_record_id(record_id)
    if id_problem:
        message, _hint = id_problem
        example = example_id(content_dir, kind) or example_id(content_dir)
        raise ScaffoldError(
            f"{message}; ids are lowercase letters a-z, digits and single hyphens"
            + (f", e.g. '{example}'" if example else "")
        )
    try:
        vocabulary = load_vocabulary(content_dir)
    except DossierError as error:
        raise ScaffoldError("the dossier's vocabulary has errors:\n" + str(error)) from None
    for _other_kind, folder in schema.KIND_FOLDERS.items():
        for suffix in (".yaml", ".yml"):
            existing = content_dir / folder / f"{record_id}{suffix}"
            if existing.exists():
                raise ScaffoldError(
                    f"id '{record_id}' is already used by {display_path(existing)} "
                    f"(ids are unique across entities, events and sources)"
                )
    _check_type(kind, type_value, vocabulary)
    target = content_dir / schema.KIND_FOLDERS[kind] / f"{record_id}.yaml"
    target.parent.mkdir(parents=True, exist_ok=True)
    with open(target, "x", encoding="utf-8") as handle:  # "x": never overwrite, even in a race
        examples = {other: example_id(content_dir, other) for other in schema.RECORD_KINDS}
        handle.write(skeleton_text(kind, type_value, vocabulary, {k: v for k, v in examples.items() if v}))
    return target
