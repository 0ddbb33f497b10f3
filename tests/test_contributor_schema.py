"""One definition, three products: the JSON Schema, the checks and the format reference page agree."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from check_jsonschema.cli.main_command import main as check_jsonschema_command
from click.testing import CliRunner
from conftest import MINI, ROOT, write_record
from jsonschema import Draft202012Validator

from generator import jsonschema, reference, schema
from generator.build import SiteBuild
from generator.pipeline import load_dossier
from generator.problems import DossierError
from generator.vocabulary import load_vocabulary

CHECK_JSONSCHEMA = Path(sys.executable).parent / "check-jsonschema"
SCHEMA_FILE = ROOT / jsonschema.COMMITTED_PATH


def _all_records(content_dir: Path) -> list[Path]:
    return sorted(p for folder in schema.KIND_FOLDERS.values() for p in (content_dir / folder).glob("*.yaml"))


def _check_jsonschema(*files: Path, schema_file: Path = SCHEMA_FILE) -> subprocess.CompletedProcess:
    """check-jsonschema's own command, the one its console script runs, invoked in this process.

    Some thirty cases each start it once: in this process that is 0.04 s, where starting the console
    script is 0.6 s. The first test below runs the console script itself, as contributors do.
    """
    args = ["--schemafile", str(schema_file), *map(str, files)]
    result = CliRunner().invoke(check_jsonschema_command, args)
    return subprocess.CompletedProcess(args, result.exit_code, result.stdout, result.stderr)


def _check_jsonschema_script(*files: Path, schema_file: Path = SCHEMA_FILE) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(CHECK_JSONSCHEMA), "--schemafile", str(schema_file), *map(str, files)], capture_output=True, text=True
    )


def test_committed_schemas_match_schema_py():
    texts = jsonschema.schema_texts(load_vocabulary(ROOT / "content"))
    for relative, text in texts.items():
        assert (ROOT / relative).read_text(encoding="utf-8") == text, (
            f"{relative} is stale: run 'python -m generator schema' and commit it"
        )
    assert sorted(texts) == [
        "schema/entity.schema.json",
        "schema/event.schema.json",
        "schema/record.schema.json",
        "schema/source.schema.json",
    ]


def test_schema_command_check_fails_on_a_stale_copy(tmp_path):
    stale = tmp_path / jsonschema.COMMITTED_PATH
    stale.parent.mkdir(parents=True)
    stale.write_text("{}\n", encoding="utf-8")
    run = [sys.executable, "-m", "generator", "schema", "--root", str(tmp_path)]
    assert subprocess.run([*run, "--check"], cwd=ROOT, capture_output=True).returncode == 1
    assert subprocess.run(run, cwd=ROOT, capture_output=True).returncode == 0
    assert stale.read_text(encoding="utf-8") == jsonschema.json_schema_text()
    assert (tmp_path / "schema/entity.schema.json").read_text(encoding="utf-8") == jsonschema.schema_texts()[
        "schema/entity.schema.json"
    ]
    assert subprocess.run([*run, "--check"], cwd=ROOT, capture_output=True).returncode == 0


def test_schemas_are_valid_draft_2020_12():
    for relative in jsonschema.schema_texts():
        document = json.loads((ROOT / relative).read_text(encoding="utf-8"))
        assert document["$schema"] == "https://json-schema.org/draft/2020-12/schema"
        Draft202012Validator.check_schema(document)


def test_every_record_names_the_schema_on_its_first_line():
    for path in _all_records(ROOT / "content"):
        first_line = path.read_text(encoding="utf-8").split("\n", 1)[0]
        kind = next(kind for kind, folder in schema.KIND_FOLDERS.items() if path.parent.name == folder)
        assert first_line == jsonschema.schema_comment(kind), path


def test_check_jsonschema_accepts_every_record_in_content():
    files = _all_records(ROOT / "content")
    assert len(files) > 50
    result = _check_jsonschema_script(*files)
    assert result.returncode == 0, result.stdout + result.stderr
    for kind, folder in schema.KIND_FOLDERS.items():
        result = _check_jsonschema(
            *sorted((ROOT / "content" / folder).glob("*.yaml")), schema_file=ROOT / jsonschema.kind_schema_path(kind)
        )
        assert result.returncode == 0, result.stdout + result.stderr


def _editor_messages(text: str, kind: str, schema_document: dict) -> list[str]:
    """What an editor underlines: each schema error at the line and column of the value it is about."""
    from generator.loader import parse_record_text

    record = parse_record_text(text.encode(), f"{kind}.yaml", kind, "x")
    document = yaml.safe_load(text)
    messages = []
    for error in Draft202012Validator(schema_document).iter_errors(document):
        line, column = record.mark(tuple(error.absolute_path))
        messages.append(f"{line}:{column}: {error.message}")
    return sorted(messages)


TYPO_IN_RELATION = """\
type: company
name: Acme
summary: A company. [[paper-2025]]
relationships:
  - type: ownz
    target: widget-x
    sources: [paper-2025]
"""


@pytest.mark.parametrize("schema_path", ["schema/entity.schema.json", "schema/record.schema.json"])
def test_a_typo_in_a_relation_type_is_reported_as_such_not_as_a_missing_date(schema_path):
    document = json.loads((ROOT / schema_path).read_text(encoding="utf-8"))
    relation_types = ", ".join(repr(r.name) for r in load_vocabulary(ROOT / "content").relation_types)
    assert _editor_messages(TYPO_IN_RELATION, "entity", document) == [f"5:11: 'ownz' is not one of [{relation_types}]"]


def test_each_kind_schema_names_the_missing_field_of_that_kind():
    event_schema = json.loads((ROOT / jsonschema.kind_schema_path("event")).read_text(encoding="utf-8"))
    assert _editor_messages("title: T\nsummary: S\nsources: [a]\n", "event", event_schema) == [
        "1:1: 'date' is a required property"
    ]
    source_schema = json.loads((ROOT / jsonschema.kind_schema_path("source")).read_text(encoding="utf-8"))
    assert _editor_messages("title: T\nkind: report\npublisher: The Verge\n", "source", source_schema) == [
        "3:12: 'The Verge' does not match '^[a-z0-9]+(?:-[a-z0-9]+)*$'"
    ]


# Each case: a record file that the engine rejects with ``code``, and check-jsonschema must reject too.
# References to missing ids are the engine's alone (JSON Schema sees one file at a time).
ENTITY = """\
type: company
name: Acme
summary: A company. [[paper-2025]]
"""
EVENT = """\
date: '2025-01'
title: Something happened
summary: It happened. [[paper-2025]]
sources: [paper-2025]
"""
SOURCE = """\
title: A paper
kind: news-article
"""
BROKEN_RECORDS = [
    ("entities", "missing-name", ENTITY.replace("name: Acme\n", ""), "missing-field"),
    ("entities", "bad-type", ENTITY.replace("type: company", "type: compnay"), "unknown-value"),
    ("entities", "unknown-field", ENTITY + "nmae: Acme\n", "unknown-field"),
    ("entities", "list-for-name", ENTITY.replace("name: Acme", "name: [Acme]"), "wrong-type"),
    ("entities", "bad-tag", ENTITY + "tags: [Bad Tag]\n", "bad-format"),
    ("entities", "fact-without-sources", ENTITY + "facts:\n  country:\n    value: x\n", "missing-field"),
    (
        "entities",
        "unknown-fact",
        ENTITY + "facts:\n  colour:\n    value: x\n    sources: [paper-2025]\n",
        "unknown-field",
    ),
    (
        "entities",
        "relationship-bad-type",
        ENTITY + "relationships:\n  - type: ownz\n    target: widget-x\n    sources: [paper-2025]\n",
        "unknown-value",
    ),
    (
        "entities",
        "relationship-empty-sources",
        ENTITY + "relationships:\n  - type: owns\n    target: widget-x\n    sources: []\n",
        "empty-list",
    ),
    ("entities", "bad-alias-lang", ENTITY + "aliases:\n  - name: A\n    lang: Russian!\n", "bad-format"),
    ("entities", "too-long-name", ENTITY.replace("name: Acme", "name: " + "a" * 201), "too-long"),
    ("entities", "empty-summary", ENTITY.replace("summary: A company. [[paper-2025]]", "summary: ''"), "empty-value"),
    ("entities", "null-name", ENTITY.replace("name: Acme", "name:"), "empty-value"),
    (
        "entities",
        "lifecycle-bad-date",
        ENTITY + "lifecycle:\n  - state: adopted\n    date: '2025-13'\n    sources: [paper-2025]\n",
        "bad-date",
    ),
    ("events", "bad-date", EVENT.replace("'2025-01'", "'2025/01'"), "bad-date"),
    ("events", "missing-sources", EVENT.replace("sources: [paper-2025]\n", ""), "missing-field"),
    ("events", "bad-qualifier", EVENT + "qualifier: midway\n", "unknown-value"),
    ("events", "bad-place-id", EVENT + "place: Example Land\n", "bad-reference"),
    ("events", "duplicate-source", EVENT.replace("[paper-2025]\n", "[paper-2025, paper-2025]\n"), "duplicate-item"),
    ("events", "participants-not-list", EVENT + "participants:\n  entity: acme\n", "wrong-type"),
    ("sources", "bad-kind", SOURCE.replace("news-article", "newspaper"), "unknown-value"),
    ("sources", "bad-url", SOURCE + "url: ftp://example.org/x\n", "bad-url"),
    ("sources", "url-without-host", SOURCE + "url: 'https://'\n", "bad-url"),
    ("sources", "missing-kind", SOURCE.replace("kind: news-article\n", ""), "missing-field"),
    ("sources", "not-a-mapping", "- title: A paper\n", "not-a-mapping"),
]


@pytest.mark.parametrize("folder, record_id, text, code", BROKEN_RECORDS, ids=[c[1] for c in BROKEN_RECORDS])
def test_engine_and_check_jsonschema_both_reject(tmp_path, folder, record_id, text, code):
    content = tmp_path / "content"
    shutil.copytree(MINI, content)
    kind = next(kind for kind, name in schema.KIND_FOLDERS.items() if name == folder)
    path = write_record(content, folder, record_id, jsonschema.schema_comment(kind) + "\n" + text)
    with pytest.raises(DossierError) as caught:
        load_dossier(content)
    codes = {p.code for p in caught.value.problems if p.path.endswith(f"{record_id}.yaml")}
    assert code in codes
    for schema_file in (SCHEMA_FILE, ROOT / jsonschema.kind_schema_path(kind)):
        result = _check_jsonschema(path, schema_file=schema_file)
        assert result.returncode == 1, result.stdout
        assert "Schema validation errors" in result.stdout + result.stderr


def test_the_valid_versions_of_the_broken_records_pass_both(tmp_path):
    content = tmp_path / "content"
    shutil.copytree(MINI, content)
    paths = [
        write_record(content, "entities", "acme-two", ENTITY),
        write_record(content, "events", "ev", EVENT),
        write_record(content, "sources", "src", SOURCE),
    ]
    load_dossier(content)
    result = _check_jsonschema(*paths, *_all_records(content))
    assert result.returncode == 0, result.stdout


def test_schema_is_served_with_the_site_and_reference_page_is_rendered():
    pages = SiteBuild(load_dossier(MINI).dossier).render_all()
    for relative, text in jsonschema.schema_texts(load_vocabulary(MINI)).items():
        assert pages[relative] == text
    assert reference.PAGE_PATH in pages


def _reference_page() -> str:
    return SiteBuild(load_dossier(MINI).dossier).render_all()[reference.PAGE_PATH]


def test_reference_page_lists_every_schema_field():
    page = _reference_page()
    missing = [path for path in sorted(reference.all_field_paths()) if f"| `{path}` |" not in page]
    assert not missing, f"fields missing from the format reference page: {missing}"
    # every field of every kind, walked independently of reference.field_rows
    for kind, spec in schema.RECORD_SPECS.items():
        for name, _field_spec, _required in spec.fields:
            assert f"| `{name}` |" in page, (kind, name)


def test_reference_page_lists_every_type_relation_fact_key_and_source_kind():
    page = _reference_page()
    vocabulary = load_vocabulary(MINI)
    for entity_type in vocabulary.entity_types:
        assert f"| `{entity_type.name}` |" in page
    for group in vocabulary.groups:
        assert f"| `{group.name}` |" in page
    for relation in vocabulary.relation_types:
        row = next(line for line in page.splitlines() if line.startswith(f"| `{relation.name}` |"))
        assert relation.inverse_label in row and relation.label in row
    for key in vocabulary.fact_keys:
        assert f"| `{key}` |" in page
    for kind in vocabulary.source_kinds:
        assert f"| `{kind.name}` |" in page
    for state in vocabulary.lifecycle_states:
        assert f"| `{state}` |" in page


def test_reference_rows_follow_a_new_field_added_to_schema(monkeypatch):
    extra = schema.Obj(doc="test", fields=(*schema.SOURCE.fields, ("isbn", schema.Text(doc="An ISBN."), False)))
    monkeypatch.setitem(schema.RECORD_SPECS, "source", extra)
    assert "isbn" in reference.all_field_paths()
    assert "isbn" in jsonschema.build_kind_schema("source")["properties"]
    assert "isbn" in jsonschema.build_json_schema()["then"]["properties"]
