"""The parse cache: unchanged files are not parsed again; changed content, engine or damage invalidate it."""

from __future__ import annotations

import pickle
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
    assert [p.name for p in cache_dir.glob("records-*.pickle")] == ["records-another-engine.pickle"]


def test_damaged_cache_is_ignored(synthetic, tmp_path, parse_calls):
    cache_dir = tmp_path / "cache"
    load_dossier(synthetic, cache_dir)
    (cache_file,) = cache_dir.glob("records-*.pickle")
    cache_file.write_bytes(b"not a pickle at all")
    parse_calls.clear()
    result = load_dossier(synthetic, cache_dir)
    assert len(parse_calls) == len(_record_files(synthetic))
    assert result.counts["entities"] == len(list((synthetic / "entities").glob("*.yaml")))
    with open(cache_file, "rb") as stream:
        assert len(pickle.load(stream)) == len(_record_files(synthetic))


def test_errors_of_a_cached_bad_file_are_reported_again_with_positions(synthetic, tmp_path, parse_calls):
    bad = synthetic / "events" / "event-3.yaml"
    bad.write_text(bad.read_text(encoding="utf-8").replace("date: '", "date: 'soon", 1), encoding="utf-8")
    unknown = synthetic / "entities" / "entity-30.yaml"
    unknown.write_text(unknown.read_text(encoding="utf-8").replace("    target: entity-", "    target: nobody-", 1),
                       encoding="utf-8")
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
    with open(cache_file, "rb") as stream:
        shown_paths = [shown for _kind, shown in pickle.load(stream)]
    assert len(shown_paths) == len(_record_files(synthetic))
    assert not any(shown.endswith("extra-source.yaml") for shown in shown_paths)


def test_parallel_parse_gives_the_same_result_as_serial(synthetic, monkeypatch):
    monkeypatch.setattr(cache_module, "PARALLEL_MIN_FILES_PER_WORKER", 10)
    serial = load_dossier(synthetic, workers=1)
    parallel = load_dossier(synthetic, workers=2)
    assert parallel.dossier.entities == serial.dossier.entities
    assert parallel.dossier.events == serial.dossier.events
    assert parallel.dossier.sources == serial.dossier.sources
