"""``python -m generator check``: every problem with its line, sorted, a summary; text, github and json."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import MINI, ROOT, write_record

GITHUB_LINE = re.compile(r"^::(error|warning) file=([^,]+),line=(\d+),col=(\d+),title=([a-z0-9-]+)::(.+)$")
TEXT_LINE = re.compile(r"^(.+):(\d+):(\d+): (error|warning)\[([a-z0-9-]+)\]: (.+)$")

# Two records, three mistakes, each on a known line.
BAD_ENTITY = """\
type: compnay
name: Globex
summary: A company. [[paper-2025]]
relationships:
  - type: owns
    target: acme-corp
    sources: [paper-2025]
"""
BAD_EVENT = """\
date: '2025-13'
title: Something
summary: Something happened. [[paper-2025]]
sources: [paper-2025]
place: exampleland
"""


@pytest.fixture
def content(tmp_path) -> Path:
    target = tmp_path / "content"
    shutil.copytree(MINI, target)
    return target


@pytest.fixture
def broken_content(content) -> Path:
    write_record(content, "entities", "globex", BAD_ENTITY)
    write_record(content, "events", "2025-something", BAD_EVENT)
    return content


def check(content: Path, *options: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "generator", "check", "--content", str(content), *options],
        cwd=content.parent,
        capture_output=True,
        text=True,
    )


def test_text_lists_every_error_sorted_with_hints_and_summary(broken_content):
    result = check(broken_content)
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    problems = [TEXT_LINE.match(line) for line in lines if TEXT_LINE.match(line)]
    found = [(Path(m.group(1)).name, int(m.group(2)), m.group(5)) for m in problems]
    assert found == [
        ("globex.yaml", 1, "unknown-value"),
        ("globex.yaml", 6, "unknown-reference"),
        ("2025-something.yaml", 1, "bad-date"),
    ]  # content/entities/ sorts before content/events/, then by line
    paths_and_lines = [(m.group(1), int(m.group(2))) for m in problems]
    assert paths_and_lines == sorted(paths_and_lines)
    text = result.stdout
    assert "hint: did you mean 'company'?" in text
    assert "hint: did you mean 'acme'?" in text
    assert "hint: dates are YYYY, YYYY-MM or YYYY-MM-DD" in text
    assert lines[-1] == "3 errors in 2 files, 0 warnings"


def test_github_format_prints_annotations_for_each_problem(broken_content):
    result = check(broken_content, "--format", "github")
    assert result.returncode == 1
    annotations = [GITHUB_LINE.match(line) for line in result.stdout.splitlines() if line.startswith("::")]
    assert len(annotations) == 3 and all(annotations)
    by_code = {m.group(5): m for m in annotations}
    assert by_code["unknown-reference"].group(2).endswith("content/entities/globex.yaml")
    assert (by_code["unknown-reference"].group(3), by_code["unknown-reference"].group(4)) == ("6", "13")
    assert by_code["unknown-value"].group(1) == "error"
    assert "did you mean 'company'?" in by_code["unknown-value"].group(6)
    assert result.stdout.splitlines()[-1] == "3 errors in 2 files, 0 warnings"


def test_github_annotation_escapes_newlines_and_properties():
    from generator.problems import Problem

    line = Problem("content/a,b:c.yaml", 3, 4, "bad-date", "two\nlines 100%", "hint").format_github()
    assert "\n" not in line
    assert line == "::error file=content/a%2Cb%3Ac.yaml,line=3,col=4,title=bad-date::two%0Alines 100%25 (hint)"


def test_json_format_parses_and_separates_errors_from_warnings(broken_content):
    result = check(broken_content, "--format", "json")
    assert result.returncode == 1
    report = json.loads(result.stdout)
    assert [e["code"] for e in report["errors"]] and all(e["severity"] == "error" for e in report["errors"])
    assert report["summary"]["errors"] == 3 and report["summary"]["files_with_errors"] == 2
    first = report["errors"][0]
    assert set(first) == {"path", "line", "column", "severity", "code", "message", "hint"}


def _with_warnings(content: Path) -> Path:
    # an entity nothing links to, whose summary cites nothing: two warnings, no error
    write_record(content, "entities", "lonely", "type: company\nname: Lonely\nsummary: Alone.\n")
    return content


def test_warnings_are_listed_apart_and_fail_only_with_strict(content):
    _with_warnings(content)
    result = check(content)
    assert result.returncode == 0, result.stdout
    text = result.stdout
    assert "warnings (they fail the check only with --strict):" in text
    heading = text.index("warnings (they fail")
    assert text.index("warning[unlinked-entity]") > heading
    assert "error[" not in text
    assert re.search(r"no errors, \d+ warnings$", text.strip())

    strict = check(content, "--strict")
    assert strict.returncode == 1
    assert strict.stdout.strip().endswith("(failing: --strict)")


def test_warnings_in_json_and_github(content):
    _with_warnings(content)
    report = json.loads(check(content, "--format", "json").stdout)
    assert report["errors"] == []
    codes = {w["code"] for w in report["warnings"]}
    assert {"unlinked-entity", "uncited-summary"} <= codes
    github = check(content, "--format", "github", "--strict")
    assert github.returncode == 1
    assert any(
        line.startswith("::warning file=") and "title=unlinked-entity" in line for line in github.stdout.splitlines()
    )


def test_clean_content_exits_zero_in_every_format(content):
    for output_format in ("text", "github", "json"):
        result = check(content, "--format", output_format)
        assert result.returncode == 0, (output_format, result.stdout)
    assert json.loads(check(content, "--format", "json").stdout)["summary"]["errors"] == 0


def test_the_real_content_checks_clean():
    result = subprocess.run([sys.executable, "-m", "generator", "check"], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout
