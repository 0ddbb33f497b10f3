"""The parse cache: unchanged files are not parsed again; changed content, engine or damage invalidate it."""

from __future__ import annotations

import logging
import os
import pickle
import subprocess
import sys
from pathlib import Path

import pytest

from generator import cache as cache_module
from generator import loader
from generator.pipeline import load_dossier
from generator.problems import DossierError

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
import synth  # noqa: E402


@pytest.fixture
def parse_calls(monkeypatch) -> list[str]:
    """Every file the loader parses, by shown path."""
    calls: list[str] = []
    real = loader.parse_record_text

    def counting(data, display_path, kind, record_id, *rest):
        calls.append(display_path)
        return real(data, display_path, kind, record_id, *rest)

    monkeypatch.setattr(loader, "parse_record_text", counting)
    return calls


@pytest.fixture
def synthetic(tmp_path: Path) -> Path:
    content = tmp_path / "content"
    synth.write_dossier(80, content)
    return content


def _stored_entries(cache_file: Path) -> dict:
    return cache_module.read_entries(cache_file, cache_file.stem.removeprefix("records-"))


def _record_files(content: Path) -> list[Path]:
    return sorted(p for folder in ("entities", "events", "sources") for p in (content / folder).glob("*.yaml"))


def test_second_load_with_cache_parses_no_file_and_gives_the_same_dossier(synthetic, tmp_path, parse_calls):
    cache_dir = tmp_path / ".build" / "cache"
    first = load_dossier(synthetic, cache_dir)
    assert len(parse_calls) == len(_record_files(synthetic))
    parse_calls.clear()
    second = load_dossier(synthetic, cache_dir)
    assert parse_calls == []
    assert second.dossier.entities == first.dossier.entities
    assert second.dossier.events == first.dossier.events
    assert second.dossier.relations_by_entity == first.dossier.relations_by_entity


def test_a_kept_cache_is_not_read_or_written_again_until_saved(synthetic, tmp_path, parse_calls, monkeypatch):
    """The preview keeps the first load's cache in memory: later loads neither read nor write the file."""
    cache_dir = tmp_path / "cache"
    first = load_dossier(synthetic, cache_dir)
    (cache_file,) = cache_dir.glob("records-*")
    kept = first.parse_cache
    kept.autosave = False
    written = cache_file.stat().st_mtime_ns
    changed = synthetic / "entities" / "entity-40.yaml"
    changed.write_text(changed.read_text(encoding="utf-8").replace("name: '", "name: 'Kept ", 1), encoding="utf-8")
    cache_file.write_bytes(b"not read again")  # a load that read the file would refuse it and parse everything
    parse_calls.clear()
    second = load_dossier(synthetic, cache_dir, kept_cache=kept)
    assert second.parse_cache is kept
    assert [Path(p).name for p in parse_calls] == ["entity-40.yaml"]
    assert second.dossier.entities["entity-40"].name.startswith("Kept ")
    assert cache_file.read_bytes() == b"not read again" and cache_file.stat().st_mtime_ns >= written
    kept.save()  # on shutdown: the entries of the last load, the changed file's new one among them
    entries = _stored_entries(cache_file)
    assert len(entries) == len(_record_files(synthetic))
    assert sum(1 for _kind, shown in entries if shown.endswith("/entities/entity-40.yaml")) == 1
    # another engine (or vocabulary): the kept cache no longer serves, and every file is parsed again
    monkeypatch.setattr(cache_module, "engine_version", lambda vocabulary_digest="": "another-engine")
    parse_calls.clear()
    third = load_dossier(synthetic, cache_dir, kept_cache=kept)
    assert third.parse_cache is not kept and len(parse_calls) == len(_record_files(synthetic))


def test_changed_file_alone_is_parsed_again_and_its_new_text_is_used(synthetic, tmp_path, parse_calls):
    cache_dir = tmp_path / "cache"
    load_dossier(synthetic, cache_dir)
    changed = synthetic / "entities" / "entity-40.yaml"
    text = changed.read_text(encoding="utf-8")
    changed.write_text(text.replace("name: '", "name: 'Changed ", 1), encoding="utf-8")
    parse_calls.clear()
    result = load_dossier(synthetic, cache_dir)
    assert [Path(p).name for p in parse_calls] == ["entity-40.yaml"]
    assert result.dossier.entities["entity-40"].name.startswith("Changed ")


def test_new_engine_version_parses_everything_again(synthetic, tmp_path, parse_calls, monkeypatch):
    cache_dir = tmp_path / "cache"
    load_dossier(synthetic, cache_dir)
    monkeypatch.setattr(cache_module, "engine_version", lambda vocabulary_digest="": "another-engine")
    parse_calls.clear()
    load_dossier(synthetic, cache_dir)
    assert len(parse_calls) == len(_record_files(synthetic))
    assert [p.name for p in cache_dir.glob("records-*")] == ["records-another-engine.pickle"]


def test_damaged_cache_is_ignored(synthetic, tmp_path, parse_calls):
    cache_dir = tmp_path / "cache"
    load_dossier(synthetic, cache_dir)
    (cache_file,) = cache_dir.glob("records-*.pickle")
    cache_file.write_bytes(b"not a cache at all")
    parse_calls.clear()
    result = load_dossier(synthetic, cache_dir)
    assert len(parse_calls) == len(_record_files(synthetic))
    assert result.counts["entities"] == len(list((synthetic / "entities").glob("*.yaml")))
    assert len(_stored_entries(cache_file)) == len(_record_files(synthetic))


def test_errors_of_a_cached_bad_file_are_reported_again_with_positions(synthetic, tmp_path, parse_calls):
    bad = synthetic / "events" / "event-3.yaml"
    bad.write_text(bad.read_text(encoding="utf-8").replace("date: '", "date: 'soon", 1), encoding="utf-8")
    unknown = synthetic / "entities" / "entity-30.yaml"
    unknown.write_text(
        unknown.read_text(encoding="utf-8").replace("    target: entity-", "    target: nobody-", 1), encoding="utf-8"
    )
    cache_dir = tmp_path / "cache"
    with pytest.raises(DossierError) as uncached:
        load_dossier(synthetic)
    with pytest.raises(DossierError) as cold:
        load_dossier(synthetic, cache_dir)
    parse_calls.clear()
    with pytest.raises(DossierError) as warm:
        load_dossier(synthetic, cache_dir)
    assert parse_calls == []
    formatted = [p.format() for p in uncached.value.problems]
    assert [p.format() for p in cold.value.problems] == formatted
    assert [p.format() for p in warm.value.problems] == formatted
    assert any("event-3.yaml:2:" in line and "bad-date" in line for line in formatted)
    assert any("entity-30.yaml:" in line and "nobody-" in line for line in formatted)


def test_deleted_record_leaves_the_cache_and_the_dossier(synthetic, tmp_path):
    cache_dir = tmp_path / "cache"
    extra = synthetic / "sources" / "extra-source.yaml"
    extra.write_text("title: An extra source\nkind: report\n", encoding="utf-8")
    assert "extra-source" in load_dossier(synthetic, cache_dir).dossier.sources
    extra.unlink()
    assert "extra-source" not in load_dossier(synthetic, cache_dir).dossier.sources
    (cache_file,) = cache_dir.glob("records-*.pickle")
    shown_paths = [shown for _kind, shown in _stored_entries(cache_file)]
    assert len(shown_paths) == len(_record_files(synthetic))
    assert not any(shown.endswith("extra-source.yaml") for shown in shown_paths)


def test_parallel_parse_gives_the_same_result_as_serial(synthetic, monkeypatch):
    monkeypatch.setattr(cache_module, "PARALLEL_MIN_FILES_PER_WORKER", 10)
    serial = load_dossier(synthetic, workers=1)
    parallel = load_dossier(synthetic, workers=2)
    assert parallel.dossier.entities == serial.dossier.entities
    assert parallel.dossier.events == serial.dossier.events
    assert parallel.dossier.sources == serial.dossier.sources


class _RunsACommand:
    """Unpickling this runs a shell command: what a hostile pickle cache did before the cache was JSON."""

    def __init__(self, marker: Path):
        self.marker = marker

    def __reduce__(self):
        return (os.system, (f"touch {self.marker}",))


def _check_with_cache(project: Path) -> subprocess.CompletedProcess:
    root = Path(__file__).resolve().parent.parent
    return subprocess.run(
        [sys.executable, "-m", "generator", "check"],
        cwd=project,
        capture_output=True,
        text=True,
        env=dict(os.environ, PYTHONPATH=str(root)),
    )


@pytest.mark.parametrize("hostile", ["pickle-running-a-command", "garbage", "another-engines-cache"])
def test_hostile_cache_file_is_refused_with_a_message_and_rebuilt(tmp_path, hostile):
    project = tmp_path / "project"
    synth.write_dossier(40, project / "content")
    assert _check_with_cache(project).returncode == 0
    (cache_file,) = (project / ".build" / "cache").glob("records-*.pickle")
    marker = tmp_path / "the-cache-ran-a-command"
    payloads = {
        "pickle-running-a-command": pickle.dumps({"entries": _RunsACommand(marker)}),
        "garbage": bytes(range(256)) * 20,
        "another-engines-cache": pickle.dumps({"format": cache_module._FORMAT, "engine": "another", "entries": {}}),
    }
    cache_file.write_bytes(payloads[hostile])
    old_engine_file = cache_file.with_name("records-0123456789abcdef.pickle")
    old_engine_file.write_bytes(payloads["pickle-running-a-command"])  # an old engine's cache: never read

    result = _check_with_cache(project)
    assert result.returncode == 0, result.stdout + result.stderr
    assert not marker.exists(), "the cache ran a command"
    refusals = [line for line in result.stderr.splitlines() if "parse cache refused" in line]
    assert len(refusals) == 1 and str(cache_file) in refusals[0], result.stderr
    assert "every record is parsed again and the cache rewritten" in refusals[0]
    assert len(_stored_entries(cache_file)) == len(_record_files(project / "content")), "the cache was not rebuilt"
    assert not old_engine_file.exists(), "an old engine's cache was left beside it"
    again = _check_with_cache(project)
    assert "parse cache refused" not in again.stderr and again.stdout == result.stdout


def test_refused_cache_names_the_foreign_name(tmp_path, caplog):
    cache_dir = tmp_path / "cache"
    cache = cache_module.ParseCache(cache_dir)
    cache_dir.mkdir()
    marker = tmp_path / "ran"
    cache.file.write_bytes(pickle.dumps({"format": cache_module._FORMAT, "entries": _RunsACommand(marker)}))
    with caplog.at_level(logging.WARNING, logger="generator.cache"):
        reopened = cache_module.ParseCache(cache_dir)
    assert reopened.get("entity", "x.yaml", "key") is None and not marker.exists()
    (message,) = [record.getMessage() for record in caplog.records]
    assert message == (
        f"{cache.file}: parse cache refused: the file names '{os.system.__module__}.system', which is "
        "not one of the engine's record classes; every record is parsed again and the cache "
        "rewritten (nothing but the engine's record classes is ever built from it)"
    )


def test_cache_round_trip_keeps_every_value_of_a_phase_one_result(synthetic, tmp_path):
    from generator.loader import discover_record_files

    files, _problems = discover_record_files(synthetic)
    bad = synthetic / "events" / "event-3.yaml"  # a result with problems (an enum) and no record
    bad.write_text(bad.read_text(encoding="utf-8").replace("date: '", "date: 'soon", 1), encoding="utf-8")
    from generator.vocabulary import load_vocabulary

    vocabulary = load_vocabulary(synthetic)
    cache = cache_module.ParseCache(tmp_path / "cache", vocabulary.digest)
    results = cache_module.check_record_files(files, vocabulary, cache)
    assert any(checked is None or checked.problems for _problems, checked in results)
    entries = cache_module.read_entries(cache.file, cache.version)
    assert [entries[(kind, loader.display_path(path))][1] for kind, path in files] == results
