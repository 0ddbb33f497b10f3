"""CONTRIBUTING.md, the pre-commit hooks and the CI workflow are tested like code."""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import yaml
from conftest import ROOT

CONTRIBUTING = (ROOT / "CONTRIBUTING.md").read_text(encoding="utf-8")
EXAMPLE_FILES = {
    "source": "content/sources/globex-2026-03-press-release.yaml",
    "company": "content/entities/globex-semiconductors.yaml",
    "event": "content/events/2026-03-globex-opens-singapore-lab.yaml",
}


def _blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", CONTRIBUTING, re.DOTALL)


def _example_project(tmp_path: Path) -> Path:
    project = tmp_path / "project"
    shutil.copytree(ROOT / "content", project / "content")
    source, company, event = _blocks("yaml")[:3]  # the worked example; later blocks show parts of records
    for key, text in zip(("source", "company", "event"), (source, company, event)):
        (project / EXAMPLE_FILES[key]).write_text(text, encoding="utf-8")
    return project


def _check(project: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "generator", "check", "--no-cache"],
        cwd=project,
        capture_output=True,
        text=True,
        env=_env(),
    )


def _env() -> dict:
    import os

    return dict(os.environ, PYTHONPATH=str(ROOT))


def test_worked_example_passes_the_checks_and_is_formatted(tmp_path):
    project = _example_project(tmp_path)
    result = _check(project)
    assert result.returncode == 0, result.stdout
    formatted = subprocess.run(
        [sys.executable, "-m", "generator", "fmt", "--check", *EXAMPLE_FILES.values()],
        cwd=project,
        capture_output=True,
        text=True,
        env=_env(),
    )
    assert formatted.returncode == 0, formatted.stdout


def test_worked_example_error_transcript_is_what_check_prints(tmp_path):
    project = _example_project(tmp_path)
    company = project / EXAMPLE_FILES["company"]
    company.write_text(
        company.read_text(encoding="utf-8")
        .replace("[[singapore]] in March", "[[singapur]] in March")
        .replace("type: located-in", "type: located"),
        encoding="utf-8",
    )
    source = project / EXAMPLE_FILES["source"]
    source.write_text(
        source.read_text(encoding="utf-8").replace("date: '2026-03-12'", "date: 2026-3-12"), encoding="utf-8"
    )
    result = _check(project)
    assert result.returncode == 1
    transcript = next(block for block in _blocks("text") if "error[" in block)
    assert result.stdout == transcript


def test_workflow_steps_only_call_make_targets_that_exist():
    workflow = yaml.safe_load((ROOT / ".github" / "workflows" / "ci.yml").read_text(encoding="utf-8"))
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    targets = set(re.findall(r"^([a-z-]+):", makefile, re.MULTILINE))
    runs = [step["run"] for job in workflow["jobs"].values() for step in job.get("steps", []) if "run" in step]
    assert runs, "the workflow runs nothing"
    called = set()
    for command in runs:
        words = shlex.split(command)
        if words[:2] == ["apt-get", "update"]:  # the Debian container's packages, before the checkout
            assert workflow["jobs"]["test-debian"]["steps"][0]["run"] == command
            continue
        assert words[0] == "make" and "\n" not in command.strip(), f"logic in the workflow: {command!r}"
        called.add(words[1])
    assert {"check", "site", "check-links", "test", "diff", "diff-comment"} <= called <= targets
    assert workflow[True]["pull_request"] is None and workflow[True]["push"]["branches"] == ["main"]
    deploy = workflow["jobs"]["deploy"]
    assert "refs/heads/main" in deploy["if"] and deploy["steps"][0]["uses"].startswith("actions/deploy-pages@")


def test_pre_commit_hooks_run_the_project_commands_and_pass():
    config = yaml.safe_load((ROOT / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    hooks = [hook for repo in config["repos"] for hook in repo["hooks"]]
    entries = {hook["id"]: hook["entry"] for hook in hooks}
    assert set(entries) == {"dossier-check", "dossier-fmt", "dossier-schema", "ruff-check", "ruff-format"}
    for hook_id, entry in entries.items():
        words = shlex.split(entry)
        if hook_id.startswith("ruff"):
            assert words[0] == ".venv/bin/ruff", hook_id  # as the Makefile's `lint` (part of `make test`) runs it
            command = [str(Path(sys.executable).parent / "ruff"), *words[1:]]
        else:
            assert words[:3] == [".venv/bin/python", "-m", "generator"], hook_id
            command = [sys.executable, *words[1:]]
        result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
        assert result.returncode == 0, (hook_id, result.stdout, result.stderr)
