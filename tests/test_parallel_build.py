"""The full build on every core (generator/mkdocs_parallel.py, run by scripts/build_site.py).

Behaviour only (speed is bench/run.py's): the pages rendered by forked workers are the serial
build's byte for byte, a warning made in a worker fails the strict build with its message shown
once, and a worker that fails or dies fails the build with a message naming it, leaving site/ as it was.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import pagefind_pages, tree_digest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
import synth  # noqa: E402

BUILD_SITE = ROOT / "scripts" / "build_site.py"

# A Markdown extension that warns, fails or dies while converting a page holding a marker. Record
# pages are not in the navigation: a worker converts them, never the parent.
FAILING_EXTENSION = """
import logging, os, signal
from markdown.extensions import Extension
from markdown.preprocessors import Preprocessor


class Failing(Preprocessor):
    def run(self, lines):
        if any("WARN-IN-WORKER" in line for line in lines):
            logging.getLogger("mkdocs.extensions.failing").warning("a warning made in a worker")
        if any("DIE-IN-WORKER" in line for line in lines):
            os.kill(os.getpid(), signal.SIGKILL)
        if any("RAISE-IN-WORKER" in line for line in lines):
            raise ValueError("this page cannot be converted")
        return lines


class FailingExtension(Extension):
    def extendMarkdown(self, md):
        md.preprocessors.register(Failing(md), "failing", 100)


def makeExtension(**kwargs):
    return FailingExtension(**kwargs)
"""


def build(project: Path, site: Path, workers: int) -> subprocess.CompletedProcess:
    env = dict(os.environ, SOURCE_DATE_EPOCH="1700000000", PYTHONPATH=str(project))
    return subprocess.run(
        [sys.executable, str(BUILD_SITE), "--root", str(project), "--site-dir", str(site), "--workers", str(workers)],
        capture_output=True,
        text=True,
        env=env,
    )


#: Enough records that each of two workers builds several pages of every kind (36 entities, 18 events,
#: 6 sources), at a sixth of the time 300 took.
SYNTHETIC_RECORDS = 60


def synthetic_project(folder: Path, records: int) -> Path:
    folder.mkdir(parents=True)
    synth.write_dossier(records, folder / "content")
    shutil.copy(ROOT / "mkdocs.yml", folder / "mkdocs.yml")
    shutil.copytree(ROOT / "theme", folder / "theme")
    return folder


@pytest.fixture(scope="module")
def small_project(tmp_path_factory) -> Path:
    """30 synthetic records, with the failing extension in mkdocs.yml (it does nothing without a marker)."""
    project = synthetic_project(tmp_path_factory.mktemp("parallel") / "project", 30)
    (project / "failing_extension.py").write_text(FAILING_EXTENSION, encoding="utf-8")
    config = project / "mkdocs.yml"
    text = config.read_text(encoding="utf-8")
    config.write_text(text.replace("markdown_extensions:\n", "markdown_extensions:\n  - failing_extension\n"))
    return project


def build_with_marker(project: Path, site: Path, marker: str) -> subprocess.CompletedProcess:
    """Build with ``marker`` in the description of entity-10's page (a record page, so a worker's); site/ exists."""
    site.mkdir()
    (site / "index.html").write_text("the previous site", encoding="utf-8")
    record = project / "content" / "entities" / "entity-10.yaml"
    original = record.read_text(encoding="utf-8")
    record.write_text(original.replace("description: >-\n", f"description: >-\n  {marker}\n", 1), encoding="utf-8")
    try:
        return build(project, site, workers=2)
    finally:
        record.write_text(original, encoding="utf-8")


def previous_site_kept(site: Path) -> bool:
    return tree_digest(site) == {"index.html": hashlib.sha256(b"the previous site").hexdigest()} and not list(
        site.parent.glob("site.new*")
    )


def test_parallel_build_of_a_synthetic_dossier_is_byte_identical_to_a_serial_build(tmp_path):
    project = synthetic_project(tmp_path / "project", SYNTHETIC_RECORDS)
    # With mkdocs-material's search listed too (the site's own search is Pagefind, run after the build on
    # the written pages): its entries come back from the workers and must land in page order.
    config = project / "mkdocs.yml"
    config.write_text(config.read_text(encoding="utf-8").replace("plugins:\n", "plugins:\n  - search\n", 1))
    parallel = build(project, tmp_path / "parallel" / "site", workers=2)
    assert parallel.returncode == 0, parallel.stderr
    assert "pages on 2 processes" in parallel.stderr
    serial = build(project, tmp_path / "serial" / "site", workers=1)
    assert serial.returncode == 0, serial.stderr
    digests = tree_digest(tmp_path / "parallel" / "site")
    assert sum(1 for path in digests if path.endswith("index.html")) > SYNTHETIC_RECORDS
    assert digests == tree_digest(tmp_path / "serial" / "site")
    # The search entries come back from the workers in page order: records are in the index.
    index = json.loads((tmp_path / "parallel" / "site" / "search" / "search_index.json").read_text(encoding="utf-8"))
    entities = sum(1 for path in (project / "content" / "entities").glob("entity-*.yaml"))
    assert sum(1 for doc in index["docs"] if doc["location"].startswith("entities/entity-")) >= entities > 20
    indexed = pagefind_pages(tmp_path / "parallel" / "site")
    assert sum(1 for url in indexed if "/entities/entity-" in url) == entities


def test_warning_in_a_page_a_worker_builds_fails_the_strict_build_and_is_shown_once(small_project, tmp_path):
    site = tmp_path / "site"
    result = build_with_marker(small_project, site, "WARN-IN-WORKER")
    assert result.returncode == 1
    assert "pages on 2 processes" in result.stderr
    warnings = [line for line in result.stderr.splitlines() if line.startswith("WARNING")]
    assert warnings == ["WARNING -  a warning made in a worker"], result.stderr
    assert "the build failed (exit 1, 1 warnings or errors)" in result.stderr
    assert previous_site_kept(site)


@pytest.mark.parametrize(
    ("marker", "message"),
    [
        ("DIE-IN-WORKER", "was killed by signal 9 while on page 'entities/entity-10.md' before it finished"),
        ("RAISE-IN-WORKER", "failed on page 'entities/entity-10.md'"),
    ],
)
def test_a_worker_that_dies_or_fails_fails_the_build_naming_the_page(small_project, tmp_path, marker, message):
    site = tmp_path / "site"
    result = build_with_marker(small_project, site, marker)
    assert result.returncode == 1
    assert "build worker" in result.stderr and message in result.stderr, result.stderr
    if marker == "RAISE-IN-WORKER":
        assert "ValueError: this page cannot be converted" in result.stderr
    assert "left unchanged" in result.stderr
    assert previous_site_kept(site)
