"""This dossier's own tests: its records check, every record has a page, the committed schema is current."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from generator.pipeline import load_dossier
from generator.build import site_pages
from generator.settings import record_path

ROOT = Path(__file__).resolve().parent.parent
CONTENT = ROOT / "content"


def test_records_check_without_errors_or_warnings():
    result = load_dossier(CONTENT)  # raises with every error, each at its file:line:col
    assert [warning.format() for warning in result.warnings] == []


def test_every_record_has_its_page():
    dossier = load_dossier(CONTENT).dossier
    pages = site_pages(dossier)
    for record in [*dossier.entities.values(), *dossier.events.values(), *dossier.sources.values()]:
        assert record_path(record) in pages, record.id


def test_committed_json_schema_matches_the_vocabulary():
    run = subprocess.run([sys.executable, "-m", "generator", "schema", "--check"], cwd=ROOT,
                         capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
