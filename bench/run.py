"""Benchmark the dossier engine and the site build on synthetic dossiers of N records.

    python bench/run.py --sizes 1000 10000 --runs 3        (or: make bench)

For each size it writes a synthetic dossier (bench/synth.py) into .build/bench/<N>/ with a copy
of the project's mkdocs.yml and theme, then measures, ``--runs`` times each, as the user would
run them (separate processes, interpreter start-up included):

* check: ``python -m generator check``, cold (no parse cache) and warm (cache, nothing changed);
* generate: ``python -m generator build --out``, cold, warm with nothing changed, warm with
  one record changed (and how many files each writes);
* the full build (``make site``'s steps: check, then ``mkdocs build --strict`` with the plugin),
  with a cold parse cache;
* the floor: plain ``mkdocs build`` of the same generated Markdown tree, no dossier plugin;
* peak memory (max RSS of each child process, from ``os.wait4``), site size, search index size;
* edit-to-reload under ``mkdocs serve --dirty``: change one record, poll its page until the
  change is served;
* time to the first search result in headless Chromium (Playwright driving the browser
  scripts/find_browser.py finds), for the site's search (Pagefind, indexed after the build) and for
  mkdocs-material's search on the floor site (the same pages, with mkdocs-material's search plugin
  as before Pagefind): several queries (English names, Cyrillic and Chinese aliases), each in a
  fresh browser context, timed from typing to the first result drawn; the median over the queries.

``--build-compare`` measures only the full build's MkDocs step, serial (one worker: MkDocs' own
build) against parallel (generator/mkdocs_parallel.py, one worker a core), alternating, with wall
and CPU seconds and the peak memory of the whole process tree (the sum of the processes' RSS and
of their PSS, which counts pages shared after fork once), beside the floor; it writes
bench/results/build/latest.{json,md}.

Results go to bench/results/latest.json and bench/results/latest.md, as median and spread
(min-max).  The machine is described in both, since figures mean little without it.
"""

from __future__ import annotations

import argparse
import datetime
import importlib.util
import json
import os
import platform
import re
import shutil
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
import synth  # noqa: E402

RESULTS = ROOT / "bench" / "results"
WORK = ROOT / ".build" / "bench"  # --work-dir
#: The pauses before timed steps: the search box open before typing, the file watcher between edits (--settle).
SEARCH_SETTLE_S = 1.0
WATCHER_SETTLE_S = 1.5
#: Seconds without a first search result after which the benchmark presses a key in the box again.
RETYPE_AFTER_S = 30
ENV = dict(os.environ, NO_MKDOCS_2_WARNING="1", PYTHONDONTWRITEBYTECODE="1")


def run_child(args: list[str], cwd: Path) -> tuple[float, int, str]:
    """Run a command; return (wall seconds, peak RSS in MiB, output).  Raises on failure."""
    log = cwd / ".bench-child.log"
    with open(log, "wb") as out:
        start = time.perf_counter()
        process = subprocess.Popen(args, cwd=cwd, env=ENV, stdout=out, stderr=subprocess.STDOUT)
        _pid, status, usage = os.wait4(process.pid, 0)
        elapsed = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    text = log.read_text(errors="replace")
    if process.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} failed ({process.returncode}):\n{text[-3000:]}")
    return elapsed, usage.ru_maxrss // 1024, text


def _tree_memory(root: int) -> tuple[int, int]:
    """(sum of RSS, sum of PSS) in KiB of ``root`` and all its descendants, from /proc."""
    pids, rss, pss = [root], 0, 0
    while pids:
        pid = pids.pop()
        try:
            for task in os.listdir(f"/proc/{pid}/task"):
                with open(f"/proc/{pid}/task/{task}/children") as stream:
                    pids.extend(int(child) for child in stream.read().split())
            with open(f"/proc/{pid}/smaps_rollup") as stream:
                for line in stream:
                    if line.startswith("Rss:"):
                        rss += int(line.split()[1])
                    elif line.startswith("Pss:"):
                        pss += int(line.split()[1])
        except (OSError, ValueError):  # the process ended meanwhile
            continue
    return rss, pss


def run_sampled(args: list[str], cwd: Path, env: dict) -> dict:
    """Run a command; wall and CPU seconds (its own and its waited children's) and the peak memory
    of its whole process tree, sampled every 0.1 s.  Raises on failure."""
    log = cwd / ".bench-child.log"
    peaks = {"rss": 0, "pss": 0}
    with open(log, "wb") as out:
        start = time.perf_counter()
        process = subprocess.Popen(args, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT)
        done = threading.Event()

        def sample() -> None:
            while not done.wait(0.1):
                rss, pss = _tree_memory(process.pid)
                peaks["rss"], peaks["pss"] = max(peaks["rss"], rss), max(peaks["pss"], pss)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        _pid, status, usage = os.wait4(process.pid, 0)
        elapsed = time.perf_counter() - start
        done.set()
        sampler.join()
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"{' '.join(args)} failed:\n{log.read_text(errors='replace')[-3000:]}")
    text = log.read_text(errors="replace")
    workers = re.search(r"Workers' CPU seconds: ([\d., ]+)", text)
    cpu = usage.ru_utime + usage.ru_stime
    worker_cpu = [float(x) for x in workers.group(1).split(", ")] if workers else []
    return {
        "wall_s": elapsed,
        # What the wall time would be with a free core for each process: this process's own CPU
        # seconds, then the slowest worker's (the workers run side by side).
        "critical_path_cpu_s": cpu - sum(worker_cpu) + max(worker_cpu, default=0.0),
        "cpu_s": cpu,
        "max_rss_one_process_mib": usage.ru_maxrss // 1024,
        "peak_rss_sum_mib": peaks["rss"] // 1024,
        "peak_pss_sum_mib": peaks["pss"] // 1024,
        "load_average": os.getloadavg()[0],
    }


def bench_build_compare(
    size: int, runs: int, workers: int, modes: tuple[str, ...] = ("serial", "parallel", "floor")
) -> dict:
    """The full build's MkDocs step, serial against parallel, alternating; the floor once (``modes``: which)."""
    work = ROOT / ".build" / "bench" / str(size)
    print(f"== build compare, {size} records in {work}", flush=True)
    prepare(size, work)
    py = sys.executable
    env = dict(ENV, SOURCE_DATE_EPOCH="1700000000", PYTHONHASHSEED="0")
    measured: dict[str, list[dict]] = {"serial": [], "parallel": [], "floor": []}
    check = run_sampled([py, "-m", "generator", "check", "--content", "content"], work, env)
    for run in range(runs):
        order = ("serial", "parallel") if run % 2 == 0 else ("parallel", "serial")
        for mode in (mode for mode in order if mode in modes):
            shutil.rmtree(work / ".build" / "cache", ignore_errors=True)  # cold, as in a fresh clone
            count = 1 if mode == "serial" else workers
            figures = run_sampled(
                [py, "-m", "generator.mkdocs_parallel", "build", "--strict", "--site-dir", f"site-{mode}"],
                work,
                dict(env, DOSSIER_BUILD_WORKERS=str(count)),
            )
            measured[mode].append(figures)
            print(f"   {mode} ({count}): {figures}", flush=True)
    identical = _same_tree(work / "site-serial", work / "site-parallel")
    subprocess.run(
        [py, "-m", "generator", "build", "--content", "content", "--out", "md"], cwd=work, env=env, check=True
    )
    write_floor_config(work)
    measured["floor"].append(run_sampled([py, "-m", "mkdocs", "build", "-f", "mkdocs-floor.yml"], work, env))
    print(f"   floor: {measured['floor'][0]}", flush=True)
    pages = sum(1 for _ in (work / "site-parallel").rglob("index.html"))
    result = {"records": size, "html_pages": pages, "workers": workers, "byte_identical": identical}
    result["check_s"] = round(check["wall_s"], 2)
    for mode, values in measured.items():
        if not values:
            continue
        result[mode] = {
            key: summary([v[key] for v in values])
            for key in (
                "wall_s",
                "cpu_s",
                "critical_path_cpu_s",
                "peak_rss_sum_mib",
                "peak_pss_sum_mib",
                "max_rss_one_process_mib",
            )
        }
        result[mode]["load_average"] = [round(v["load_average"], 1) for v in values]
    if "serial" in result and "parallel" in result:
        result["speed_up"] = round(result["serial"]["wall_s"]["median"] / result["parallel"]["wall_s"]["median"], 2)
        result["speed_up_critical_path"] = round(
            result["serial"]["critical_path_cpu_s"]["median"] / result["parallel"]["critical_path_cpu_s"]["median"], 2
        )
    return result


def _same_tree(first: Path, second: Path) -> bool:
    names = sorted(p.relative_to(first) for p in first.rglob("*") if p.is_file())
    if names != sorted(p.relative_to(second) for p in second.rglob("*") if p.is_file()):
        return False
    return all((first / name).read_bytes() == (second / name).read_bytes() for name in names)


def build_compare_table(report: dict) -> str:
    sizes = report["sizes"]
    machine = report["machine"]
    lines = [
        f"# Full build on every core, {report['date']}",
        "",
        f"Machine: {machine['cpu']}, {machine['cores']} cores, {machine['memory_gib']} GiB; Python "
        f"{machine['python']}; load average at start {', '.join(f'{x:.1f}' for x in machine['load_average'])} "
        "(a machine shared with other builds: wall seconds are noisy, CPU seconds steadier).",
        "",
        "The MkDocs step of the full build (`python -m generator.mkdocs_parallel build --strict`, cold parse "
        "cache), serial (1 worker: MkDocs' own build) and parallel, alternating; median (min-max). Memory: "
        "peak over the build of the sum over its processes, sampled every 0.1 s (RSS counts pages shared "
        "after fork in every process; PSS shares them out).",
        "",
        "| measure | "
        + " | ".join(f"{r['records']:,} records ({r['serial']['wall_s']['runs']} runs)" for r in sizes)
        + " |",
        "|---|" + "---|" * len(sizes),
    ]

    def cell(figures: dict, fmt: str = "{:.1f}") -> str:
        if figures["runs"] == 1:
            return fmt.format(figures["median"])
        return f"{fmt.format(figures['median'])} ({fmt.format(figures['min'])}-{fmt.format(figures['max'])})"

    for label, render in (
        ("HTML pages; workers", lambda r: f"{r['html_pages']:,}; {r['workers']}"),
        ("check step (s)", lambda r: f"{r['check_s']:.1f}"),
        ("serial: wall (s)", lambda r: cell(r["serial"]["wall_s"])),
        ("parallel: wall (s)", lambda r: cell(r["parallel"]["wall_s"])),
        ("speed-up, serial / parallel wall", lambda r: f"{r['speed_up']:.2f}"),
        ("serial: CPU (s)", lambda r: cell(r["serial"]["cpu_s"])),
        (
            "parallel: critical path, CPU of the parent + the slowest worker (s)",
            lambda r: cell(r["parallel"]["critical_path_cpu_s"]),
        ),
        ("speed-up on free cores, serial CPU / critical path", lambda r: f"{r['speed_up_critical_path']:.2f}"),
        ("parallel: CPU, all processes (s)", lambda r: cell(r["parallel"]["cpu_s"])),
        (
            "floor, plain mkdocs build: wall / CPU (s)",
            lambda r: f"{cell(r['floor']['wall_s'])} / {cell(r['floor']['cpu_s'])}",
        ),
        (
            "peak memory, sum of RSS: serial / parallel / floor (MiB)",
            lambda r: " / ".join(
                cell(r[m]["peak_rss_sum_mib"], "{:.0f}") if m in r else "-" for m in ("serial", "parallel", "floor")
            ),
        ),
        (
            "peak memory, sum of PSS: serial / parallel / floor (MiB)",
            lambda r: " / ".join(
                cell(r[m]["peak_pss_sum_mib"], "{:.0f}") if m in r else "-" for m in ("serial", "parallel", "floor")
            ),
        ),
        (
            "load average (1 min) at each run's end: serial; parallel",
            lambda r: f"{r['serial']['load_average']}; {r['parallel']['load_average']}",
        ),
        (
            "parallel site byte-identical to serial",
            lambda r: {True: "yes", False: "NO", None: "-"}[r["byte_identical"]],
        ),
    ):
        lines.append(f"| {label} | " + " | ".join(_or_dash(render, r) for r in sizes) + " |")
    return "\n".join([*lines, *_notes_and_sections(report)]) + "\n"


def _notes_and_sections(report: dict) -> list[str]:
    """The report's notes, then its sections (bench/merge.py --section), each title one level down."""
    lines = []
    for note in report.get("notes", []):
        lines.extend(["", note])
    for section in report.get("sections", []):
        text = section.rstrip()
        lines.extend(["", "#" + text if text.startswith("# ") else text])
    return lines


def _or_dash(render, result) -> str:
    try:
        return render(result)
    except (KeyError, TypeError):  # a mode not measured at this size
        return "-"


def summary(values: list[float]) -> dict:
    return {
        "median": round(statistics.median(values), 3),
        "min": round(min(values), 3),
        "max": round(max(values), 3),
        "runs": len(values),
    }


def folder_bytes(folder: Path) -> int:
    return sum(path.stat().st_size for path in folder.rglob("*") if path.is_file())


class _MkDocsConfigLoader(yaml.SafeLoader):
    """mkdocs.yml as MkDocs reads it: ``!ENV`` takes the variable's value (yaml_env_tag, MkDocs' own)."""


def load_config(path: Path) -> dict:
    import yaml_env_tag

    _MkDocsConfigLoader.add_constructor("!ENV", yaml_env_tag.construct_env_tag)
    return yaml.load(path.read_text(encoding="utf-8"), Loader=_MkDocsConfigLoader)


def prepare(size: int, work: Path) -> None:
    """The synthetic project: content/, a copy of mkdocs.yml and theme/, and a plain-MkDocs twin."""
    if work.exists():
        shutil.rmtree(work)
    work.mkdir(parents=True)
    synth.write_dossier(size, work / "content")
    shutil.copy(ROOT / "mkdocs.yml", work / "mkdocs.yml")
    shutil.copytree(ROOT / "theme", work / "theme")
    config = load_config(ROOT / "mkdocs.yml")
    templates = next(
        (
            p["dossier"].get("templates_dir")
            for p in config.get("plugins", [])
            if isinstance(p, dict) and "dossier" in p and p["dossier"]
        ),
        None,
    )
    if templates:
        shutil.copytree(ROOT / templates, work / templates)


def write_floor_config(work: Path) -> None:
    """mkdocs.yml for the floor: the generated Markdown tree, same theme, no dossier plugin."""
    sys.path.insert(0, str(ROOT))
    from generator.build import SiteBuild
    from generator.pipeline import load_dossier

    config = load_config(work / "mkdocs.yml")
    config["docs_dir"] = "md"
    config["site_dir"] = "site-floor"
    if not config.get("repo_url"):
        config["edit_uri"] = ""  # as the dossier plugin does: no edit links without a repository
    config["plugins"] = [
        p for p in config.get("plugins", []) if not (isinstance(p, dict) and "dossier" in p) and p != "dossier"
    ]
    if not any(p == "search" or (isinstance(p, dict) and "search" in p) for p in config["plugins"]):
        config["plugins"].insert(0, MATERIAL_SEARCH)  # the search the site had before Pagefind, to compare
    cwd = os.getcwd()
    os.chdir(work)
    try:
        config["nav"] = SiteBuild(load_dossier(Path("content")).dossier).navigation()
    finally:
        os.chdir(cwd)
    (work / "mkdocs-floor.yml").write_text(
        yaml.safe_dump(config, allow_unicode=True, sort_keys=False), encoding="utf-8"
    )


#: mkdocs-material's search as the site configured it before Pagefind (the floor site uses it): jieba's
#: zero-width spaces split words, a title weighs as text.
MATERIAL_SEARCH = {
    "search": {"separator": "[\\s\\u200b\\-]+", "fields": {"title": {"boost": 1}}, "lang": ["en", "ru", "zh"]}
}

#: How to type into each engine's search box and recognise its first result.
SEARCH_UI = {
    "pagefind": ("input[data-dossier-search=query]", ".dossier-search .md-search-result__item a[href]"),
    "material": ("input.md-search__input", ".md-search-result__item"),
}


def change_one_record(work: Path, tag: str) -> tuple[str, str]:
    """Rename the last entity; returns (its page path, the new name)."""
    path = sorted((work / "content" / "entities").glob("entity-*.yaml"))[-1]
    text = path.read_text(encoding="utf-8")
    new_name = f"Renamed {tag}"
    text = re.sub(r"^name: .*$", f"name: '{new_name}'", text, count=1, flags=re.MULTILINE)
    path.write_text(text, encoding="utf-8")
    return f"entities/{path.stem}/", new_name


def edit_one_description(work: Path, tag: str) -> tuple[str, str]:
    """Put a new first word in the description of the last entity but one (text only its own page shows);
    returns (its page path, the word)."""
    path = sorted((work / "content" / "entities").glob("entity-*.yaml"))[-2]
    word = "Edited" + re.sub(r"\W", "", tag)
    text = re.sub(
        r"^description: >-\n  (?:Edited\w+ )?",
        f"description: >-\n  {word} ",
        path.read_text(encoding="utf-8"),
        count=1,
        flags=re.MULTILINE,
    )
    if word not in text:
        raise RuntimeError(f"{path}: no folded description to edit")
    path.write_text(text, encoding="utf-8")
    return f"entities/{path.stem}/", word


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def fetch(url: str) -> str | None:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.read().decode("utf-8", "replace")
    except OSError:
        return None


def measure_serve(work: Path, runs: int, dirty: bool, startup_timeout: float) -> dict:
    """Edit-to-reload: seconds from a record's change to the served page showing it.

    Two changes, each ``runs`` times: an edit to one record's text that only its page shows (its
    description), and a change of its name, which every page linking to it shows (link text and
    hover previews): the first a record's own page, the second the pages a rename reaches.
    """
    port = free_port()
    args = [sys.executable, "-m", "mkdocs", "serve", "-a", f"127.0.0.1:{port}"]  # livereload on: it does the watching
    if dirty:
        args += ["--dirty"]  # as `make serve` runs it: strict, the plugin shows the dirty-build warning as information
    log = open(work / ".bench-serve.log", "wb")  # noqa: SIM115 (closed in the finally below, with the process)
    process = subprocess.Popen(args, cwd=work, env=ENV, stdout=log, stderr=subprocess.STDOUT)
    try:
        site_url = load_config(work / "mkdocs.yml").get("site_url") or "/"
        mount = urllib.parse.urlparse(site_url).path or "/"  # serve mounts the site at site_url's path
        base = f"http://127.0.0.1:{port}{mount if mount.endswith('/') else mount + '/'}"
        start = time.perf_counter()
        while fetch(base) is None:
            if process.poll() is not None or time.perf_counter() - start > startup_timeout:
                raise RuntimeError("mkdocs serve did not start:\n" + (work / ".bench-serve.log").read_text()[-3000:])
            time.sleep(0.5)
        first_build = time.perf_counter() - start
        times: dict[str, list[float]] = {"text": [], "name": []}
        for run in range(runs):
            for change, edit in (("text", edit_one_description), ("name", change_one_record)):
                time.sleep(WATCHER_SETTLE_S)  # let the watcher settle
                page, shown = edit(work, f"serve {'dirty' if dirty else 'clean'} {run} {time.time():.0f}")
                changed = time.perf_counter()
                while True:
                    text = fetch(base + page)
                    if text and shown in text:
                        break
                    if time.perf_counter() - changed > startup_timeout:
                        raise RuntimeError(f"the {change} change never showed")
                    time.sleep(0.05)
                times[change].append(time.perf_counter() - changed)
        return {
            "first_build_s": round(first_build, 2),
            "edit_to_reload_s": summary(times["text"]),
            "name_change_to_reload_s": summary(times["name"]),
        }
    finally:
        process.terminate()
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


def measure_search(
    site: Path, queries: list[str], engine: str = "material", runs: int = 1, settle_s: float | None = None
) -> dict:
    """Seconds from typing each query into the search box to its first result, headless Chromium.

    Each query is typed twice, each time in a fresh browser context (nothing cached) on a freshly
    loaded home page: once as soon as the page has loaded (the time includes loading whatever the
    engine needs: Pagefind its script, WebAssembly and the index chunks for the query,
    mkdocs-material the whole index, built in a worker), and once after the search box has been
    clicked open and ``settle_s`` seconds have passed, as a reader does (each engine may use that
    time to get ready).  The time that counts is measured in the page, from the input event to the
    first result in the document, without the driver's round trips (which a loaded machine makes long).
    """
    settle_s = SEARCH_SETTLE_S if settle_s is None else settle_s
    try:
        from playwright.sync_api import TimeoutError as PlaywrightTimeout
        from playwright.sync_api import sync_playwright
    except ImportError:
        return {"skipped": "playwright is not installed"}
    spec = importlib.util.spec_from_file_location("find_browser", ROOT / "scripts" / "find_browser.py")
    find_browser = sys.modules.setdefault("find_browser", importlib.util.module_from_spec(spec))
    spec.loader.exec_module(find_browser)  # registered first: dataclasses look their module up there
    try:
        launch_options = find_browser.find_browser().launch_options()
    except find_browser.BrowserNotFound as problem:
        return {"skipped": str(problem)}
    sys.path.insert(0, str(ROOT / "scripts"))
    from check_links import LoopbackServer  # quiet, also about requests a page abandons (the other engine's)

    from_typing, from_load, in_page, in_page_opened, per_query = [], [], [], [], {}
    retyped, restarts = 0, []
    with LoopbackServer(site) as server, sync_playwright() as playwright:
        url = server.url
        browser = playwright.chromium.launch(**launch_options)
        for query in queries * runs:
            for opened in (False, True):
                for attempt in (1, 2):
                    try:
                        loaded, typed, done, marks, retyped_here = _type_and_wait(
                            browser, url, engine, query, opened, settle_s, PlaywrightTimeout
                        )
                        break
                    except _Stuck as problem:
                        # The page never received its engine's index (a request lost on a loaded
                        # machine), or never answered (seen once, cause unknown): a new page, once,
                        # and the report keeps why.
                        restarts.append(str(problem))
                        if attempt == 2:
                            raise
                retyped += retyped_here
                if opened:
                    in_page_opened.append((marks["first"] - marks["input"]) / 1000)
                    continue
                in_page.append((marks["first"] - marks["input"]) / 1000)
                from_typing.append(done - typed)
                from_load.append(done - loaded)
                per_query.setdefault(query, []).append(round((marks["first"] - marks["input"]) / 1000, 3))
        browser.close()
    return {
        "engine": engine,
        "queries": per_query,
        "settle_s": settle_s,
        "retyped": retyped,
        "restarts": restarts,
        "in_page_s": summary(in_page),
        "in_page_opened_s": summary(in_page_opened),
        "from_typing_s": summary(from_typing),
        "from_page_load_s": summary(from_load),
        "load_average": os.getloadavg(),
    }


#: The file each engine's search cannot answer without: Pagefind's script, mkdocs-material's index.
SEARCH_INDEX = {"pagefind": "/pagefind/pagefind.js", "material": "/search/search_index.json"}


class _Stuck(Exception):
    """The page's search gave no first result: why, in words."""


class _NoIndex(_Stuck):
    """The page never received its search engine's index."""


def _type_and_wait(browser, url: str, engine: str, query: str, opened: bool, settle_s: float, timeout_error):
    """One typing of ``query`` in a fresh browser context, on a freshly loaded page: its marks and times.

    Returns (loaded, typed, done, marks, retyped): perf_counter seconds at page load, typing and first
    result, the page's own marks (``input`` and ``first``, ms) and whether a key had to be pressed again.
    """
    box, first_result = SEARCH_UI[engine]
    context = browser.new_context()
    try:
        # A site with both searches (--search-only): the other engine's files are refused, so
        # that it neither loads nor competes for the CPU.
        other = "**/search/search_index.json" if engine == "pagefind" else "**/pagefind/**"
        context.route(other, lambda route: route.abort())
        page = context.new_page()
        index, failed = [], []
        page.on("response", lambda r: r.ok and r.url.endswith(SEARCH_INDEX[engine]) and index.append(r.url))
        page.on("requestfailed", lambda r: failed.append(f"{r.url}: {r.failure}"))
        page.on("console", lambda message: message.type == "error" and failed.append(f"console: {message.text}"))
        loaded = time.perf_counter()
        page.goto(url, wait_until="load")
        page.evaluate(
            """([box, first]) => {
            window.__searchTimes = {};
            document.querySelector(box).addEventListener("input", () => {
                window.__searchTimes.input = window.__searchTimes.input || performance.now(); }, true);
            new MutationObserver(() => {
                if (!window.__searchTimes.first && document.querySelector(first))
                    window.__searchTimes.first = performance.now();
            }).observe(document.body, {subtree: true, childList: true});
        }""",
            [box, first_result],
        )
        if opened:
            page.click(box)
            page.wait_for_timeout(settle_s * 1000)
        typed = time.perf_counter()
        page.fill(box, query)
        if engine == "material":  # it reads the query on focus and keyup, not on input
            page.press(box, "End")
        retyped = 0
        try:
            page.wait_for_selector(first_result, timeout=RETYPE_AFTER_S * 1000)
        except timeout_error:
            if not index:
                raise _NoIndex(
                    f"{query!r}: no {SEARCH_INDEX[engine]} after {RETYPE_AFTER_S} s; failed: {failed}"
                ) from None
            # Once, on a loaded machine, mkdocs-material's search never answered a query typed before
            # its index was ready: a key pressed again asks it again, and the figure counts the whole
            # wait; the report says how often it was needed.
            retyped = 1
            page.press(box, "End")
            try:
                page.wait_for_selector(first_result, timeout=300_000)
            except timeout_error:
                raise _Stuck(f"{query!r}: no first result after 300 s more; failed: {failed}") from None
        done = time.perf_counter()
        return loaded, typed, done, page.evaluate("window.__searchTimes"), retyped
    finally:
        context.close()


SEARCH_NAMES = 3  # English names among the search queries; --names sets it


def search_queries(work: Path) -> list[str]:
    """English names of the first ``SEARCH_NAMES`` entities (none with 0), then the first entity's Cyrillic
    and Chinese aliases."""
    count = SEARCH_NAMES
    records = [
        yaml.safe_load(path.read_text(encoding="utf-8"))
        for path in sorted((work / "content" / "entities").glob("entity-*.yaml"))[: max(count, 1)]
    ]
    queries = [record["name"].split()[0] for record in records[:count]]
    queries += [alias["name"] for alias in records[0].get("aliases", [])][:2]
    return list(dict.fromkeys(queries))


def pagefind_bundle(site: Path) -> dict:
    folder = site / "pagefind"
    files = [path for path in folder.rglob("*") if path.is_file()] if folder.is_dir() else []
    return {"bytes": sum(path.stat().st_size for path in files), "files": len(files)}


def bench_search_only(size: int, work: Path, runs: int) -> dict:
    """One build with both searches (Pagefind from the dossier plugin, mkdocs-material's search plugin),
    then the first result of each in Chromium: the comparison without the other measures' builds."""
    config = load_config(work / "mkdocs.yml")
    config["plugins"].insert(0, MATERIAL_SEARCH)
    (work / "mkdocs-search.yml").write_text(
        yaml.safe_dump(config, allow_unicode=True, sort_keys=False), encoding="utf-8"
    )
    site = work / "site-search"
    seconds, peak, _ = run_child(
        [sys.executable, "-m", "mkdocs", "build", "-f", "mkdocs-search.yml", "--site-dir", str(site)], work
    )
    print(f"   build with both searches: {seconds:.1f} s, {peak} MiB", flush=True)
    sys.path.insert(0, str(ROOT))
    from generator.search import pagefind_command

    index_seconds, _, _ = run_child(pagefind_command(site), work)
    index = site / "search" / "search_index.json"
    result = {
        "records": size,
        "search_only": True,
        "html_pages": sum(1 for _ in site.rglob("*.html")),
        "seconds": {"build_both_searches": summary([seconds]), "pagefind_index": summary([index_seconds])},
        "peak_rss_mib": {},
        "files_written": {},
        "site_bytes": folder_bytes(site),
        "search_index_bytes": index.stat().st_size,
        "search_index_docs": len(json.loads(index.read_text())["docs"]),
        "pagefind_bundle": pagefind_bundle(site),
    }
    queries = search_queries(work)
    for key, engine in (("search_first_result", "pagefind"), ("search_first_result_material", "material")):
        try:
            result[key] = measure_search(site, queries, engine, runs)
        except Exception as error:  # noqa: BLE001 - a browser failure must not lose the other figures
            result[key] = {"engine": engine, "error": str(error)[:2000]}
        print(f"   search ({engine}): {result[key]}", flush=True)
    return result


def bench_size(
    size: int,
    runs: int,
    serve: bool,
    browser: bool,
    site_build: bool = True,
    search_only: bool = False,
    serve_only: bool = False,
) -> dict:
    work = WORK / str(size)
    print(f"== {size} records in {work}", flush=True)
    prepare(size, work)
    if search_only:
        return bench_search_only(size, work, runs)
    if serve_only:  # the first serve build is a full build: at 10,000 records, over ten minutes
        serve_dirty = measure_serve(work, runs, True, 600 + size * 0.3)
        return {"records": size, "serve_dirty": serve_dirty, "seconds": {}, "peak_rss_mib": {}, "files_written": {}}
    py = sys.executable
    cache = work / ".build" / "cache"
    timings: dict[str, list[float]] = {}
    peaks: dict[str, list[int]] = {}
    written: dict[str, list[int]] = {}

    def timed(name: str, args: list[str]) -> str:
        seconds, peak, output = run_child(args, work)
        timings.setdefault(name, []).append(seconds)
        peaks.setdefault(name, []).append(peak)
        match = re.search(r"(\d+) written", output)
        if match:
            written.setdefault(name, []).append(int(match.group(1)))
        print(f"   {name}: {seconds:.2f} s, {peak} MiB", flush=True)
        return output

    for run in range(runs):
        shutil.rmtree(cache, ignore_errors=True)
        timed("check_cold", [py, "-m", "generator", "check", "--content", "content"])
        timed("check_warm", [py, "-m", "generator", "check", "--content", "content"])
        shutil.rmtree(cache, ignore_errors=True)
        shutil.rmtree(work / "md", ignore_errors=True)
        timed("generate_cold", [py, "-m", "generator", "build", "--content", "content", "--out", "md"])
        timed("generate_warm_unchanged", [py, "-m", "generator", "build", "--content", "content", "--out", "md"])
        change_one_record(work, f"generate {run}")
        timed("generate_warm_one_changed", [py, "-m", "generator", "build", "--content", "content", "--out", "md"])
        if not site_build:
            continue
        shutil.rmtree(cache, ignore_errors=True)
        start = time.perf_counter()
        timed("full_build_check_step", [py, "-m", "generator", "check", "--content", "content"])
        shutil.rmtree(cache, ignore_errors=True)
        timed("full_build_mkdocs_step", [py, "-m", "mkdocs", "build", "--strict", "--site-dir", "site"])
        timings.setdefault("full_build", []).append(time.perf_counter() - start)
        if run == 0:
            write_floor_config(work)
        timed("floor_plain_mkdocs", [py, "-m", "mkdocs", "build", "-f", "mkdocs-floor.yml"])
        if (work / "site" / "pagefind").is_dir():  # the Pagefind step alone (it is part of the full build)
            sys.path.insert(0, str(ROOT))
            from generator.search import pagefind_command

            timed("pagefind_index", pagefind_command(work / "site"))

    if not site_build:
        return {
            "records": size,
            "seconds": {name: summary(values) for name, values in timings.items()},
            "peak_rss_mib": {name: max(values) for name, values in peaks.items()},
            "files_written": {name: summary(values) for name, values in written.items()},
            "markdown_pages": sum(1 for _ in (work / "md").rglob("*.md")),
        }
    site = work / "site"
    pages = sum(1 for _ in site.rglob("*.html"))
    index = site / "search" / "search_index.json"
    if not index.is_file():  # the site's search is Pagefind: mkdocs-material's index is the floor's
        index = work / "site-floor" / "search" / "search_index.json"
    result = {
        "records": size,
        "records_by_kind": {
            kind: len(list((work / "content" / folder).glob("*.yaml")))
            for kind, folder in (("entities", "entities"), ("events", "events"), ("sources", "sources"))
        },
        "html_pages": pages,
        "seconds": {name: summary(values) for name, values in timings.items()},
        "peak_rss_mib": {name: max(values) for name, values in peaks.items()},
        "files_written": {name: summary(values) for name, values in written.items()},
        "site_bytes": folder_bytes(site),
        "floor_site_bytes": folder_bytes(work / "site-floor"),
        "search_index_bytes": index.stat().st_size if index.is_file() else None,
        "search_index_docs": len(json.loads(index.read_text())["docs"]) if index.is_file() else None,
        "pagefind_bundle": pagefind_bundle(site),
    }
    full = statistics.median(timings["full_build"])
    floor = statistics.median(timings["floor_plain_mkdocs"])
    result["ratios"] = {
        "full_build_over_floor": round(full / floor, 3),
        "full_build_ms_per_page": round(1000 * full / max(pages, 1), 2),
        "floor_ms_per_page": round(1000 * floor / max(pages, 1), 2),
    }
    if serve:
        startup = 600 + size * 0.2  # the first serve build is a full build
        try:
            result["serve_dirty"] = measure_serve(work, runs, True, startup)
        except RuntimeError as error:  # reported, not fatal: the other figures are worth keeping
            result["serve_dirty_error"] = str(error)[:2000]
        print(f"   serve --dirty: {result.get('serve_dirty', result.get('serve_dirty_error'))}", flush=True)
    if browser:
        queries = search_queries(work)
        for key, engine, folder in (
            ("search_first_result", "pagefind", site),
            ("search_first_result_material", "material", work / "site-floor"),
        ):
            if engine == "pagefind" and not (folder / "pagefind").is_dir():
                engine = "material"  # a site configured with mkdocs-material's search
            try:
                result[key] = measure_search(folder, queries, engine, max(1, runs // 2))
            except Exception as error:  # noqa: BLE001 - a browser failure must not lose the build figures
                result[key] = {"engine": engine, "error": str(error)[:2000]}
            print(f"   search ({engine}): {result[key]}", flush=True)
    return result


def machine() -> dict:
    cpu = platform.processor() or ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        memory_kib = int(re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text()).group(1))
    except (OSError, AttributeError):
        memory_kib = 0
    versions = {}
    for package in ("mkdocs", "mkdocs-material", "PyYAML", "Jinja2"):
        try:
            from importlib.metadata import version

            versions[package] = version(package)
        except Exception:  # noqa: BLE001 - a missing package is reported as such
            versions[package] = "missing"
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gib": round(memory_kib / 1024 / 1024, 1),
        "python": platform.python_version(),
        "system": platform.platform(),
        "load_average": os.getloadavg(),
        "versions": versions,
    }


def markdown_table(report: dict) -> str:
    sizes = report["sizes"]
    head = "| measure | " + " | ".join(f"{r['records']:,} records" for r in sizes) + " |"
    lines = [
        f"# Benchmark, {report['date']}",
        "",
        f"Machine: {report['machine']['cpu']}, {report['machine']['cores']} cores, "
        f"{report['machine']['memory_gib']} GiB; Python {report['machine']['python']}; "
        + ", ".join(f"{k} {v}" for k, v in report["machine"]["versions"].items())
        + f". Load average at start: {', '.join(f'{x:.1f}' for x in report['machine']['load_average'])} "
        "(shared machine: figures are noisy).",
        "",
        "Seconds as median (min-max) over the runs; peak memory is the largest RSS of the step's process.",
        "",
        head,
        "|---|" + "---|" * len(sizes),
    ]

    def cell(result, key):
        value = result["seconds"].get(key)
        return f"{value['median']:.2f} ({value['min']:.2f}-{value['max']:.2f})" if value else "-"

    for key, label in (
        ("check_cold", "check, cold"),
        ("check_warm", "check, warm (parse cache)"),
        ("generate_cold", "generate Markdown, cold"),
        ("generate_warm_unchanged", "generate, warm, nothing changed"),
        ("generate_warm_one_changed", "generate, warm, one record changed"),
        ("full_build", "full build (check + mkdocs build --strict)"),
        ("floor_plain_mkdocs", "floor: plain mkdocs build of the same Markdown"),
    ):
        lines.append(f"| {label} (s) | " + " | ".join(cell(r, key) for r in sizes) + " |")
    rows = [
        (
            "files written: warm unchanged / one changed",
            lambda r: "{} / {}".format(
                r["files_written"].get("generate_warm_unchanged", {}).get("median", "-"),
                r["files_written"].get("generate_warm_one_changed", {}).get("median", "-"),
            ),
        ),
        ("full build / floor", lambda r: f"{r['ratios']['full_build_over_floor']:.2f}"),
        (
            "ms a page: full build / floor",
            lambda r: f"{r['ratios']['full_build_ms_per_page']:.1f} / {r['ratios']['floor_ms_per_page']:.1f}",
        ),
        ("HTML pages", lambda r: f"{r['html_pages']:,}"),
        (
            "peak memory: generate cold / mkdocs build (MiB)",
            lambda r: "{} / {}".format(
                r["peak_rss_mib"].get("generate_cold"), r["peak_rss_mib"].get("full_build_mkdocs_step")
            ),
        ),
        ("site size (MB)", lambda r: f"{r['site_bytes'] / 1e6:.1f}"),
        (
            "mkdocs-material search index (MB, documents)",
            lambda r: f"{(r['search_index_bytes'] or 0) / 1e6:.1f}, {r['search_index_docs'] or 0:,}",
        ),
        (
            "edit-to-reload, serve --dirty: one record's text (s)",
            lambda r: "{median:.2f} ({min:.2f}-{max:.2f})".format(**r["serve_dirty"]["edit_to_reload_s"]),
        ),
        (
            "edit-to-reload, serve --dirty: its name, on every page linking to it (s)",
            lambda r: "{median:.2f} ({min:.2f}-{max:.2f})".format(**r["serve_dirty"]["name_change_to_reload_s"]),
        ),
        ("serve: first build (s)", lambda r: f"{r['serve_dirty']['first_build_s']:.1f}" if "serve_dirty" in r else "-"),
    ]
    for key, what in (
        ("search_first_result", "site's search"),
        ("search_first_result_material", "mkdocs-material's search"),
    ):
        for field, when in (
            ("in_page_s", "after typing at once on page load (input event to result, in the page)"),
            ("in_page_opened_s", "after typing into the box opened 1 s before (input event to result, in the page)"),
            ("from_typing_s", "after typing at once (Playwright fill to result seen)"),
            ("from_page_load_s", "from page load"),
        ):
            rows.append(
                (
                    f"first search result {when}, {what}, Chromium (s)",
                    lambda r, key=key, field=field: "{} {median:.2f} ({min:.2f}-{max:.2f})".format(
                        r[key].get("engine", ""), **r[key][field]
                    ),
                )
            )
    rows += [
        ("build with both searches, --search-only (s)", lambda r: cell(r, "build_both_searches")),
        (
            "Pagefind: indexing (s), bundle (MB, files)",
            lambda r: "{} / {:.1f}, {:,}".format(
                cell(r, "pagefind_index"), r["pagefind_bundle"]["bytes"] / 1e6, r["pagefind_bundle"]["files"]
            ),
        ),
    ]

    for label, render in rows:  # "-": not measured at this size (--no-site, --no-serve ...)
        lines.append(f"| {label} | " + " | ".join(_or_dash(render, r) for r in sizes) + " |")
    return "\n".join([*lines, *_notes_and_sections(report)]) + "\n"


def write_report(report: dict, out: Path) -> None:
    """latest.json and latest.md in ``out``; the table is printed too."""
    out.mkdir(parents=True, exist_ok=True)
    (out / "latest.json").write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    (out / "latest.md").write_text(markdown_table(report), encoding="utf-8")
    print(markdown_table(report))


def main(argv: list[str] | None = None) -> int:
    global SEARCH_NAMES
    parser = argparse.ArgumentParser(description="Benchmark the dossier build on synthetic dossiers.")
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000])
    parser.add_argument("--runs", type=int, default=3, help="runs of each measure (default 3)")
    parser.add_argument("--no-serve", action="store_true", help="skip the mkdocs serve edit-to-reload measure")
    parser.add_argument("--no-browser", action="store_true", help="skip the Chromium search measure")
    parser.add_argument(
        "--no-site", action="store_true", help="engine only: skip the MkDocs builds, serve and browser measures"
    )
    parser.add_argument(
        "--search-only",
        action="store_true",
        help="only the search comparison: one build with both searches, then Chromium",
    )
    parser.add_argument(
        "--serve-only", action="store_true", help="only edit-to-reload under mkdocs serve --dirty (make serve)"
    )
    parser.add_argument(
        "--work-dir", type=Path, default=None, help="where the synthetic projects go (default .build/bench)"
    )
    parser.add_argument(
        "--build-compare",
        action="store_true",
        help="only the full build, serial against parallel (default out: bench/results/build)",
    )
    parser.add_argument(
        "--modes", nargs="+", default=["serial", "parallel", "floor"], help="with --build-compare: which builds"
    )
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1, help="workers of the parallel build")
    parser.add_argument(
        "--settle",
        type=float,
        default=None,
        metavar="S",
        help="seconds of each pause before a timed step: the search box open before typing (default 1), "
        "the file watcher between edits (default 1.5); the tests shorten them, the figures keep the defaults",
    )
    parser.add_argument(
        "--names",
        type=int,
        default=SEARCH_NAMES,
        metavar="N",
        help="search: English entity names queried (default 3), besides the first entity's Russian and Chinese "
        "aliases; the tests query none",
    )
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args(argv)
    SEARCH_NAMES = args.names
    if args.settle is not None:
        global SEARCH_SETTLE_S, WATCHER_SETTLE_S
        SEARCH_SETTLE_S = WATCHER_SETTLE_S = args.settle
    if args.work_dir is not None:
        global WORK
        WORK = args.work_dir.resolve()
    if args.build_compare:
        report = {
            "date": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"),
            "machine": machine(),
            "commit": subprocess.run(
                ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
            ).stdout.strip(),
            "runs": args.runs,
            "sizes": [bench_build_compare(size, args.runs, args.workers, tuple(args.modes)) for size in args.sizes],
        }
        out = args.out or RESULTS / "build"
        out.mkdir(parents=True, exist_ok=True)
        (out / "latest.json").write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
        (out / "latest.md").write_text(build_compare_table(report), encoding="utf-8")
        print(build_compare_table(report))
        return 0
    args.out = args.out or RESULTS
    report = {
        "date": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": machine(),
        "runs": args.runs,
        "sizes": [],
    }
    for size in args.sizes:
        report["sizes"].append(
            bench_size(
                size,
                args.runs,
                not args.no_serve,
                not args.no_browser,
                not args.no_site,
                args.search_only,
                args.serve_only,
            )
        )
        (args.out / "partial.json").parent.mkdir(parents=True, exist_ok=True)  # a long run keeps what it has
        (args.out / "partial.json").write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    write_report(report, args.out)
    (args.out / "partial.json").unlink(missing_ok=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
