"""Measure the speed layer's choices at N records (small runs): what the safe forms cost.

    python bench/speed_layer.py --records 1000 --runs 3

* the parse cache: a warm ``load_dossier`` reading the JSON cache (refuses anything but the
  engine's classes), against the same entries stored as a pickle, and the cache file alone;
* the data files in a forked child while the pages render (one-off builds), against building
  them in the same process after the pages (what ``mkdocs serve`` rebuilds do now, since they
  never fork beside the server's threads).

Writes bench/results/speed-layer.json and speed-layer.md (median, min-max).
"""

from __future__ import annotations

import argparse
import json
import pickle
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
import synth  # noqa: E402

from generator import cache as cache_module, render  # noqa: E402
from generator.pipeline import load_dossier  # noqa: E402
from generator.render import Renderer  # noqa: E402


def _timed(function, runs: int) -> dict:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return {"median": round(statistics.median(times), 3), "min": round(min(times), 3), "max": round(max(times), 3)}


def measure(records: int, runs: int) -> dict:
    work = Path(tempfile.mkdtemp(prefix="speed-layer-"))
    content, cache_dir = work / "content", work / "cache"
    synth.write_dossier(records, content)
    load_dossier(content, cache_dir)  # cold: writes the JSON cache
    (cache_file,) = cache_dir.glob("records-*.json")
    fresh = cache_module.ParseCache(None)  # freshly parsed entries, sharing as the engine makes them
    from generator.loader import discover_record_files

    cache_module.check_record_files(discover_record_files(content)[0], fresh)
    entries = fresh._entries
    pickled = work / "records.pickle"
    pickled.write_bytes(pickle.dumps(entries, protocol=pickle.HIGHEST_PROTOCOL))
    figures = {
        "cache file, MB: JSON / pickle": [round(cache_file.stat().st_size / 1e6, 2), round(pickled.stat().st_size / 1e6, 2)],
        "read the cache file alone, JSON (s)": _timed(lambda: cache_module.ParseCache(cache_dir), runs),
        "read the cache file alone, pickle (s)": _timed(lambda: pickle.loads(pickled.read_bytes()), runs),
        "warm load_dossier, JSON cache (s)": _timed(lambda: load_dossier(content, cache_dir), runs),
    }
    original_read = cache_module.ParseCache._read
    cache_module.ParseCache._read = lambda self: pickle.loads(pickled.read_bytes())
    try:
        figures["warm load_dossier, pickle cache (s)"] = _timed(lambda: load_dossier(content, cache_dir), runs)
    finally:
        cache_module.ParseCache._read = original_read
    dossier = load_dossier(content, cache_dir).dossier
    site = {"name": "Bench", "url": "https://example.org/", "directory_urls": True}
    threshold = render.EXPORTS_IN_CHILD_MIN_RECORDS
    try:
        render.EXPORTS_IN_CHILD_MIN_RECORDS = 0
        figures["render all pages, data files in a forked child (s)"] = _timed(
            lambda: Renderer(dossier, site_meta=site).render_all(), runs)
        render.EXPORTS_IN_CHILD_MIN_RECORDS = 10**9
        figures["render all pages, data files in the same process (s)"] = _timed(
            lambda: Renderer(dossier, site_meta=site).render_all(), runs)
    finally:
        render.EXPORTS_IN_CHILD_MIN_RECORDS = threshold
    figures["data files alone (s)"] = _timed(lambda: render.build_exports(dossier, site), runs)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    figures = measure(args.records, args.runs)
    report = {"records": args.records, "runs": args.runs, "python": platform.python_version(),
              "machine": platform.processor() or platform.machine(), "figures": figures,
              "when": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())}
    results = ROOT / "bench" / "results"
    results.mkdir(parents=True, exist_ok=True)
    (results / "speed-layer.json").write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    lines = [f"# Speed layer at {args.records} records ({report['when']}, {args.runs} runs, median (min-max))", "",
             "| measure | value |", "|---|---|"]
    for name, value in figures.items():
        shown = (f"{value['median']} ({value['min']}-{value['max']})" if isinstance(value, dict)
                 else " / ".join(map(str, value)))
        lines.append(f"| {name} | {shown} |")
    (results / "speed-layer.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
