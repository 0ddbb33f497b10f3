"""``generator init DIR``: a new dossier in one command, which passes its own ``make site`` and ``make test``."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import yaml
from conftest import ROOT

from generator.pipeline import load_dossier
from generator.starter import init_project

README_TARGET = "../merger-review"


def _readme_commands() -> list[str]:
    """The shell block of the README's "Start a dossier on another subject", line by line."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Start a dossier on another subject", 1)[1]
    block = re.search(r"```sh\n(.*?)```", section, re.DOTALL).group(1)
    return [line.split("  #")[0].strip() for line in block.splitlines() if line.strip()]


def _clean_env() -> dict:
    """The environment of a fresh shell: no virtual environment of the engine's own tests leaks in."""
    env = {key: value for key, value in os.environ.items() if key not in ("VIRTUAL_ENV", "PYTHONPATH")}
    env["PATH"] = os.pathsep.join(
        part for part in env.get("PATH", "").split(os.pathsep) if not part.startswith(str(ROOT / ".venv"))
    )
    return env


def test_readme_commands_make_a_project_that_passes_its_own_make_site_and_make_test(tmp_path):
    commands = _readme_commands()
    assert commands == [
        f'.venv/bin/python -m generator init {README_TARGET} --title "Merger review"',
        f"cd {README_TARGET}",
        "make site",
        "make test",
    ]
    project = tmp_path / "merger-review"
    cwd, env = ROOT, _clean_env()
    for command in commands:  # as written, with the new folder in tmp_path instead of beside the engine
        command = command.replace(README_TARGET, shlex.quote(str(project)))
        if command.startswith("cd "):
            cwd = Path(shlex.split(command)[1])
            continue
        run = subprocess.run(command, shell=True, cwd=cwd, env=env, capture_output=True, text=True, timeout=900)
        assert run.returncode == 0, f"{command}\n{run.stdout[-3000:]}\n{run.stderr[-3000:]}"
        if command == "make test":
            assert re.search(r"\b3 passed\b", run.stdout), run.stdout[-2000:]
    home = (project / "site" / "index.html").read_text(encoding="utf-8")
    assert "Merger review" in home and "Example Organization" in home
    assert (project / "site" / "entities" / "example-organization" / "index.html").is_file()
    assert (project / "site" / "data" / "graph.json").is_file()

    # the installed package's console script does the same as python -m generator
    second = tmp_path / "second"
    script = subprocess.run(
        [str(project / ".venv" / "bin" / "dossier"), "init", str(second)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
    )
    assert script.returncode == 0, script.stderr
    assert yaml.safe_load((second / "content" / "vocabulary.yaml").read_text(encoding="utf-8")) == {
        "extends": "default"
    }


def test_init_writes_every_part_of_a_project(tmp_path):
    project = tmp_path / "dossier"
    init_project(project, "A title with 'quotes'")
    for name in (
        "mkdocs.yml",
        "Makefile",
        "README.md",
        "requirements.txt",
        ".ci/run",
        ".github/workflows/ci.yml",
        ".pre-commit-config.yaml",
        ".gitignore",
        "content/vocabulary.yaml",
        "content/pages/index.md",
        "schema/record.schema.json",
        "schema/entity.schema.json",
        "schema/event.schema.json",
        "schema/source.schema.json",
        "tests/test_dossier.py",
        "theme/assets/dossier-graph.js",
    ):
        assert (project / name).is_file(), name
    assert os.access(project / ".ci" / "run", os.X_OK)
    assert yaml.safe_load((project / "mkdocs.yml").read_text(encoding="utf-8"))["site_name"] == "A title with 'quotes'"
    makefile = (project / "Makefile").read_text(encoding="utf-8")
    assert "\nsite: check\n" in makefile and "\ntest: $(STAMP)\n" in makefile
    requirements = (project / "requirements.txt").read_text(encoding="utf-8").splitlines()
    assert requirements[0] == f"-e {ROOT.as_posix()}"  # the engine's own folder, as it is now
    pinned = {line.split("==")[0].lower() for line in requirements[1:]}
    assert {"mkdocs", "mkdocs-material", "followthemoney", "sqlalchemy", "pagefind-bin-extended", "pytest"} <= pinned
    # the engine's own test, lint and browser tools are not a dossier's
    assert not pinned & {"playwright", "greenlet", "linkchecker", "ruff", "pytest-xdist", "lxml", "check-jsonschema"}
    engine_pins = (ROOT / "requirements.txt").read_text(encoding="utf-8").splitlines()
    assert set(requirements[1:]) < set(engine_pins)  # the same versions, fewer of them
    result = load_dossier(project / "content")
    assert result.warnings == [] and result.counts == {"entities": 2, "events": 1, "sources": 1}


def test_init_refuses_a_folder_that_is_not_empty(tmp_path):
    (tmp_path / "taken").mkdir()
    (tmp_path / "taken" / "notes.txt").write_text("mine", encoding="utf-8")
    run = subprocess.run(
        [sys.executable, "-m", "generator", "init", str(tmp_path / "taken")], cwd=ROOT, capture_output=True, text=True
    )
    assert run.returncode == 1
    assert (
        run.stderr == f"error: {(tmp_path / 'taken').as_posix()} exists and is not an empty folder; "
        "choose a new folder\n"
    )
    assert (tmp_path / "taken" / "notes.txt").read_text(encoding="utf-8") == "mine"
