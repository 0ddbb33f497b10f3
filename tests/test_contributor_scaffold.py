"""``python -m generator new``: a skeleton with every field explained, that checks once filled in."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import MINI, ROOT

from generator import schema
from generator.jsonschema import schema_comment
from generator.pipeline import load_dossier
from generator.problems import DossierError
from generator.scaffold import ScaffoldError, create_record, skeleton_text
from generator.vocabulary import default_vocabulary

CHECK_JSONSCHEMA = Path(sys.executable).parent / "check-jsonschema"


@pytest.fixture
def content(tmp_path) -> Path:
    target = tmp_path / "content"
    shutil.copytree(MINI, target)
    return target


def _new(content: Path, *arguments: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "generator", "new", "--content", str(content), *arguments],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )


def _fill(path: Path, values: dict[str, str]) -> None:
    """What a contributor does: give each empty required field a value."""
    text = path.read_text(encoding="utf-8")
    for name, value in values.items():
        text, count = re.subn(rf"^{name}:$", f"{name}: {value}", text, flags=re.MULTILINE)
        assert count == 1, name
    path.write_text(text, encoding="utf-8")


@pytest.mark.parametrize("kind", schema.RECORD_KINDS)
def test_skeleton_explains_every_field(kind):
    text = skeleton_text(kind)
    assert text.startswith(f"# yaml-language-server: $schema=../../schema/{kind}.schema.json\n")
    assert text.startswith(schema_comment(kind) + "\n")
    for name, field_spec, required in schema.RECORD_SPECS[kind].fields:
        assert f"# {name} ({'required' if required else 'optional'}): {field_spec.doc}" in text
        if isinstance(field_spec, schema.ListOf) and isinstance(field_spec.item, schema.Obj):
            for sub_name, sub_spec, _sub_required in field_spec.item.fields:
                assert f"{sub_name} (" in text and sub_spec.doc in text


def test_entity_skeleton_lists_types_and_relations_with_meanings():
    text = skeleton_text("entity", "company")
    assert "\ntype: company\n" in text
    vocabulary = default_vocabulary()  # no dossier given: the engine's own words
    for entity_type in vocabulary.entity_types:
        assert f"{entity_type.name}: {entity_type.doc}" in text
    for relation in vocabulary.relation_types:
        assert relation.inverse_label in text


def test_new_entity_event_and_source_check_after_filling(content):
    created = _new(content, "entity", "globex", "--type", "company")
    assert created.returncode == 0, created.stderr
    entity = content / "entities" / "globex.yaml"
    assert f"created {entity.as_posix()}" in created.stdout
    assert _new(content, "source", "globex-press-release", "--type", "press-release").returncode == 0
    assert _new(content, "event", "2025-06-globex-founded").returncode == 0
    source = content / "sources" / "globex-press-release.yaml"
    event = content / "events" / "2025-06-globex-founded.yaml"

    # Unfilled, the check names each empty required field with its line.
    with pytest.raises(DossierError) as caught:
        load_dossier(content)
    empty = {(Path(p.path).name, p.code) for p in caught.value.problems}
    assert ("globex.yaml", "empty-value") in empty and ("2025-06-globex-founded.yaml", "empty-value") in empty
    name_line = entity.read_text(encoding="utf-8").splitlines().index("name:") + 1
    assert any(p.line == name_line and p.message == "name is empty" for p in caught.value.problems)

    _fill(entity, {"name": "Globex", "summary": "A company that [[acme]] competes with. [[globex-press-release]]"})
    _fill(source, {"title": "Globex is founded"})
    _fill(
        event,
        {
            "date": "'2025-06'",
            "title": "Globex is founded",
            "summary": "'[[globex]] is founded. [[globex-press-release]]'",
            "sources": "[globex-press-release]",
        },
    )
    result = load_dossier(content)
    assert "globex" in result.dossier.entities and "2025-06-globex-founded" in result.dossier.events
    check = subprocess.run(
        [sys.executable, "-m", "generator", "check", "--content", str(content)],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert check.returncode == 0, check.stdout
    schema_check = subprocess.run(
        [
            str(CHECK_JSONSCHEMA),
            "--schemafile",
            str(ROOT / "schema/record.schema.json"),
            str(entity),
            str(event),
            str(source),
        ],
        capture_output=True,
        text=True,
    )
    assert schema_check.returncode == 0, schema_check.stdout


def test_uncommenting_optional_list_examples_gives_valid_yaml_structure(content):
    path = create_record(content, "entity", "initech", "company")
    text = path.read_text(encoding="utf-8")
    # uncomment the aliases example: it must land as a list of mappings under 'aliases'
    text = text.replace(
        "# aliases:\n#   - name:\n#     lang:\n#     note:\n", "aliases:\n  - name: Инитех\n    lang: ru\n"
    )
    assert "aliases:\n  - name: Инитех" in text
    text = re.sub(r"^name:$", "name: Initech", text, flags=re.MULTILINE)
    text = re.sub(r"^summary:$", "summary: A company. [[paper-2025]]", text, flags=re.MULTILINE)
    path.write_text(text, encoding="utf-8")
    assert load_dossier(content).dossier.entities["initech"].aliases[0].lang == "ru"


@pytest.mark.parametrize(
    "bad_id", ["Globex", "globex_inc", "globex--inc", "-globex", "glоbex", "index", "a" * 65, "../escape"]
)
def test_refuses_ill_formed_id(content, bad_id):
    result = _new(content, "entity", "--type", "company", "--", bad_id)
    assert result.returncode == 1
    assert result.stderr.startswith("error: id ")
    assert not list(content.rglob("*globex*.yaml")) and not (content.parent / "escape.yaml").exists()


def test_refuses_an_existing_id_in_any_folder(content):
    before = (content / "entities" / "acme.yaml").read_bytes()
    for kind in ("entity", "event", "source"):
        result = _new(content, kind, "acme")
        assert result.returncode == 1
        assert "already used by" in result.stderr and "acme.yaml" in result.stderr
    assert (content / "entities" / "acme.yaml").read_bytes() == before
    assert not (content / "events" / "acme.yaml").exists()


def test_refuses_unknown_type_with_a_suggestion(content):
    with pytest.raises(ScaffoldError, match="did you mean 'company'"):
        create_record(content, "entity", "globex", "compnay")
    with pytest.raises(ScaffoldError, match="does not apply to event"):
        create_record(content, "event", "2025-globex", "company")
    assert not (content / "entities" / "globex.yaml").exists()
