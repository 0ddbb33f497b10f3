"""Issue 14, point 10: the documentation follows the code.  The error-code table in CONTRIBUTING
is generated from the engine, each command's --help explains its options and exit status,
``build --format json`` has the shape of ``check --format json``, and there is a --version."""

from __future__ import annotations

import argparse
import ast
import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from conftest import MINI, ROOT, write_record

from generator import __version__, codes
from generator.cli import EXIT_STATUS, build_parser

CONTRIBUTING = ROOT / "CONTRIBUTING.md"
_CODE = re.compile(r"^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$")


def run(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "generator", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env=dict(os.environ, PYTHONPATH=str(ROOT)),
    )


def engine_codes() -> set[str]:
    """Every code the engine can report, read from its source: the code arguments of Problem(...),
    _LoadFailure(...), check.add(...), _fail(...) and the vocabulary reader's error(...), the codes
    bad_character() returns, and error[...] texts."""
    found = set()
    for path in sorted((ROOT / "generator").glob("*.py")):
        source = path.read_text(encoding="utf-8")
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.Call):
                name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
                if name in ("Problem", "_LoadFailure", "add", "_fail", "error"):
                    found.update(
                        arg.value
                        for arg in node.args
                        if isinstance(arg, ast.Constant) and isinstance(arg.value, str) and _CODE.match(arg.value)
                    )
            if isinstance(node, ast.Return) and isinstance(node.value, ast.Tuple) and len(node.value.elts) == 3:
                first = node.value.elts[0]
                if isinstance(first, ast.Constant) and isinstance(first.value, str) and _CODE.match(first.value):
                    found.add(first.value)
        found.update(re.findall(r"error\[([a-z-]+)\]", source))
    return found


def test_every_code_the_engine_reports_is_described_and_no_other():
    assert engine_codes() == set(codes.CODES)
    assert len(codes.CODES) >= 40


def test_contributing_table_is_the_generated_one():
    text = CONTRIBUTING.read_text(encoding="utf-8")
    start = text.index(codes.START_MARKER) + len(codes.START_MARKER) + 1
    assert text[start : text.index(codes.END_MARKER)] == codes.code_table()
    assert codes.with_table(text) == text


def test_the_documented_update_command_keeps_the_table_current(tmp_path):
    shutil.copy(CONTRIBUTING, tmp_path / "CONTRIBUTING.md")
    command = ".venv/bin/python -m generator codes --update CONTRIBUTING.md"
    assert f"`{command}`" in CONTRIBUTING.read_text(encoding="utf-8").replace("\n", " ")
    result = run(*command.split()[3:], cwd=tmp_path)
    assert result.returncode == 0 and "up to date" in result.stdout
    stale = tmp_path / "CONTRIBUTING.md"
    stale.write_text(stale.read_text(encoding="utf-8").replace("| `tab` |", "| `tabs` |"), encoding="utf-8")
    assert run("codes", "--update", "CONTRIBUTING.md", "--check", cwd=tmp_path).returncode == 1
    assert run("codes", "--update", "CONTRIBUTING.md", cwd=tmp_path).returncode == 0
    assert stale.read_text(encoding="utf-8") == CONTRIBUTING.read_text(encoding="utf-8")


def _subparsers() -> dict[str, argparse.ArgumentParser]:
    action = next(a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction))
    return dict(action.choices)


def test_every_command_has_help_for_each_option_and_its_exit_status():
    commands = _subparsers()
    assert set(commands) == set(EXIT_STATUS)
    for name, parser in commands.items():
        result = run(name, "--help")
        assert result.returncode == 0
        text = " ".join(result.stdout.split())
        assert parser.description and " ".join(parser.description.split()) in text, name
        assert f"exit status: {EXIT_STATUS[name]}" in text, name
        assert re.search(r"\b0 ", EXIT_STATUS[name]) and "2 wrong usage" in EXIT_STATUS[name]
        for action in parser._actions:
            if isinstance(action, argparse._HelpAction):
                continue
            assert action.help, (name, action.dest)
            assert " ".join(action.help.split()) in text, (name, action.dest)


def test_usage_errors_exit_with_2():
    assert run("check", "--format", "xml").returncode == 2
    assert run("rename", "only-one").returncode == 2


def test_version_matches_the_package():
    result = run("--version")
    assert result.returncode == 0
    assert result.stdout == f"python -m generator {__version__}\n"
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert project["project"]["version"] == __version__


def _shape(value):
    """The keys of a JSON document, recursively, without the values."""
    if isinstance(value, dict):
        return {key: _shape(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_shape(value[0])] if value else []
    return type(value).__name__


def test_build_json_has_the_shape_of_check_json(tmp_path):
    content = tmp_path / "content"
    shutil.copytree(MINI, content)
    write_record(content, "entities", "lonely", "type: company\nname: L\nsummary: x [[paper-2025]]\n")
    checked = json.loads(run("check", "--format", "json", "--content", str(content), cwd=tmp_path).stdout)
    built = run("build", "--format", "json", "--content", str(content), "--out", str(tmp_path / "out"), cwd=tmp_path)
    assert built.returncode == 0, built.stderr
    document = json.loads(built.stdout)
    assert document.pop("build") == {
        "out": str(tmp_path / "out"),
        "pages": document_pages(tmp_path / "out"),
        "written": document_pages(tmp_path / "out"),
        "unchanged": 0,
        "removed": 0,
        "skipped": False,
    }
    assert document == checked and checked["warnings"][0]["code"] == "unlinked-entity"

    write_record(content, "events", "broken", "date: '2025-13'\ntitle: T\nsummary: S\nsources: [paper-2025]\n")
    failed_check = run("check", "--format", "json", "--content", str(content), cwd=tmp_path)
    failed_build = run(
        "build", "--format", "json", "--content", str(content), "--out", str(tmp_path / "out"), cwd=tmp_path
    )
    assert failed_check.returncode == failed_build.returncode == 1
    document = json.loads(failed_build.stdout)
    assert document.pop("build") is None
    assert document == json.loads(failed_check.stdout)
    assert _shape(document) == _shape(json.loads(failed_check.stdout))
    assert document["errors"][0]["line"] == 1 and document["errors"][0]["column"] == 7


def document_pages(out: Path) -> int:
    return sum(1 for path in out.rglob("*") if path.is_file() and not path.name.startswith("."))


@pytest.mark.parametrize("command", ["codes", "--version"])
def test_readme_commands_run_as_written(command):
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert f".venv/bin/python -m generator {command} " in readme
    assert run(*command.split()).returncode == 0
