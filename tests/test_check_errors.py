"""Every class of record error yields its exact message, with file, line and a hint."""

from __future__ import annotations

import pytest
from conftest import write_record

from generator.cli import main
from generator.pipeline import load_dossier
from generator.problems import DossierError
from generator.vocabulary import DEFAULT_PATH

HEADER = "type: company\nname: Broken\n"


def errors_for(content_dir) -> list[str]:
    with pytest.raises(DossierError) as caught:
        load_dossier(content_dir)
    return [p.format() for p in caught.value.problems if p.severity.value == "error"]


#: Where the engine's default vocabulary defines 'develops': messages about a relation name its definition.
DEVELOPS_LINE = next(
    number
    for number, line in enumerate(DEFAULT_PATH.read_text(encoding="utf-8").splitlines(), 1)
    if line == "  develops:"
)

CASES = {
    "unknown_field_suggests_closest": (
        "entities",
        "broken",
        HEADER + "summry: x\n",
        [
            "content/entities/broken.yaml:3:1: error[unknown-field]: unknown field 'summry'\n"
            "    hint: did you mean 'summary'?",
            "content/entities/broken.yaml:1:1: error[missing-field]: missing required field 'summary'\n"
            "    hint: add 'summary:' (one paragraph in your own words; may link [[id]] and cite [[source-id]])",
        ],
    ),
    "wrong_type": (
        "entities",
        "broken",
        HEADER + "summary: x\naliases: Foo\n",
        [
            "content/entities/broken.yaml:4:10: error[wrong-type]: aliases must be a list\n"
            "    hint: write each item on its own line starting with '- '"
        ],
    ),
    "impossible_date": (
        "events",
        "broken",
        "date: '2025-02-30'\ntitle: T\nsummary: S\nsources: [paper-2025]\n",
        [
            "content/events/broken.yaml:1:7: error[bad-date]: date: February 2025 has no day 30 (it has 28 days)\n"
            "    hint: dates are YYYY, YYYY-MM or YYYY-MM-DD, e.g. '2025-04' or '2025-11-27'"
        ],
    ),
    "misspelt_reference_suggests_closest_id": (
        "entities",
        "broken",
        HEADER + "summary: x\nrelationships:\n  - type: develops\n    target: widgit-x\n    sources: [paper-2025]\n",
        [
            "content/entities/broken.yaml:6:13: error[unknown-reference]: relationships[0].target: no record with "
            "id 'widgit-x'\n    hint: did you mean 'widget-x'?"
        ],
    ),
    "relationship_to_wrong_kind_of_entity": (
        "entities",
        "broken",
        HEADER + "summary: x\nrelationships:\n  - type: develops\n    target: exampleland\n    sources: [paper-2025]\n",
        [
            "content/entities/broken.yaml:6:13: error[wrong-relationship]: relationships[0]: 'develops' points at "
            "a place ('exampleland')\n    hint: 'develops' (defined at generator/vocabulary/default.yaml:"
            f"{DEVELOPS_LINE}:3) must point at asset (product, service, chip)"
        ],
    ),
    "reference_to_wrong_record_kind": (
        "events",
        "broken",
        "date: '2025'\ntitle: T\nsummary: S\nparticipants:\n  - entity: paper-2025\nsources: [paper-2025]\n",
        [
            "content/events/broken.yaml:5:13: error[wrong-kind]: participants[0].entity: 'paper-2025' is a source, "
            "but an entity is expected"
        ],
    ),
    "duplicate_key": (
        "entities",
        "broken",
        HEADER + "summary: x\nname: Again\n",
        [
            "content/entities/broken.yaml:4:1: error[duplicate-key]: duplicate key 'name' (first given on line 2)\n"
            "    hint: keep one of them; YAML would silently drop the other"
        ],
    ),
    "yaml_tag": (
        "entities",
        "broken",
        HEADER + "summary: !!python/object:os.system x\n",
        [
            "content/entities/broken.yaml:3:10: error[yaml-tag]: YAML tag 'tag:yaml.org,2002:python/object:os.system'"
            " is not allowed\n    hint: remove the tag; records hold only plain text, lists and mappings"
        ],
    ),
    "yaml11_boolean_where_text_belongs": (
        "entities",
        "broken",
        "type: place\nname: NO\nsummary: x\n",
        [
            "content/entities/broken.yaml:2:7: error[needs-quotes]: name: NO is read as a bool, not as text\n"
            "    hint: put it in quotes: 'NO' (YAML reads it as true/false otherwise)"
        ],
    ),
    "missing_text_link_target": (
        "entities",
        "broken",
        HEADER + "summary: Linked to [[acmee]].\n",
        [
            "content/entities/broken.yaml:3:20: error[unknown-reference]: summary: no record with id 'acmee'\n"
            "    hint: did you mean 'acme'?"
        ],
    ),
    "unknown_entity_type": (
        "entities",
        "broken",
        "type: compnay\nname: B\nsummary: x\n",
        [
            "content/entities/broken.yaml:1:7: error[unknown-value]: type: 'compnay' is not allowed\n"
            "    hint: did you mean 'company'?"
        ],
    ),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_error_class_has_exact_message(name, mini_content, monkeypatch):
    folder, record_id, text, expected = CASES[name]
    write_record(mini_content, folder, record_id, text)
    monkeypatch.chdir(mini_content.parent)
    assert sorted(errors_for(mini_content.relative_to(mini_content.parent))) == sorted(expected)


def test_ill_formed_id_is_rejected(mini_content, monkeypatch):
    write_record(mini_content, "entities", "Bad_Id", HEADER + "summary: x\n")
    monkeypatch.chdir(mini_content.parent)
    assert errors_for(mini_content.relative_to(mini_content.parent)) == [
        "content/entities/Bad_Id.yaml:1:1: error[bad-id]: id 'Bad_Id' is not lowercase a-z, 0-9 and single "
        "hyphens\n    hint: rename the file: lowercase letters, digits and single hyphens, e.g. 'bad-id.yaml'"
    ]


def test_duplicate_id_across_kinds_names_both_files(mini_content, monkeypatch):
    write_record(mini_content, "sources", "acme", "title: T\nkind: report\n")
    monkeypatch.chdir(mini_content.parent)
    assert errors_for(mini_content.relative_to(mini_content.parent)) == [
        "content/sources/acme.yaml:1:1: error[duplicate-id]: id 'acme' is already used by "
        "content/entities/acme.yaml\n    hint: ids are unique across entities, events and sources: rename one file"
    ]


def test_all_errors_reported_in_one_run_sorted_with_summary(mini_content, monkeypatch, capsys):
    write_record(mini_content, "entities", "b-second", HEADER + "summary: x\ncolour: red\n")
    write_record(mini_content, "entities", "a-first", "type: company\nsummary: x\n")
    write_record(mini_content, "events", "bad-date", "date: '2025-13'\ntitle: T\nsummary: S\nsources: [paper-2025]\n")
    monkeypatch.chdir(mini_content.parent)
    assert main(["check", "--content", "content"]) == 1
    lines = [line for line in capsys.readouterr().out.splitlines() if not line.startswith("    hint")]
    assert lines == [
        "content/entities/a-first.yaml:1:1: error[missing-field]: missing required field 'name'",
        "content/entities/b-second.yaml:4:1: error[unknown-field]: unknown field 'colour'",
        "content/events/bad-date.yaml:1:7: error[bad-date]: date: month 13 does not exist",
        "3 errors in 3 files, 0 warnings",
    ]


def test_clean_run_exits_zero_and_counts_records(mini_content, monkeypatch, capsys):
    monkeypatch.chdir(mini_content.parent)
    assert main(["check", "--content", "content"]) == 0
    assert capsys.readouterr().out.strip().splitlines()[-1] == (
        "checked 5 entities, 2 events, 2 sources: no errors, 0 warnings"
    )


def test_real_content_passes_check():
    from conftest import ROOT

    result = load_dossier(ROOT / "content")
    assert result.counts["entities"] > 0 and result.counts["events"] > 0 and result.counts["sources"] > 0


def test_misspelt_link_in_a_hand_written_page_names_page_line_and_suggestion(mini_content, monkeypatch):
    (mini_content / "pages" / "notes.md").write_text("---\ntitle: Notes\n---\n\nSee [[acmee]].\n", encoding="utf-8")
    monkeypatch.chdir(mini_content.parent)
    assert errors_for(mini_content.relative_to(mini_content.parent)) == [
        "content/pages/notes.md:5:5: error[unknown-reference]: [[acmee]]: no record with id 'acmee'\n"
        "    hint: did you mean 'acme'?"
    ]


def test_a_record_that_cannot_be_read_gives_one_error_not_one_per_reference(mini_content, monkeypatch):
    """A syntax error in a record that others name must not also report every reference to it."""
    acme = mini_content / "entities" / "acme.yaml"
    acme.write_text(acme.read_text(encoding="utf-8").replace("name:", "name: 'unclosed\nx:", 1), encoding="utf-8")
    monkeypatch.chdir(mini_content.parent)
    errors = errors_for(mini_content.relative_to(mini_content.parent))
    assert len(errors) == 1 and errors[0].startswith("content/entities/acme.yaml:")
    assert "error[yaml-syntax]" in errors[0]
