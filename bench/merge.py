"""Merge benchmark reports of separate runs (say 1,000 records with 3 runs, 10,000 with 1) into one.

    python bench/merge.py A/latest.json B/latest.json [--note TEXT ...] [--out bench/results]

Sizes are taken in the order given; each report's date is kept beside its sizes, and the
notes say what else the reader should know (a figure carried over from another run, say).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from run import RESULTS, write_report  # noqa: E402


def _when(report: dict) -> str:
    sizes = ", ".join(f"{size['records']:,}" for size in report["sizes"])
    runs = report["runs"]
    return f"{report['date']} ({sizes} records, {runs} run{'s' if runs != 1 else ''})"


def merge(reports: list[dict], notes: list[str]) -> dict:
    merged = dict(reports[0])
    merged["date"] = "; ".join(_when(report) for report in reports)
    merged["sizes"] = [size for report in reports for size in report["sizes"]]
    merged["notes"] = [*merged.get("notes", []), *notes]
    return merged


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("reports", type=Path, nargs="+")
    parser.add_argument("--note", action="append", default=[])
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    report = merge([json.loads(path.read_text(encoding="utf-8")) for path in args.reports], args.note)
    write_report(report, args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
