"""The data files built in a forked child equal those built in the parent; a failing child falls back."""

from __future__ import annotations

import logging
import os
import sys
import threading
import time
from pathlib import Path

import pytest

from generator import background, build
from generator.build import SiteBuild
from generator.pipeline import load_dossier
from generator.settings import SiteSettings

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
import synth  # noqa: E402


@pytest.fixture(scope="module")
def dossier(tmp_path_factory):
    content = tmp_path_factory.mktemp("background") / "content"
    synth.write_dossier(120, content)
    return load_dossier(content).dossier


@pytest.fixture(autouse=True)
def _forks_despite_idle_threads_of_other_tests(threads_of_earlier_tests_ignored):
    """Idle threads of other tests' session fixtures do not stop these tests' forks."""


def test_forked_exports_equal_exports_built_in_process(dossier, monkeypatch):
    site = SiteSettings(name="Bench", site_url="https://example.org/", directory_urls=True)
    monkeypatch.setattr(build, "EXPORTS_IN_CHILD_MIN_RECORDS", 10**9)
    in_process = SiteBuild(dossier, settings=site).render_all()
    monkeypatch.setattr(build, "EXPORTS_IN_CHILD_MIN_RECORDS", 0)
    forked_renderer = SiteBuild(dossier, settings=site)
    forked_renderer.start_outputs()
    assert forked_renderer.data_files.forked, "the data files were not built in a child"
    assert forked_renderer.render_all() == in_process
    assert forked_renderer.data_files.computed_in == "child", "the child's data files were not the ones used"
    assert "data/dossier.json" in in_process and "data/entities.ftm.json" in in_process


def _parent_pid_or_fail(parent: int) -> int:
    if os.getpid() != parent:
        raise RuntimeError("fails in the child only")
    return parent


def test_a_failing_child_is_logged_and_computed_again_in_the_parent(caplog):
    parent = os.getpid()
    pending = background.start(_parent_pid_or_fail, parent)
    assert pending.forked
    with caplog.at_level(logging.WARNING, logger="generator.background"):
        assert pending.result() == parent
    assert pending.computed_in == "parent"
    assert [r.getMessage() for r in caplog.records] == [
        "the child process computing _parent_pid_or_fail exited with status 1; computing it here instead"
    ]
    assert pending.result() == parent  # kept


def _slow_in_the_child(parent: int) -> str:
    if os.getpid() != parent:
        time.sleep(60)
    return "computed"


def test_a_child_past_its_timeout_is_stopped_logged_and_computed_in_the_parent(caplog):
    pending = background.start(_slow_in_the_child, os.getpid(), timeout=0.5)
    child = pending._pid
    with caplog.at_level(logging.WARNING, logger="generator.background"):
        assert pending.result() == "computed"
    assert pending.computed_in == "parent"
    assert "took longer than 0.5 s and was stopped" in caplog.records[0].getMessage()
    try:
        os.kill(child, 0)
    except ProcessLookupError:
        pass
    else:
        raise AssertionError("the child still runs")


def test_a_child_result_is_the_one_used():
    pending = background.start(os.getpid)
    assert pending.forked
    child_pid = pending._pid
    assert pending.result() == child_pid and pending.computed_in == "child"


def test_no_fork_while_another_thread_runs(dossier, monkeypatch):
    """mkdocs serve rebuilds beside its HTTP and file-watching threads: a fork there could deadlock."""
    monkeypatch.setattr(build, "EXPORTS_IN_CHILD_MIN_RECORDS", 0)
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        assert not background.may_fork()
        pending = background.start(os.getpid)
        assert not pending.forked and pending.result() == os.getpid() and pending.computed_in == "parent"
        renderer = SiteBuild(dossier)
        renderer.start_outputs()
        assert not renderer.data_files.forked
        pages = renderer.render_all()
        assert renderer.data_files.computed_in == "parent" and "data/dossier.json" in pages
    finally:
        stop.set()
        other.join()
    assert background.may_fork()


def test_without_fork_the_function_runs_on_demand():
    calls = []
    pending = background.start(lambda value: calls.append(value) or value * 2, 21, fork=False)
    assert calls == []
    assert pending.result() == 42 and calls == [21]
