"""Every command in the code blocks of README.md and CONTRIBUTING.md is run by a test, exactly as written.

``COVERAGE`` maps each documented command to the test that runs it (through
``conftest.run_documented`` or ``start_documented``, in a copy of the project), to the concrete commands a synopsis
stands for, or to the reason it is not run.  A command added to the docs without a line
here fails ``test_every_documented_command_is_run_by_a_test``.
"""

from __future__ import annotations

import ast
import os
import re
import subprocess
from pathlib import Path

import pytest
from conftest import ROOT, copy_project, documented_commands, run_documented

CONTRIBUTING = (ROOT / "CONTRIBUTING.md").read_text(encoding="utf-8")
WORKED_EXAMPLE = "test_worked_example_commands_run_as_documented"


class Synopsis(tuple):
    """A line that shows a command's forms (``a|b``, ``[--option]``): run through these concrete commands."""


class NotRun(str):
    """Why a documented command is not run by a test."""


class Adapted(tuple):
    """(test, how): a test that runs the command with one documented change (a folder made in a temp dir)."""


INIT_TEST = Adapted(
    (
        "test_readme_commands_make_a_project_that_passes_its_own_make_site_and_make_test",
        "README_TARGET (../merger-review, beside the engine) becomes a folder in the test's tmp_path",
    )
)


COVERAGE = {
    "make site": "test_make_site_builds_the_site_as_documented",
    "make test": NotRun(
        "the engine's whole test suite: it is what runs this test (CI runs it as written); "
        "test_init runs a new project's `make test` as the README gives it"
    ),
    '.venv/bin/python -m generator init ../merger-review --title "Merger review"': INIT_TEST,
    "cd ../merger-review": INIT_TEST,
    ".venv/bin/python -m generator new entity|event|source ID [--type TYPE]": Synopsis(
        (
            ".venv/bin/python -m generator new source globex-2026-03-press-release --type press-release",
            ".venv/bin/python -m generator new entity globex-semiconductors --type company",
            ".venv/bin/python -m generator new event 2026-03-globex-opens-singapore-lab",
        )
    ),
    "make check": "test_make_check_passes_on_the_project_as_documented",
    ".venv/bin/python -m generator check --strict": "test_strict_check_as_documented",
    ".venv/bin/python -m generator fmt [--check]": Synopsis(
        (".venv/bin/python -m generator fmt", ".venv/bin/python -m generator fmt --check")
    ),
    ".venv/bin/python -m generator schema": "test_schema_as_documented_keeps_the_committed_schema",
    ".venv/bin/python -m generator new source globex-2026-03-press-release --type press-release": WORKED_EXAMPLE,
    ".venv/bin/python -m generator new entity globex-semiconductors --type company": WORKED_EXAMPLE,
    ".venv/bin/python -m generator new event 2026-03-globex-opens-singapore-lab": WORKED_EXAMPLE,
    ".venv/bin/python -m generator fmt": WORKED_EXAMPLE,
    ".venv/bin/python -m generator fmt --check": WORKED_EXAMPLE,
    "make serve": "test_make_serve_as_the_readme_gives_it_serves_and_shows_an_edit",
    ".venv/bin/python -m generator diff HEAD": "test_diff_head_as_documented_reports_an_uncommitted_edit",
    ".venv/bin/python -m generator --version": "test_version_and_codes_as_documented",
    ".venv/bin/python -m generator codes": "test_version_and_codes_as_documented",
    ".venv/bin/python -m generator rename OLD NEW": Adapted(
        ("test_rename_as_documented_moves_a_record_and_forwards_it", "OLD NEW become two real ids")
    ),
    ".venv/bin/python -m generator rename OLD-ID NEW-ID": Adapted(
        ("test_rename_as_documented_moves_a_record_and_forwards_it", "OLD-ID NEW-ID become two real ids")
    ),
}


def _test_functions() -> dict[str, str]:
    """Source of every test function in tests/, by name."""
    functions = {}
    for path in (ROOT / "tests").glob("test_*.py"):
        text = path.read_text(encoding="utf-8")
        for node in ast.parse(text).body:
            if isinstance(node, ast.FunctionDef) and node.name.startswith("test_"):
                functions[node.name] = ast.get_source_segment(text, node)
    return functions


def test_every_documented_command_is_run_by_a_test():
    documented = {command for _file, command in documented_commands()}
    assert len(documented) >= 10, "the code blocks were not found"
    missing = sorted(documented - COVERAGE.keys())
    assert missing == [], f"documented commands that no test runs (add them to COVERAGE): {missing}"
    stale = sorted(COVERAGE.keys() - documented)
    assert stale == [], f"COVERAGE lists commands the docs no longer give: {stale}"
    functions = _test_functions()
    for command, covered_by in COVERAGE.items():
        if isinstance(covered_by, NotRun):
            assert covered_by.strip(), command
        elif isinstance(covered_by, Adapted):
            test_name, how = covered_by
            assert test_name in functions, f"{command!r}: no test function {test_name}"
            assert how.split(" ")[0] in functions[test_name], f"{test_name} does not make the change {how!r}"
        elif isinstance(covered_by, Synopsis):
            assert re.search(r"[|\[]", command), f"{command!r} is runnable as written: give it a test"
            for concrete in covered_by:
                assert concrete in documented and not isinstance(COVERAGE[concrete], (Synopsis, NotRun)), concrete
        else:
            assert covered_by in functions, f"{command!r}: no test function {covered_by}"
            source = functions[covered_by]
            assert f'"{command}"' in source and re.search(r"\b(run|start)_documented\(", source), (
                f"{covered_by} does not run {command!r} through run_documented or start_documented"
            )


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    """One copy of the project for the commands that only read it."""
    return copy_project(tmp_path_factory.mktemp("documented") / "project")


def test_make_check_passes_on_the_project_as_documented(project):
    result = run_documented("make check", project)
    assert result.returncode == 0, result.stdout + result.stderr
    assert re.search(r"^checked \d+ entities, \d+ events, \d+ sources: no errors", result.stdout, re.M), result.stdout
    assert "schema/*.schema.json are up to date" in result.stdout


def test_strict_check_as_documented(project):
    """``--strict``: the same report, and warnings fail the check too."""
    plain = subprocess.run(
        [str(project / ".venv" / "bin" / "python"), "-m", "generator", "check"],
        cwd=project,
        capture_output=True,
        text=True,
    )
    warnings = int(re.search(r"no errors, (\d+) warnings?", plain.stdout).group(1))
    result = run_documented(".venv/bin/python -m generator check --strict", project)
    failing = " (failing: --strict)" if warnings else ""
    assert result.stdout == plain.stdout.rstrip("\n") + failing + "\n"
    assert result.returncode == (1 if warnings else 0), result.stdout + result.stderr


def test_schema_as_documented_keeps_the_committed_schema(project):
    schema_file = project / "schema" / "record.schema.json"
    committed = schema_file.read_bytes()
    schema_file.write_text("{}", encoding="utf-8")
    result = run_documented(".venv/bin/python -m generator schema", project)
    assert result.returncode == 0, result.stdout + result.stderr
    assert schema_file.read_bytes() == committed


def test_make_site_builds_the_site_as_documented(tmp_path):
    project = copy_project(tmp_path / "project")
    result = run_documented("make site", project)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    site = project / "site"
    entities = list((project / "content" / "entities").glob("*.yaml"))
    assert (site / "index.html").is_file()
    assert all((site / "entities" / path.stem / "index.html").is_file() for path in entities)


def test_worked_example_commands_run_as_documented(tmp_path):
    """CONTRIBUTING's walk-through as a contributor types it: skeletons, filled in, checked, formatted."""
    project = copy_project(tmp_path / "project")
    source, company, event = re.findall(r"```yaml\n(.*?)```", CONTRIBUTING, re.DOTALL)[:3]  # the worked example
    steps = [
        (
            ".venv/bin/python -m generator new source globex-2026-03-press-release --type press-release",
            "content/sources/globex-2026-03-press-release.yaml",
            source,
        ),
        (
            ".venv/bin/python -m generator new entity globex-semiconductors --type company",
            "content/entities/globex-semiconductors.yaml",
            company,
        ),
        (
            ".venv/bin/python -m generator new event 2026-03-globex-opens-singapore-lab",
            "content/events/2026-03-globex-opens-singapore-lab.yaml",
            event,
        ),
    ]
    for command, written, filled_in in steps:
        result = run_documented(command, project)
        assert result.returncode == 0, result.stdout + result.stderr
        skeleton = project / written
        assert skeleton.is_file(), f"{command} did not write {written}"
        skeleton.write_text(filled_in, encoding="utf-8")
    checked = run_documented("make check", project)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    before = {path: path.read_bytes() for path in (project / "content").rglob("*.yaml")}
    formatted_check = run_documented(".venv/bin/python -m generator fmt --check", project)
    assert formatted_check.returncode == 0, formatted_check.stdout + formatted_check.stderr
    formatted = run_documented(".venv/bin/python -m generator fmt", project)
    assert formatted.returncode == 0, formatted.stdout + formatted.stderr
    assert {path: path.read_bytes() for path in (project / "content").rglob("*.yaml")} == before


def test_diff_head_as_documented_reports_an_uncommitted_edit(tmp_path):
    project = copy_project(tmp_path / "project")
    env = dict(
        os.environ,
        GIT_AUTHOR_NAME="T",
        GIT_AUTHOR_EMAIL="t@example.org",
        GIT_COMMITTER_NAME="T",
        GIT_COMMITTER_EMAIL="t@example.org",
    )
    for arguments in (["init", "-q", "-b", "main"], ["add", "-A"], ["commit", "-q", "-m", "start"]):
        subprocess.run(["git", *arguments], cwd=project, env=env, check=True, capture_output=True)
    record = project / "content" / "entities" / "alibaba.yaml"
    record.write_text(
        record.read_text(encoding="utf-8").replace("name: Alibaba", "name: Alibaba Renamed", 1), encoding="utf-8"
    )
    result = run_documented(".venv/bin/python -m generator diff HEAD", project)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 added, 1 changed, 0 renamed, 0 removed." in result.stdout
    assert "| `name` | `Alibaba` | `Alibaba Renamed` |" in result.stdout


def test_version_and_codes_as_documented(tmp_path):
    project = copy_project(tmp_path / "project")
    version = run_documented(".venv/bin/python -m generator --version", project)
    assert version.returncode == 0 and re.fullmatch(r"python -m generator \S+\n", version.stdout), version.stdout
    codes = run_documented(".venv/bin/python -m generator codes", project)
    assert codes.returncode == 0, codes.stderr
    assert "| `unknown-excerpt`" in codes.stdout and "| `quote-not-in-text`" in codes.stdout


def test_rename_as_documented_moves_a_record_and_forwards_it(tmp_path):
    """The docs' ``rename OLD NEW`` (``OLD-ID NEW-ID``), with OLD NEW become two real ids of the dossier."""
    project = copy_project(tmp_path / "project")
    command = ".venv/bin/python -m generator rename OLD NEW".replace("OLD NEW", "hangzhou hangzhou-city")
    result = subprocess.run(["bash", "-c", command], cwd=project, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr
    moved = project / "content" / "entities" / "hangzhou-city.yaml"
    assert moved.exists() and not (project / "content" / "entities" / "hangzhou.yaml").exists()
    assert "former_ids: [hangzhou]" in moved.read_text(encoding="utf-8")
    check = run_documented("make check", project)
    assert check.returncode == 0, check.stdout + check.stderr
