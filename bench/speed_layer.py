"""Measure the speed layer's choices at N records (small runs): what the safe forms cost.

    python bench/speed_layer.py --records 1000 --runs 3

* the parse cache: a cold ``load_dossier`` (no cache) and a warm one, and reading the cache
  file alone through the unpickler that builds only the engine's classes, against a plain
  (unsafe) ``pickle.load``;
* the data files in a forked child while the pages render (one-off builds), against building
  them in the same process after the pages (what ``mkdocs serve`` rebuilds do now, since they
  never fork beside the server's threads).

Writes bench/results/speed-layer.json and speed-layer.md (median, min-max).
"""

from __future__ import annotations

import argparse
import json
import os
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

from generator import build  # noqa: E402
from generator import cache as cache_module  # noqa: E402
from generator.build import SiteBuild  # noqa: E402
from generator.outputs.data_files import build_data_files  # noqa: E402
from generator.pipeline import load_dossier  # noqa: E402
from generator.settings import SiteSettings  # noqa: E402


def _timed(function, runs: int) -> dict:
    """Wall seconds (median, min, max) and this process's CPU seconds (median): on a busy machine
    the CPU time is the steadier figure, the wall time what a user waits."""
    times, cpu = [], []
    for _ in range(runs):
        start, start_cpu = time.perf_counter(), time.process_time()
        function()
        times.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    return {
        "median": round(statistics.median(times), 3),
        "min": round(min(times), 3),
        "max": round(max(times), 3),
        "cpu": round(statistics.median(cpu), 3),
    }


def measure(records: int, runs: int) -> dict:
    work = Path(tempfile.mkdtemp(prefix="speed-layer-"))
    content, cache_dir = work / "content", work / "cache"
    synth.write_dossier(records, content)
    figures = {"cold load_dossier, no cache (s)": _timed(lambda: load_dossier(content), runs)}
    load_dossier(content, cache_dir)  # cold: writes the cache
    (cache_file,) = cache_dir.glob("records-*.pickle")
    version = cache_file.stem.removeprefix("records-")  # the engine's and the vocabulary's digest
    figures["cache file (MB)"] = [round(cache_file.stat().st_size / 1e6, 2)]
    figures["read the cache file, engine classes only (s)"] = _timed(
        lambda: cache_module.read_entries(cache_file, version), runs
    )
    figures["read the cache file, plain pickle.load, unsafe (s)"] = _timed(
        lambda: pickle.loads(cache_file.read_bytes()), runs
    )
    figures["warm load_dossier (s)"] = _timed(lambda: load_dossier(content, cache_dir), runs)
    dossier = load_dossier(content, cache_dir).dossier
    site = SiteSettings(name="Bench", site_url="https://example.org/", directory_urls=True)
    threshold = build.EXPORTS_IN_CHILD_MIN_RECORDS
    forked, in_process = [], []
    try:
        SiteBuild(dossier, settings=site).render_all()  # warm-up: templates compiled, followthemoney imported
        for _ in range(runs):  # alternated, so that a change in the machine's load hits both alike
            build.EXPORTS_IN_CHILD_MIN_RECORDS = 0
            forked.append(_timed(lambda: SiteBuild(dossier, settings=site).render_all(), 1))
            build.EXPORTS_IN_CHILD_MIN_RECORDS = 10**9
            in_process.append(_timed(lambda: SiteBuild(dossier, settings=site).render_all(), 1))
    finally:
        build.EXPORTS_IN_CHILD_MIN_RECORDS = threshold
    for name, timings in (
        ("render all pages, data files in a forked child (s)", forked),
        ("render all pages, data files in the same process (s)", in_process),
    ):
        walls = [t["median"] for t in timings]
        figures[name] = {
            "median": round(statistics.median(walls), 3),
            "min": min(walls),
            "max": max(walls),
            "cpu": round(statistics.median(t["cpu"] for t in timings), 3),
        }
    figures["data files alone (s)"] = _timed(lambda: build_data_files(dossier, site), runs)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    figures = measure(args.records, args.runs)
    report = {
        "records": args.records,
        "runs": args.runs,
        "python": platform.python_version(),
        "machine": platform.processor() or platform.machine(),
        "figures": figures,
        "when": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
    }
    results = ROOT / "bench" / "results"
    results.mkdir(parents=True, exist_ok=True)
    report["load average"] = round(os.getloadavg()[0], 1)
    (results / "speed-layer.json").write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    load = os.getloadavg()[0]
    report["load average"] = round(load, 1)
    lines = [
        f"# Speed layer at {args.records} records ({report['when']}, {args.runs} runs, load average "
        f"{load:.1f} on {os.cpu_count()} cores)",
        "",
        "| measure | wall: median (min-max) | CPU of this process: median |",
        "|---|---|---|",
    ]
    for name, value in figures.items():
        if isinstance(value, dict):
            lines.append(f"| {name} | {value['median']} ({value['min']}-{value['max']}) | {value['cpu']} |")
        else:
            lines.append(f"| {name} | {' / '.join(map(str, value))} | |")
    (results / "speed-layer.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
