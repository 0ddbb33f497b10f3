"""The GitHub workflows are checked before they ever run: actionlint (pinned, from PyPI: a binary in
the wheel, offline) and GitHub's workflow JSON Schema (vendored in the pinned check-jsonschema), then
what they must do: cache pip, build the site once, pin actions, keep the link check off pull requests."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from conftest import ROOT

WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))
BIN = Path(sys.executable).parent


def load(name: str) -> dict:
    return yaml.safe_load((ROOT / ".github" / "workflows" / name).read_text(encoding="utf-8"))


def steps(workflow: dict):
    for job_id, job in workflow["jobs"].items():
        for step in job.get("steps", []):
            yield job_id, step


def actionlint(*paths: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(BIN / "actionlint"), "-no-color", *map(str, paths)], cwd=ROOT, capture_output=True, text=True, timeout=120
    )


def schema_check(*paths: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(BIN / "check-jsonschema"), "--builtin-schema", "vendor.github-workflows", *map(str, paths)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_there_are_the_two_workflows():
    assert [path.name for path in WORKFLOWS] == ["ci.yml", "links.yml"]


def test_workflows_pass_actionlint():
    result = actionlint(*WORKFLOWS)
    assert result.returncode == 0, result.stdout + result.stderr


def test_actionlint_really_checks(tmp_path):
    broken = tmp_path / "broken.yml"
    broken.write_text(
        (ROOT / ".github" / "workflows" / "ci.yml")
        .read_text(encoding="utf-8")
        .replace("${{ github.base_ref }}", "${{ github.base_reff }}")
        .replace("actions/checkout@v5", "actions/checkout@v3"),
        encoding="utf-8",
    )
    result = actionlint(broken)
    assert result.returncode == 1
    assert 'property "base_reff" is not defined in object type' in result.stdout
    assert 'the runtime or service used by "actions/checkout@v3" action is retired on GitHub.com' in result.stdout


def test_workflows_are_valid_against_githubs_workflow_schema():
    result = schema_check(*WORKFLOWS)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "ok -- validation done" in result.stdout


def test_schema_check_really_checks(tmp_path):
    broken = tmp_path / "broken.yml"
    broken.write_text(
        (ROOT / ".github" / "workflows" / "links.yml")
        .read_text(encoding="utf-8")
        .replace("runs-on: ubuntu-24.04", "runs_on: ubuntu-24.04"),
        encoding="utf-8",
    )
    result = schema_check(broken)
    assert result.returncode == 1
    assert "Schema validation errors were encountered" in result.stdout + result.stderr


def test_every_action_is_pinned_to_a_version():
    for workflow_path in WORKFLOWS:
        for job_id, step in steps(yaml.safe_load(workflow_path.read_text(encoding="utf-8"))):
            if "uses" in step:
                assert re.fullmatch(r"[\w.-]+/[\w.-]+@(v\d+(\.\d+){0,2}|[0-9a-f]{40})", step["uses"]), (
                    f"{workflow_path.name} {job_id}: {step['uses']}"
                )


def test_every_setup_python_caches_pip_downloads():
    found = 0
    for workflow_path in WORKFLOWS:
        for job_id, step in steps(yaml.safe_load(workflow_path.read_text(encoding="utf-8"))):
            if step.get("uses", "").startswith("actions/setup-python@"):
                found += 1
                assert step["with"]["cache"] == "pip", f"{workflow_path.name} {job_id}"
                assert step["with"]["cache-dependency-path"] == "requirements.txt"
    assert found >= 4
    debian = load("ci.yml")["jobs"]["test-debian"]
    cache = next(step for step in debian["steps"] if step.get("uses", "").startswith("actions/cache@"))
    assert cache["with"]["path"] == "~/.cache/pip" and "hashFiles('requirements.txt')" in cache["with"]["key"]


def test_site_is_built_once_and_that_build_is_link_checked_and_uploaded():
    workflow = load("ci.yml")
    runs = [(job_id, step["run"]) for job_id, step in steps(workflow) if "run" in step]
    builds = [(job_id, run) for job_id, run in runs if run.split()[:2] in (["make", "site"], ["make", "links"])]
    assert builds == [("site", "make site")]  # `make links` would build again
    site_steps = workflow["jobs"]["site"]["steps"]
    names = [step.get("run") or step.get("uses", "").split("@")[0] for step in site_steps]
    assert names.index("make site") < names.index("make check-links") < names.index("actions/upload-artifact")
    assert names.index("make check-links") < names.index("actions/upload-pages-artifact")


def test_tests_run_on_the_oldest_and_the_newest_python():
    jobs = load("ci.yml")["jobs"]
    newest = next(s for s in jobs["test"]["steps"] if s.get("uses", "").startswith("actions/setup-python@"))
    assert newest["with"]["python-version"] == "3.13" and jobs["test"]["steps"][-1]["run"] == "make test"
    assert jobs["test-debian"]["container"] == "debian:12"
    assert jobs["test-debian"]["steps"][-1]["run"] == "make test PYTHON=/usr/bin/python3"


def test_site_and_repository_addresses_come_from_the_repository():
    env = load("ci.yml")["jobs"]["site"]["env"]  # only the published build: the tests build without them
    assert "github.repository_owner" in env["DOSSIER_SITE_URL"] and "vars.DOSSIER_SITE_URL" in env["DOSSIER_SITE_URL"]
    assert "github.repository" in env["DOSSIER_REPO_URL"] and "vars.DOSSIER_REPO_URL" in env["DOSSIER_REPO_URL"]
    assert "default_branch" in env["DOSSIER_EDIT_URI"]


def test_pull_request_diff_is_commented_only_on_pull_requests():
    job = load("ci.yml")["jobs"]["diff"]
    assert job["if"] == "github.event_name == 'pull_request'"
    assert job["permissions"]["pull-requests"] == "write"
    runs = [step for step in job["steps"] if "run" in step]
    assert [step["run"] for step in runs] == ["make build-deps", "make diff", "make diff-comment"]
    assert runs[1]["env"]["BASE"] == "origin/${{ github.base_ref }}"
    assert runs[2]["env"]["GITHUB_TOKEN"] == "${{ github.token }}"
    checkout = next(step for step in job["steps"] if step.get("uses", "").startswith("actions/checkout@"))
    assert checkout["with"]["fetch-depth"] == 0  # the base branch's history is needed


def test_external_link_check_is_weekly_never_on_pull_requests_and_keeps_its_cache():
    workflow = load("links.yml")
    triggers = workflow[True]  # YAML 1.1 reads the key `on` as True
    assert set(triggers) == {"schedule", "workflow_dispatch"}
    assert re.fullmatch(r"\d+ \d+ \* \* [0-6]", triggers["schedule"][0]["cron"])
    job_steps = workflow["jobs"]["links"]["steps"]
    cache = next(step for step in job_steps if step.get("uses", "").startswith("actions/cache@"))
    assert cache["with"]["path"] == ".build/link-cache.json"
    check = next(step for step in job_steps if step.get("run", "").startswith("make links-online"))
    assert check["continue-on-error"] is True
    issue = next(step for step in job_steps if step.get("run") == "make links-issue")
    assert issue["if"] == "always()"
    assert workflow["jobs"]["links"]["permissions"]["issues"] == "write"


def test_link_check_report_for_the_standing_issue(tmp_path):
    site = tmp_path / "site"
    site.mkdir()
    (site / "index.html").write_text(
        '<html><body><a href="missing/">gone</a><a href="a`b/">tick</a></body></html>', encoding="utf-8"
    )
    report = tmp_path / "report.md"
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "check_links.py"), str(site), "--report", str(report)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 1
    text = report.read_text(encoding="utf-8")
    assert re.match(r"Link check of \d{4}-\d\d-\d\d \d\d:\d\d UTC: 2 broken links in .*site, offline", text)
    fence = "```"
    block = text.split(fence + "\n", 1)[1].split("\n" + fence, 1)[0]
    assert len(block.splitlines()) == 2 and "/missing/" in block


@pytest.mark.parametrize("target", ["check-links", "diff", "diff-comment", "links-issue", "links-online"])
def test_makefile_has_the_targets_the_workflows_call(target):
    assert re.search(rf"^{target}:", (ROOT / "Makefile").read_text(encoding="utf-8"), re.MULTILINE)


def test_every_job_that_makes_the_venv_installs_what_pyicu_compiles_against_first():
    for workflow_path in WORKFLOWS:
        for job_id, job in yaml.safe_load(workflow_path.read_text(encoding="utf-8"))["jobs"].items():
            runs = [step["run"] for step in job.get("steps", []) if "run" in step]
            if not runs:
                continue
            if job.get("container") == "debian:12":
                assert "libicu-dev" in runs[0].split() and "pkg-config" in runs[0].split()
            else:
                assert runs[0] == "make build-deps", f"{workflow_path.name} {job_id}"
