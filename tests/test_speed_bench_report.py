"""The benchmark's report: runs of different sizes merge into one table that keeps each run's date."""

from __future__ import annotations

import copy
import json
import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
import merge  # noqa: E402


def _single_size_reports() -> list[dict]:
    committed = json.loads((ROOT / "bench" / "results" / "latest.json").read_text(encoding="utf-8"))
    reports = []
    for index, size in enumerate(committed["sizes"]):
        report = copy.deepcopy(committed)
        report.update(date=f"2026-01-0{index + 1} 10:00 UTC", runs=index + 1, sizes=[size], notes=[], sections=[])
        reports.append(report)
    return reports


def test_merged_report_has_a_column_per_size_each_runs_date_and_the_notes(tmp_path):
    reports = _single_size_reports()
    paths = []
    for index, report in enumerate(reports):
        paths.append(tmp_path / f"r{index}.json")
        paths[-1].write_text(json.dumps(report), encoding="utf-8")
    assert (
        merge.main([*map(str, paths), "--note", "carried over from another run", "--out", str(tmp_path / "out")]) == 0
    )
    table = (tmp_path / "out" / "latest.md").read_text(encoding="utf-8")
    merged = json.loads((tmp_path / "out" / "latest.json").read_text(encoding="utf-8"))
    assert [size["records"] for size in merged["sizes"]] == [r["sizes"][0]["records"] for r in reports]
    header = next(line for line in table.splitlines() if line.startswith("| measure |"))
    assert header.count(" records |") == len(reports)
    assert "2026-01-01 10:00 UTC" in table and "1 run)" in table
    assert table.rstrip().endswith("carried over from another run")


def test_reports_of_one_size_join_into_one_column_and_sections_follow_the_notes(tmp_path):
    full, search = _single_size_reports()[0], _single_size_reports()[0]
    records = full["sizes"][0]["records"]
    full["sizes"][0].pop("search_first_result", None)
    search["date"] = "2026-01-09 10:00 UTC"
    search["sizes"][0] = {
        "records": records,
        "search_only": True,
        "seconds": {"pagefind_index": {"median": 4.25, "min": 4.0, "max": 4.5, "runs": 1}},
        "search_first_result": {"engine": "pagefind", "in_page_s": {"median": 0.31, "min": 0.3, "max": 0.4}},
    }
    full["sizes"][0]["seconds"].pop("pagefind_index", None)
    paths = [tmp_path / "full.json", tmp_path / "search.json", tmp_path / "compare.md"]
    paths[0].write_text(json.dumps(full), encoding="utf-8")
    paths[1].write_text(json.dumps(search), encoding="utf-8")
    paths[2].write_text("# Full build on every core\n\n| measure | 1,000 records |\n", encoding="utf-8")
    arguments = [str(paths[0]), str(paths[1]), "--section", str(paths[2]), "--out", str(tmp_path / "out")]
    assert merge.main(arguments) == 0
    merged = json.loads((tmp_path / "out" / "latest.json").read_text(encoding="utf-8"))
    assert [size["records"] for size in merged["sizes"]] == [records]
    size = merged["sizes"][0]
    assert size["seconds"]["full_build"] == full["sizes"][0]["seconds"]["full_build"]  # the first report's
    assert size["seconds"]["pagefind_index"]["median"] == 4.25  # filled from the second
    table = (tmp_path / "out" / "latest.md").read_text(encoding="utf-8")
    assert "| first search result after typing at once on page load (input event to result, in the page), " in table
    assert "pagefind 0.31 (0.30-0.40)" in table and "2026-01-09 10:00 UTC" in table
    assert table.rstrip().endswith("## Full build on every core\n\n| measure | 1,000 records |")


def test_search_only_bench_measures_both_engines_on_one_build(tmp_path):
    """`bench/run.py --search-only`: Pagefind and mkdocs-material's search, the same queries, no timing asserted."""
    import subprocess

    from reader_site import browser_or_skip

    browser_or_skip()
    result = subprocess.run(
        [sys.executable, "bench/run.py", "--sizes", "30", "--runs", "1", "--search-only", "--settle", "0.1"]
        + ["--names", "0", "--out", str(tmp_path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "Traceback" not in result.stderr, result.stderr[-3000:]  # the refused files of the other engine
    size = json.loads((tmp_path / "latest.json").read_text(encoding="utf-8"))["sizes"][0]
    pagefind, material = size["search_first_result"], size["search_first_result_material"]
    assert pagefind["engine"] == "pagefind" and material["engine"] == "material"
    # --names 0: no English name, the first entity's Russian and Chinese aliases alone
    assert set(pagefind["queries"]) == set(material["queries"]) and len(pagefind["queries"]) == 2
    assert any(ord(ch) > 0x3000 for query in pagefind["queries"] for ch in query)  # a Chinese alias among them
    assert any("\u0400" <= ch <= "\u04ff" for query in pagefind["queries"] for ch in query)  # and a Russian one
    for engine in (pagefind, material):  # typed at once on page load, and into a box opened a moment before
        assert engine["in_page_s"]["runs"] == engine["in_page_opened_s"]["runs"] == len(engine["queries"])
        assert engine["settle_s"] == 0.1  # --settle: the box was open 0.1 s, not the figures' 1 s
    assert size["pagefind_bundle"]["files"] > 10 and size["search_index_docs"] > 30
    table = (tmp_path / "latest.md").read_text(encoding="utf-8")
    for engine, label in (("pagefind", "site's search"), ("material", "mkdocs-material's search")):
        for when in (
            "after typing at once on page load (input event to result, in the page)",
            "after typing into the box opened 1 s before (input event to result, in the page)",
        ):
            assert f"| first search result {when}, {label}, Chromium (s) | {engine} " in table, (when, label)


def test_serve_only_bench_times_a_text_edit_and_a_name_change(tmp_path):
    """`bench/run.py --serve-only`: `mkdocs serve --dirty` as `make serve` runs it, both edits seen; no timing asserted."""
    import subprocess

    work = tmp_path / "work"
    result = subprocess.run(
        [sys.executable, "bench/run.py", "--sizes", "30", "--runs", "1", "--serve-only", "--settle", "0.3"]
        + ["--work-dir", str(work), "--out", str(tmp_path / "out")],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    size = json.loads((tmp_path / "out" / "latest.json").read_text(encoding="utf-8"))["sizes"][0]
    serve = size["serve_dirty"]
    assert serve["edit_to_reload_s"]["runs"] == serve["name_change_to_reload_s"]["runs"] == 1
    entities = sorted((work / "30" / "content" / "entities").glob("entity-*.yaml"))
    assert "\n  Editedserve" in entities[-2].read_text(encoding="utf-8")  # the description edit, in the file
    assert "name: 'Renamed serve" in entities[-1].read_text(encoding="utf-8")  # the name change
    table = (tmp_path / "out" / "latest.md").read_text(encoding="utf-8")
    for label in ("one record's text", "its name, on every page linking to it"):
        assert re.search(rf"\| edit-to-reload, serve --dirty: {label} \(s\) \| \d+\.\d\d \(", table), label


def test_preview_cpu_bench_times_both_edits_and_renders_only_what_they_reach(tmp_path):
    """`bench/preview_cpu.py`: a description edit renders its own page alone, a name change every page naming it."""
    import subprocess

    from conftest import load_synth

    content = tmp_path / "content"
    load_synth().write_dossier(30, content)
    out = tmp_path / "preview.json"
    result = subprocess.run(
        [sys.executable, "bench/preview_cpu.py", str(content), "--edits", "1", "--out", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    report = json.loads(out.read_text(encoding="utf-8"))
    assert report["first"]["record_pages_rendered"] == len(list(content.glob("*/*.yaml")))
    assert [run["record_pages_rendered"] for run in report["description"]] == [1]
    assert report["name"][0]["record_pages_rendered"] > 1
    assert all(run["load_cpu_s"] >= 0 and run["render_cpu_s"] > 0 for run in report["description"] + report["name"])


def test_search_queries_are_n_english_names_then_the_first_entitys_russian_and_chinese_aliases(tmp_path, monkeypatch):
    """`--names N`: the first N entities' English names (none with 0), then the first entity's two aliases."""
    sys.path.insert(0, str(ROOT / "bench"))
    import run
    import synth

    synth.write_dossier(30, tmp_path / "content")
    for count, english in ((0, 0), (1, 1), (3, 3)):
        monkeypatch.setattr(run, "SEARCH_NAMES", count)
        queries = run.search_queries(tmp_path)
        assert len(queries) == english + 2, (count, queries)
        assert all(query.isascii() for query in queries[:english])
        assert "\u0400" <= queries[english][0] <= "\u04ff" and ord(queries[english + 1][0]) > 0x3000, queries


def test_search_measure_says_when_a_page_never_received_its_search_index(tmp_path, monkeypatch, browser):
    """A page whose search index never arrives is not waited on for minutes: the typing fails at once with
    why (the search measure then starts it again on a new page, once, and reports the restart)."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout
    from reader_site import LoopbackServer

    sys.path.insert(0, str(ROOT / "bench"))
    import run

    (tmp_path / "index.html").write_text('<html><body><input class="md-search__input"></body></html>')
    monkeypatch.setattr(run, "RETYPE_AFTER_S", 0.3)
    missing = r"'Alibaba': no /search/search_index.json after 0.3 s"
    with LoopbackServer(tmp_path) as server, pytest.raises(run._NoIndex, match=missing):
        run._type_and_wait(browser, server.url, "material", "Alibaba", False, 0.1, PlaywrightTimeout)
