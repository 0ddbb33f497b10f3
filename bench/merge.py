"""Merge benchmark reports of separate runs (say 1,000 records with 3 runs, 10,000 with 1) into one.

    python bench/merge.py A/latest.json B/latest.json [--note TEXT ...] [--section T.md ...] [--out bench/results]

Sizes are taken in the order given; each report's date is kept beside its sizes, and the
notes say what else the reader should know (a figure carried over from another run, say).
Reports of one size are joined: a figure the first does not hold is taken from the next (the
full run and a ``--search-only`` run of 1,000 records make one column). Each ``--section`` (the
``--build-compare`` table, say) is appended after the notes, as it is.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from run import RESULTS, write_report  # noqa: E402


def _when(report: dict) -> str:
    if "UTC (" in report["date"]:  # a merged report: its date already says when each size ran
        return report["date"]
    sizes = ", ".join(f"{size['records']:,}" for size in report["sizes"])
    runs = report["runs"]
    return f"{report['date']} ({sizes} records, {runs} run{'s' if runs != 1 else ''})"


def _join(first: dict, later: dict) -> dict:
    """``first`` with what it lacks taken from ``later``, key by key (nested tables too)."""
    joined = dict(first)
    for key, value in later.items():
        if key not in joined or joined[key] is None:
            joined[key] = value
        elif isinstance(joined[key], dict) and isinstance(value, dict):
            joined[key] = _join(joined[key], value)
    return joined


def merge(reports: list[dict], notes: list[str], sections: list[str] = ()) -> dict:
    merged = dict(reports[0])
    merged["date"] = "; ".join(_when(report) for report in reports)
    by_records: dict[int, dict] = {}
    for size in (size for report in reports for size in report["sizes"]):
        records = size["records"]
        by_records[records] = _join(by_records[records], size) if records in by_records else size
    merged["sizes"] = list(by_records.values())
    merged["notes"] = [*merged.get("notes", []), *notes]
    merged["sections"] = [*merged.get("sections", []), *sections]
    return merged


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("reports", type=Path, nargs="+")
    parser.add_argument("--note", action="append", default=[])
    parser.add_argument("--section", type=Path, action="append", default=[], help="a Markdown file to append")
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    sections = [path.read_text(encoding="utf-8") for path in args.section]
    report = merge([json.loads(path.read_text(encoding="utf-8")) for path in args.reports], args.note, sections)
    write_report(report, args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
