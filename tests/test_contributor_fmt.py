"""``python -m generator fmt``: canonical order and quoting, values unchanged, comments kept."""

from __future__ import annotations

import dataclasses
import re
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
import yaml
from conftest import MINI, ROOT, write_record

from generator import schema
from generator.fmt import FormatError, format_files, format_record_text
from generator.jsonschema import schema_comment
from generator.pipeline import load_dossier

SCHEMA_COMMENT = schema_comment("entity")

KINDS_BY_FOLDER = {folder: kind for kind, folder in schema.KIND_FOLDERS.items()}
CONTENT_RECORDS = sorted(
    p for folder in schema.KIND_FOLDERS.values() for p in (ROOT / "content" / folder).glob("*.yaml")
)

_COMMENT_RE = re.compile(r"(?:^|\s)(#.*)$")


def comments(text: str) -> Counter:
    """Comment texts, whole-line and trailing (good enough for files whose text holds no ' #')."""
    found = Counter()
    for line in text.splitlines():
        match = _COMMENT_RE.search(line)
        if match:
            found[match.group(1).rstrip()] += 1
    return found


@pytest.mark.parametrize("path", CONTENT_RECORDS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_round_trip_keeps_values_and_comments_of_every_record(path: Path):
    original = path.read_text(encoding="utf-8")
    formatted = format_record_text(original, KINDS_BY_FOLDER[path.parent.name])
    assert yaml.safe_load(formatted) == yaml.safe_load(original)
    assert comments(formatted) >= comments(original)
    assert format_record_text(formatted, KINDS_BY_FOLDER[path.parent.name]) == formatted  # idempotent


def test_content_is_formatted():
    result = subprocess.run(
        [sys.executable, "-m", "generator", "fmt", "--check"], cwd=ROOT, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr


MESSY = """\
# a note on top
name: Acme   # the short name
# the kind of entity
type: company
summary: "A company. [[paper-2025]]"
tags: ["widgets"]
relationships:
  - target: widget-x
    sources: [paper-2025]
    # ownership says the paper
    type: owns
facts:
  industry:
    sources: [paper-2025]
    value: "yes"
  country:
    value: "[[exampleland]]"
    sources: [paper-2025]
description: >-
  A long text
  folded over lines.
"""


def test_messy_record_gets_schema_order_and_keeps_every_comment():
    formatted = format_record_text(MESSY, "entity")
    assert formatted.startswith(SCHEMA_COMMENT + "\n# a note on top\n")
    top_keys = [line.split(":")[0] for line in formatted.splitlines() if re.match(r"^[a-z_]+:", line)]
    assert top_keys == ["type", "name", "summary", "description", "facts", "relationships", "tags"]
    assert comments(formatted) - Counter({f"{SCHEMA_COMMENT}": 1}) == comments(MESSY)
    assert yaml.safe_load(formatted) == yaml.safe_load(MESSY)
    assert "value: 'yes'" in formatted  # still text for YAML 1.1
    assert "summary: A company. [[paper-2025]]" in formatted  # plain where plain reads back the same
    assert "description: >-\n  A long text\n  folded over lines.\n" in formatted  # folded block kept
    facts = formatted[formatted.index("facts:") : formatted.index("relationships:")]
    assert facts.index("country:") < facts.index("industry:")  # fact keys in schema order
    relationship = formatted[formatted.index("relationships:") : formatted.index("tags:")]
    assert relationship.index("type: owns") < relationship.index("target:") < relationship.index("sources:")


def test_dates_are_single_quoted_and_unquoted_dates_get_quotes():
    text = "date: '2025-01'\ntitle: T\nsummary: S\nsources: [a]\n"
    assert "date: '2025-01'" in format_record_text(text, "event")
    unquoted = "date: 2025-01-02\ntitle: T\nsummary: S\nsources: [a]\nparticipants:\n  - entity: a\n"
    formatted = format_record_text(unquoted, "event")
    assert formatted.splitlines()[1] == "date: '2025-01-02'"
    assert yaml.safe_load(formatted)["date"] == "2025-01-02"
    year = (
        "type: company\nname: N\nsummary: S\nrelationships:\n  - type: owns\n    target: b\n    since: 2024\n"
        "    sources: [a]\n"
    )
    assert "    since: '2024'\n" in format_record_text(year, "entity")


def test_fmt_check_fails_on_an_unquoted_full_date(tmp_path):
    content = tmp_path / "content"
    shutil.copytree(MINI, content)
    dated = write_record(
        content, "sources", "dated", schema_comment("source") + "\ntitle: T\nkind: report\ndate: 2025-11-27\n"
    )
    result = subprocess.run(
        [sys.executable, "-m", "generator", "fmt", "--check", str(dated)], cwd=tmp_path, capture_output=True, text=True
    )
    assert result.returncode == 1
    assert result.stdout.splitlines()[0] == (
        "would reformat content/sources/dated.yaml:4:7: 'date: 2025-11-27' -> \"date: '2025-11-27'\""
    )


def test_refuses_when_a_value_would_change():
    with pytest.raises(FormatError, match="change a value"):
        format_record_text("type: company\nname: yes\nsummary: S\n", "entity")


def test_check_exit_codes_and_writing(tmp_path):
    content = tmp_path / "content"
    shutil.copytree(MINI, content)
    messy = write_record(content, "entities", "messy", MESSY)
    command = [sys.executable, "-m", "generator", "fmt", "--content", str(content)]
    before = messy.read_bytes()
    checked = subprocess.run([*command, "--check"], cwd=ROOT, capture_output=True, text=True)
    assert checked.returncode == 1
    assert "would reformat" in checked.stdout and "messy.yaml" in checked.stdout
    assert messy.read_bytes() == before  # --check writes nothing
    written = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    assert written.returncode == 0, written.stderr
    assert messy.read_bytes() != before
    again = subprocess.run([*command, "--check"], cwd=ROOT, capture_output=True, text=True)
    assert again.returncode == 0, again.stdout
    assert "0 files would be reformatted" in again.stdout


def test_unparseable_file_is_reported_and_fails(tmp_path):
    content = tmp_path / "content"
    shutil.copytree(MINI, content)
    write_record(content, "entities", "broken", "type: company\nname: [unclosed\n")
    report = format_files(content, write=True)
    assert [path for path, _reason in report.failed] and report.failed[0][0].endswith("broken.yaml")
    result = subprocess.run(
        [sys.executable, "-m", "generator", "fmt", "--content", str(content)], cwd=ROOT, capture_output=True, text=True
    )
    assert result.returncode == 1
    assert "broken.yaml:1:1: error[fmt]" in result.stderr


def test_formatted_fixture_dossier_still_checks_the_same(tmp_path):
    content = tmp_path / "content"
    shutil.copytree(MINI, content)
    before = _without_origins(load_dossier(content).dossier)
    report = format_files(content, write=True)
    assert not report.failed
    assert _without_origins(load_dossier(content).dossier) == before


def _without_origins(dossier) -> dict:
    """The checked records as plain data, without line numbers (a new first line shifts them)."""

    def strip(value):
        if isinstance(value, dict):
            return {key: strip(item) for key, item in value.items() if key != "origin"}
        if isinstance(value, (list, tuple)):
            return [strip(item) for item in value]
        return value

    return {
        kind: {record_id: strip(dataclasses.asdict(record)) for record_id, record in records.items()}
        for kind, records in (("entities", dossier.entities), ("events", dossier.events), ("sources", dossier.sources))
    }


def test_cache_skips_canonical_files_and_looks_again_at_changed_ones(tmp_path, monkeypatch):
    import generator.fmt as fmt_module

    content = tmp_path / "content"
    shutil.copytree(MINI, content)
    format_files(content, write=True)  # make the fixture canonical
    cache = tmp_path / "cache"
    first = format_files(content, write=False, cache_dir=cache)
    assert not first.changed and first.unchanged == 9

    seen = []
    real = fmt_module.format_record_text
    monkeypatch.setattr(
        fmt_module, "format_record_text", lambda text, kind, **options: seen.append(kind) or real(text, kind, **options)
    )
    second = format_files(content, write=False, cache_dir=cache)
    assert seen == [] and second.unchanged == 9

    acme = content / "entities" / "acme.yaml"
    acme.write_text(
        acme.read_text(encoding="utf-8").replace("type: company\n", "") + "type: company\n", encoding="utf-8"
    )
    third = format_files(content, write=False, cache_dir=cache)
    assert seen == ["entity"] and [Path(p).name for p in third.changed] == ["acme.yaml"]
