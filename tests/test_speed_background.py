"""The data files built in a forked child equal those built in the parent; a failing child falls back."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from generator import background, render
from generator.pipeline import load_dossier
from generator.render import Renderer

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
import synth  # noqa: E402


@pytest.fixture(scope="module")
def dossier(tmp_path_factory):
    content = tmp_path_factory.mktemp("background") / "content"
    synth.write_dossier(120, content)
    return load_dossier(content).dossier


def test_forked_exports_equal_exports_built_in_process(dossier, monkeypatch):
    site = {"name": "Bench", "url": "https://example.org/", "directory_urls": True}
    monkeypatch.setattr(render, "EXPORTS_IN_CHILD_MIN_RECORDS", 10**9)
    in_process = Renderer(dossier, site_meta=site).render_all()
    monkeypatch.setattr(render, "EXPORTS_IN_CHILD_MIN_RECORDS", 0)
    forked_renderer = Renderer(dossier, site_meta=site)
    forked_renderer.prefetch_exports()
    assert forked_renderer._exports._pid is not None, "the data files were not built in a child"
    assert forked_renderer.render_all() == in_process
    assert "data/dossier.json" in in_process and "data/entities.ftm.json" in in_process


def _parent_pid_or_fail(parent: int) -> int:
    if os.getpid() != parent:
        raise RuntimeError("fails in the child only")
    return parent


def test_a_failing_child_is_computed_again_in_the_parent():
    parent = os.getpid()
    pending = background.start(_parent_pid_or_fail, parent)
    assert pending._pid is not None
    assert pending.result() == parent
    assert pending.result() == parent  # kept


def test_without_fork_the_function_runs_on_demand():
    calls = []
    pending = background.start(lambda value: calls.append(value) or value * 2, 21, fork=False)
    assert calls == []
    assert pending.result() == 42 and calls == [21]
