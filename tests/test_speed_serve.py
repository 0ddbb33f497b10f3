"""``mkdocs serve --dirty``: a rebuild after one record changes re-renders only the pages it reaches."""

from __future__ import annotations

import gc
import logging
import os
import sys
import time
from pathlib import Path

import pytest
from conftest import make_project
from mkdocs.commands.build import build
from mkdocs.config import load_config

from generator.cache import FEWER_COLLECTIONS
from generator.mkdocs_plugin import INDEXER_NICENESS
from generator.pipeline import load_dossier

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
import synth  # noqa: E402


@pytest.fixture(autouse=True)
def _collector_thresholds_kept():
    """A preview raises the collector's thresholds for its process; a test that stops short of on_shutdown."""
    thresholds = gc.get_threshold()
    yield
    gc.set_threshold(*thresholds)


def _serve_build(config_path: Path, site_dir: Path):
    """One rebuild as `mkdocs serve --dirty` does it: a fresh config, the plugin instance kept."""
    config = load_config(str(config_path), site_dir=str(site_dir), strict=False)
    config.plugins.on_startup(command="serve", dirty=True)
    build(config, dirty=True)
    return config.plugins["dossier"]


def _html_mtimes(site_dir: Path) -> dict[str, int]:
    return {p.relative_to(site_dir).as_posix(): p.stat().st_mtime_ns for p in site_dir.rglob("index.html")}


def test_serve_rebuild_after_one_change_rewrites_only_the_pages_it_reaches(tmp_path, mini_content, caplog):
    caplog.set_level(logging.ERROR, logger="mkdocs")
    config_path = make_project(tmp_path, mini_content)
    site_dir = tmp_path / "site"
    plugin = _serve_build(config_path, site_dir)
    first = _html_mtimes(site_dir)
    assert "entities/acme/index.html" in first

    record = mini_content / "entities" / "acme.yaml"
    record.write_text(
        record.read_text(encoding="utf-8").replace("name: Acme Group", "name: Acme Renamed Group"), encoding="utf-8"
    )
    assert _serve_build(config_path, site_dir) is plugin, "the plugin instance must persist between rebuilds"
    second = _html_mtimes(site_dir)

    assert "Acme Renamed Group" in (site_dir / "entities" / "acme" / "index.html").read_text(encoding="utf-8")
    rewritten = {path for path in second if second[path] != first.get(path)}
    changed_pages = {
        p[:-3] + "/index.html" if not p.endswith("index.md") else p[:-8] + "index.html"
        for p in plugin.incremental.changed
        if p.endswith(".md")
    }
    assert "entities/acme/index.html" in rewritten
    assert len(rewritten) < len(second), "a dirty rebuild must skip the pages whose text did not change"
    assert rewritten <= changed_pages | {"index.html"} | {
        p for p in second if not p.startswith(("entities/", "events/", "sources/"))
    }
    untouched_records = [
        p for p in second if p.startswith("sources/") and p not in changed_pages and p != "sources/index.html"
    ]
    for path in untouched_records:
        assert second[path] == first[path], f"{path} was rebuilt though its text did not change"
    # and every page still equals what a full render gives
    from generator.build import SiteBuild

    assert plugin.pages.keys() == SiteBuild(load_dossier(mini_content).dossier).render_all().keys()


def test_synthetic_dossier_passes_check_with_the_promised_shape(tmp_path):
    content = tmp_path / "content"
    counts = synth.write_dossier(300, content)
    result = load_dossier(content)
    assert result.counts == counts and sum(counts.values()) == 300
    assert not [w for w in result.warnings if w.code not in ("unlinked-entity",)]
    dossier = result.dossier
    relationship_counts = [len(e.relationships) for e in dossier.entities.values()]
    assert min(relationship_counts) >= 4 and max(relationship_counts) <= 15
    assert all(2 <= len(e.participants) <= 6 for e in dossier.events.values())
    scripts = {"latin": False, "cyrillic": False, "han": False}
    for entity in dossier.entities.values():
        for text in [entity.name] + [alias.name for alias in entity.aliases]:
            scripts["latin"] |= any("a" <= ch.lower() <= "z" for ch in text)
            scripts["cyrillic"] |= any("\u0400" <= ch <= "\u04ff" for ch in text)
            scripts["han"] |= any("\u4e00" <= ch <= "\u9fff" for ch in text)
    assert all(scripts.values())
    assert dossier.sources and any(s.relays for s in dossier.sources.values())


def test_serve_indexes_for_search_in_the_background_and_again_after_a_change(tmp_path, mini_content, caplog):
    """The preview does not wait for Pagefind; the index follows each rebuild a moment later."""
    from conftest import pagefind_pages

    caplog.set_level(logging.ERROR, logger="mkdocs")
    config_path = make_project(tmp_path, mini_content)
    site_dir = tmp_path / "site"
    plugin = _serve_build(config_path, site_dir)
    assert plugin.indexer is not None and plugin.indexer.poll() is None, "the rebuild waited for the index"
    # below the preview's priority, so that the next rebuild, which a reader waits for, comes first
    expected = min(19, os.getpriority(os.PRIO_PROCESS, 0) + INDEXER_NICENESS)
    seen = []  # nice(1) sets it in the child, a moment after the start
    while plugin.indexer.poll() is None and expected not in seen:
        seen.append(os.getpriority(os.PRIO_PROCESS, plugin.indexer.pid))
        time.sleep(0.005)
    assert expected in seen, seen[-5:]
    assert plugin.indexer.wait(timeout=300) == 0
    assert pagefind_pages(site_dir)["/entities/acme/"]["meta"]["title"] == "Acme Group"

    record = mini_content / "entities" / "acme.yaml"
    record.write_text(
        record.read_text(encoding="utf-8").replace("name: Acme Group", "name: Acme Renamed Group"), encoding="utf-8"
    )
    first_indexer = plugin.indexer
    assert _serve_build(config_path, site_dir) is plugin
    assert plugin.indexer is not first_indexer and plugin.indexer.wait(timeout=300) == 0
    assert pagefind_pages(site_dir)["/entities/acme/"]["meta"]["title"] == "Acme Renamed Group"
    plugin.on_shutdown()


def _live_reload_server(tmp_path: Path):
    from mkdocs.livereload import LiveReloadServer

    return LiveReloadServer(builder=lambda: None, host="127.0.0.1", port=0, root=str(tmp_path))


def _rebuild_wanted_within(server, seconds: float) -> bool:
    with server._rebuild_cond:
        return server._rebuild_cond.wait_for(lambda: server._want_rebuild, timeout=seconds)


def test_preview_watches_by_file_events_and_rebuilds_on_a_change_not_on_a_read(tmp_path):
    """`mkdocs serve` polls every watched file twice a second; the plugin moves its watches to inotify."""
    from mkdocs.livereload import LiveReloadServer  # noqa: F401 - the server the plugin adapts
    from watchdog.observers.inotify import InotifyObserver

    from generator.watcher import watch_by_file_events

    content, config = tmp_path / "content", tmp_path / "mkdocs.yml"
    (content / "entities").mkdir(parents=True)
    record = content / "entities" / "acme.yaml"
    record.write_text("name: Acme\n", encoding="utf-8")
    config.write_text("site_name: x\n", encoding="utf-8")
    server = _live_reload_server(tmp_path)
    server.watch(str(content))
    server.watch(str(content))  # watched twice: unwatching once must keep it
    server.watch(str(config))
    polling = server.observer
    assert watch_by_file_events(server) is None
    try:
        assert isinstance(server.observer, InotifyObserver) and server.observer.is_alive()
        assert server._watched_paths == {str(content): 2, str(config): 1}
        assert not polling.emitters, "the polling observer keeps no watch"
        server.observer.start()  # what MkDocs' serve() does next: nothing more
        record.read_text(encoding="utf-8")  # the build reads every record: no rebuild for that
        assert not _rebuild_wanted_within(server, 0.5)
        record.write_text("name: Acme Renamed\n", encoding="utf-8")
        assert _rebuild_wanted_within(server, 5)
        server._want_rebuild = False
        (content / "entities" / "new.yaml").write_text("name: New\n", encoding="utf-8")  # a new file
        assert _rebuild_wanted_within(server, 5)
        server._want_rebuild = False
        config.write_text("site_name: y\n", encoding="utf-8")  # a watched file, not a folder
        assert _rebuild_wanted_within(server, 5)
        server.unwatch(str(content))
        assert server._watched_paths == {str(content): 1, str(config): 1}
    finally:
        server.observer.stop()
        server.observer.join(5)


def test_preview_keeps_polling_where_file_events_fail(tmp_path):
    from watchdog.observers.polling import PollingObserver

    from generator.watcher import watch_by_file_events

    server = _live_reload_server(tmp_path)
    server.watch(str(tmp_path))
    server.watch(str(tmp_path / "not-there"))  # inotify cannot watch a missing folder; polling waits for it
    polling, watched = server.observer, dict(server._watched_paths)
    reason = watch_by_file_events(server)
    assert "No such file or directory" in reason, reason  # said in the preview's log
    assert server.observer is polling and isinstance(polling, PollingObserver) and not polling.is_alive()
    assert server._watched_paths == watched and len(polling.emitters) == 2


@pytest.mark.parametrize("watcher", ["events", "polling"])
def test_watcher_option_chooses_file_events_or_mkdocs_polling(tmp_path, watcher):
    """`watcher: polling` under `dossier:` in mkdocs.yml keeps MkDocs' own polling (folders that send no events)."""
    from types import SimpleNamespace

    from watchdog.observers.inotify import InotifyObserver
    from watchdog.observers.polling import PollingObserver

    from generator.mkdocs_plugin import DossierPlugin

    (tmp_path / "content").mkdir()
    plugin = DossierPlugin()
    errors, warnings = plugin.load_config({"watcher": watcher})
    assert errors == [] and warnings == []
    server = _live_reload_server(tmp_path)
    config = SimpleNamespace(site_url="http://127.0.0.1:8000/", config_file_path=str(tmp_path / "mkdocs.yml"))
    try:
        assert plugin.on_serve(server, config, builder=lambda: None) is server
        assert isinstance(server.observer, InotifyObserver if watcher == "events" else PollingObserver)
        assert server._watched_paths == {str(tmp_path / "content"): 1}
    finally:
        if server.observer.is_alive():
            server.observer.stop()
            server.observer.join(5)
    assert DossierPlugin().load_config({"watcher": "sometimes"})[0], "an unknown watcher is a config error"


def test_preview_collects_its_cyclic_garbage_once_a_rebuild_is_served_not_during_it(tmp_path, mini_content, caplog):
    """At 10,000 records CPython's full scan of every object took 2-2.4 s of each rebuild; now it comes after."""
    import weakref

    caplog.set_level(logging.ERROR, logger="mkdocs")
    before = gc.get_threshold()
    plugin = _serve_build(make_project(tmp_path, mini_content), tmp_path / "site")
    assert gc.get_threshold() == FEWER_COLLECTIONS  # while serving, as while a build loads and renders

    class Cycle:
        pass

    garbage = Cycle()
    garbage.itself = garbage  # freed only by the cyclic collector
    collected = weakref.ref(garbage)
    del garbage
    assert collected() is not None and plugin.idle_collection.is_alive()
    plugin.idle_collection.join(10)  # a moment after the rebuild
    assert collected() is None
    plugin.on_shutdown()
    assert gc.get_threshold() == before and plugin.idle_collection is None


def test_preview_leaves_an_unknown_server_watching_its_own_way():
    """Another MkDocs whose server keeps its watches elsewhere: nothing is moved, the preview still starts."""
    from types import SimpleNamespace

    from generator.watcher import watch_by_file_events

    server = SimpleNamespace(observer="its own observer")
    assert "not the one this was written for" in watch_by_file_events(server)
    assert server.observer == "its own observer"
