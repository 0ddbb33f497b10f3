"""Issue 14, points 4-8: exact spots inside multi-line text, suggestions from names and aliases,
'[[' at the start of a value, every problem in one run, and what used to be accepted wrongly.

Each test asserts the whole message with its file, line and column, as ``check`` prints it."""

from __future__ import annotations

import json

import pytest
from conftest import write_record

from generator.cli import main
from generator.loader import parse_record_text
from generator.pipeline import load_dossier
from generator.problems import DossierError


def problems_for(content_dir, severity: str = "error") -> list[str]:
    with pytest.raises(DossierError) as caught:
        load_dossier(content_dir)
    return [p.format() for p in caught.value.problems if p.severity.value == severity]


@pytest.fixture
def content(mini_content, monkeypatch):
    """The mini dossier, with messages shown relative to its parent folder."""
    monkeypatch.chdir(mini_content.parent)
    return mini_content.relative_to(mini_content.parent)


# Point 4: a [[link]] inside a multi-line value is reported where it stands, not at the '>-' marker.

FOLDED = """\
type: company
name: Folded
summary: >-
  A company that
  works with   [[acmee]] and
  [[widgit-x|the chip]].
"""

LITERAL = """\
type: company
name: Literal
summary: x [[paper-2025]]
description: |
  First line.

    Indented [[acmee]] line.
"""


def test_link_in_a_folded_scalar_is_reported_at_its_line_and_column(content):
    write_record(content, "entities", "folded", FOLDED)
    assert problems_for(content) == [
        "content/entities/folded.yaml:5:16: error[unknown-reference]: summary: no record with id 'acmee'\n"
        "    hint: did you mean 'acme'?",
        "content/entities/folded.yaml:6:3: error[unknown-reference]: summary: no record with id 'widgit-x'\n"
        "    hint: did you mean 'widget-x'?",
    ]


def test_link_in_a_literal_scalar_is_reported_at_its_line_and_column(content):
    write_record(content, "entities", "literal", LITERAL)
    assert problems_for(content) == [
        "content/entities/literal.yaml:7:14: error[unknown-reference]: description: no record with id 'acmee'\n"
        "    hint: did you mean 'acme'?"
    ]


@pytest.mark.parametrize(
    "text, line, column",
    [
        ("summary: 'it''s [[x]]'\n", 1, 17),  # doubled quotes before the link
        ('summary: "caf\\u00e9 \\"q\\" [[x]]"\n', 1, 27),  # escapes before the link
        ('summary: "one \\\n   two [[x]]"\n', 2, 8),  # an escaped line break
        ("summary: plain words   \n   more [[x]]\n", 2, 9),  # a plain scalar over two lines
        ("summary: >\n  a\n\n    deeper [[x]]\n", 4, 12),  # more indented lines of a folded scalar
    ],
)
def test_position_inside_quoted_plain_and_folded_values(text, line, column):
    record = parse_record_text(text.encode(), "f.yaml", "entity", "f")
    offset = record.values["summary"].index("[[x]]")
    assert record.position(("summary",), offset) == (line, column)
    assert text.splitlines()[line - 1][column - 1 : column + 4] == "[[x]]"


# Point 5: suggestions point at sources for citations, and consider names and aliases.


def test_unknown_source_in_sources_suggests_new_source(content):
    write_record(content, "events", "cites", "date: '2025'\ntitle: T\nsummary: S\nsources: [zzz-2031-report]\n")
    assert problems_for(content) == [
        "content/events/cites.yaml:4:11: error[unknown-reference]: sources[0]: no record with id 'zzz-2031-report'\n"
        "    hint: no source has this id: fix the id, or add the source with "
        "'python -m generator new source zzz-2031-report'"
    ]


def test_unknown_inline_citation_names_sources_first(content):
    write_record(
        content,
        "events",
        "cites",
        "date: '2025'\ntitle: T\nsummary: Said so. [[zzz-2031-report]]\nsources: [paper-2025]\n",
    )
    assert problems_for(content) == [
        "content/events/cites.yaml:3:19: error[unknown-reference]: summary: no record with id 'zzz-2031-report'\n"
        "    hint: fix the id; to cite a new source, add it with 'python -m generator new source zzz-2031-report'; "
        "to link a new entity, 'python -m generator new entity zzz-2031-report --type TYPE'"
    ]


def test_an_alias_in_a_link_suggests_the_record_that_has_it(content):
    write_record(content, "events", "alias", "date: '2025'\ntitle: T\nsummary: By [[Акме]].\nsources: [paper-2025]\n")
    assert problems_for(content) == [
        "content/events/alias.yaml:3:13: error[bad-reference]: summary: [[Акме]] is not a record id\n"
        "    hint: write the record's id: did you mean 'acme'? ('Акме' is its alias)"
    ]


def test_a_name_where_an_id_belongs_suggests_the_record_of_that_name(content):
    write_record(content, "sources", "named", "title: T\nkind: report\npublisher: 'daily  PAPER'\n")
    assert problems_for(content) == [
        "content/sources/named.yaml:3:12: error[bad-reference]: publisher: 'daily  PAPER' is not a record id\n"
        "    hint: write the record's id: did you mean 'daily-paper'? ('Daily Paper' is its name)"
    ]


def test_a_name_that_spells_an_id_suggests_it(content):
    write_record(content, "sources", "spelt", "title: T\nkind: report\npublisher: Widget_X\n")
    assert problems_for(content) == [
        "content/sources/spelt.yaml:3:12: error[bad-reference]: publisher: 'Widget_X' is not a record id\n"
        "    hint: write the record's id: did you mean 'widget-x'?"
    ]


# Point 6: a value that starts with '[['.


def test_unquoted_link_at_the_start_of_a_value_says_to_quote_it(content):
    write_record(
        content, "events", "unquoted", "date: '2025'\ntitle: T\nsummary: [[acme]] opens a lab.\nsources: [paper-2025]\n"
    )
    assert problems_for(content) == [
        "content/events/unquoted.yaml:3:10: error[unquoted-link]: summary: a value that starts with '[[' must be "
        "quoted\n    hint: YAML reads '[[' at the start of a value as a list: put the whole value in quotes, or "
        "write '>-' after the field name and the text on the next line, indented"
    ]


def test_a_value_that_is_only_a_link_says_to_quote_it(content):
    write_record(
        content,
        "entities",
        "only-link",
        "type: company\nname: N\nsummary: x [[paper-2025]]\n"
        "facts:\n  country:\n    value: [[exampleland]]\n"
        "    sources: [paper-2025]\n",
    )
    assert problems_for(content) == [
        "content/entities/only-link.yaml:6:12: error[unquoted-link]: facts.country.value: a value that starts with "
        "'[[' must be quoted\n    hint: YAML reads '[[' at the start of a value as a list: put the whole value in "
        "quotes, or write '>-' after the field name and the text on the next line, indented"
    ]


# Point 7: one run reports every problem.


def test_relationship_errors_come_with_the_other_errors_of_the_file(content):
    write_record(
        content,
        "entities",
        "both",
        "type: company\nname: N\nsummary: x [[paper-2025]]\ncolour: red\n"
        "relationships:\n  - type: develops\n    target: exampleland\n"
        "    sources: [paper-2025]\n",
    )
    assert [line.split("\n")[0] for line in problems_for(content)] == [
        "content/entities/both.yaml:4:1: error[unknown-field]: unknown field 'colour'",
        "content/entities/both.yaml:7:13: error[wrong-relationship]: relationships[0]: 'develops' points at a "
        "place ('exampleland')",
    ]


def test_every_duplicate_key_and_control_character_of_a_file_is_reported(content):
    write_record(
        content,
        "entities",
        "many",
        'type: company\nname: N\nname: M\nsummary: "a\\e b"\ntags: [x]\ntags: [y]\naliases:\n  - name: "q\\0"\n',
    )
    assert [line.split("\n")[0] for line in problems_for(content)] == [
        "content/entities/many.yaml:3:1: error[duplicate-key]: duplicate key 'name' (first given on line 2)",
        "content/entities/many.yaml:4:12: error[control-character]: control character U+001B in summary",
        "content/entities/many.yaml:6:1: error[duplicate-key]: duplicate key 'tags' (first given on line 5)",
        "content/entities/many.yaml:8:13: error[control-character]: control character U+0000 in aliases[0].name",
    ]


def test_warnings_are_listed_and_counted_beside_errors(content, capsys):
    write_record(content, "entities", "lonely", "type: company\nname: Lonely\nsummary: Nobody links here.\n")
    write_record(content, "events", "broken", "date: '2025-13'\ntitle: T\nsummary: S\nsources: [paper-2025]\n")
    assert main(["check", "--content", str(content)]) == 1
    output = capsys.readouterr().out
    assert "content/events/broken.yaml:1:7: error[bad-date]: date: month 13 does not exist" in output
    assert output.rstrip().endswith(
        "\n\nwarnings, listed once the errors are fixed (or with --format json): 1 uncited-summary, "
        "1 unlinked-entity\n1 error in 1 file, 2 warnings"
    )
    assert main(["check", "--content", str(content), "--format", "json"]) == 1
    listed = json.loads(capsys.readouterr().out)["warnings"]
    assert [(w["path"], w["line"], w["column"], w["code"], w["message"]) for w in listed] == [
        ("content/entities/lonely.yaml", 1, 1, "uncited-summary", "the summary of 'lonely' cites no source"),
        ("content/entities/lonely.yaml", 1, 1, "unlinked-entity", "nothing links to entity 'lonely'"),
    ]


# Point 8: accepted before, wrong all the same.


def test_relationship_that_ends_before_it_begins(content):
    write_record(
        content,
        "entities",
        "reversed",
        "type: company\nname: N\nsummary: x [[paper-2025]]\n"
        "relationships:\n  - type: partner-of\n    target: acme\n"
        "    since: '2025-01'\n    until: '2021-06'\n"
        "    sources: [paper-2025]\n",
    )
    assert problems_for(content) == [
        "content/entities/reversed.yaml:7:12: error[dates-reversed]: relationships[0]: since (January 2025) is "
        "after until (June 2021)\n    hint: swap 'since' and 'until', or correct the date that is wrong"
    ]


def test_dates_of_different_precision_in_the_same_year_are_not_reversed(content):
    write_record(
        content,
        "entities",
        "same-year",
        "type: company\nname: N\nsummary: x [[paper-2025]]\n"
        "relationships:\n  - type: partner-of\n    target: acme\n"
        "    since: '2021-06'\n    until: '2021'\n"
        "    sources: [paper-2025]\n",
    )
    load_dossier(content)


def test_lifecycle_state_citing_an_event_of_another_date(content):
    rule = content / "entities" / "export-rule.yaml"
    text = rule.read_text(encoding="utf-8")
    assert "event: 2025-01-rule-adopted" in text
    rule.write_text(text.replace("date: '2025-01'", "date: '2025-02'", 1), encoding="utf-8")
    line = next(
        n
        for n, row in enumerate(rule.read_text(encoding="utf-8").splitlines(), 1)
        if "event: 2025-01-rule-adopted" in row
    )
    assert problems_for(content) == [
        f"content/entities/export-rule.yaml:{line}:12: error[date-mismatch]: lifecycle[0].event: event "
        "'2025-01-rule-adopted' is dated January 2025, but this state is dated February 2025\n"
        "    hint: name the event that tells this state, or correct the date of one of them"
    ]


def test_source_that_relays_itself(content):
    write_record(content, "sources", "echo", "title: T\nkind: report\nrelays: [insiders, echo]\n")
    assert problems_for(content) == [
        "content/sources/echo.yaml:3:20: error[self-relay]: relays[1]: the source relays itself\n"
        "    hint: list in 'relays' the other sources this one cites, never its own id"
    ]


def test_relay_cycle(content):
    write_record(content, "sources", "first", "title: T\nkind: report\nrelays: [second]\n")
    write_record(content, "sources", "second", "title: T\nkind: report\nrelays:\n  - insiders\n  - third\n")
    write_record(content, "sources", "third", "title: T\nkind: report\nrelays: [first]\n")
    assert problems_for(content) == [
        "content/sources/third.yaml:3:10: error[relay-cycle]: relays[0]: relay cycle first -> second -> third -> "
        "first\n    hint: a source relays what it cites, never a source that cites it: remove the link that goes back"
    ]


def test_same_participant_twice(content):
    write_record(
        content,
        "events",
        "twice",
        "date: '2025'\ntitle: T\nsummary: S\nparticipants:\n"
        "  - entity: acme\n    role: buyer\n  - entity: acme\n    role: seller\n"
        "sources: [paper-2025]\n",
    )
    assert problems_for(content) == [
        "content/events/twice.yaml:7:13: error[duplicate-participant]: participants[1].entity: 'acme' is already "
        "listed as participants[0]\n"
        "    hint: list each entity once; give all its roles in one 'role:', e.g. 'buyer and seller'"
    ]


def test_bidirectional_override_in_a_file_is_refused_at_its_spot(content):
    write_record(content, "entities", "spoof", "type: company\nname: Acme \u202egnoH\nsummary: x [[paper-2025]]\n")
    assert problems_for(content) == [
        "content/entities/spoof.yaml:2:12: error[bidi-control]: bidirectional control character U+202E "
        "(right-to-left override) in the file\n"
        "    hint: remove it: it changes the order in which the text is shown, so a name could read as another"
    ]


def test_escaped_bidirectional_isolate_and_escape_character_are_refused(content):
    write_record(
        content,
        "entities",
        "escaped",
        'type: company\nname: "Acme\\u2067x"\nsummary: >-\n  x\n  [[paper-2025]]\ndescription: "ok \\e[31m red"\n',
    )
    assert problems_for(content) == [
        "content/entities/escaped.yaml:2:12: error[bidi-control]: bidirectional control character U+2067 "
        "(right-to-left isolate) in name\n"
        "    hint: remove it: it changes the order in which the text is shown, so a name could read as another",
        "content/entities/escaped.yaml:6:18: error[control-character]: control character U+001B in description\n"
        "    hint: remove it: control characters are invisible or garble the page",
    ]


def test_control_character_in_a_hand_written_page_is_refused(content):
    (content / "pages" / "notes.md").write_text("---\ntitle: Notes\n---\n\nSee \u202eacme.\n", encoding="utf-8")
    assert problems_for(content) == [
        "content/pages/notes.md:5:5: error[bidi-control]: bidirectional control character U+202E "
        "(right-to-left override) in the page\n"
        "    hint: remove it: it changes the order in which the text is shown, so a name could read as another"
    ]
