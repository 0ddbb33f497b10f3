"""The benchmark's report: runs of different sizes merge into one table that keeps each run's date."""

from __future__ import annotations

import copy
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
import merge  # noqa: E402


def _single_size_reports() -> list[dict]:
    committed = json.loads((ROOT / "bench" / "results" / "latest.json").read_text(encoding="utf-8"))
    reports = []
    for index, size in enumerate(committed["sizes"]):
        report = copy.deepcopy(committed)
        report.update(date=f"2026-01-0{index + 1} 10:00 UTC", runs=index + 1, sizes=[size], notes=[])
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
