"""Shared fixtures: the mini fixture dossier, scratch projects and whole MkDocs builds."""

from __future__ import annotations

import contextlib
import hashlib
import importlib.util
import io
import json
import logging
import os
import re
import shutil
import signal
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml
import yaml_env_tag
from filelock import FileLock

ROOT = Path(__file__).resolve().parent.parent
MINI = Path(__file__).resolve().parent / "fixtures" / "mini"

# The builds in the tests do not depend on where the site of whoever runs them is hosted
# (mkdocs.yml reads these with !ENV); tests that need addresses set them themselves.
for _hosting_variable in ("DOSSIER_SITE_URL", "DOSSIER_REPO_URL", "DOSSIER_EDIT_URI"):
    os.environ.pop(_hosting_variable, None)

#: The test files that take longest on this machine (two cores), longest first: `make test` hands files
#: to its processes in collection order (--no-loadscope-reorder), and a long file handed out last
#: would run alone at the end.  test_init leads because it mostly waits for pip, which overlaps well.
LONGEST_FIRST = [
    "test_init.py",
    "test_browser_reader.py",
    "test_browser_a11y.py",
    "test_site_qa.py",
    "test_speed_bench_report.py",
    "test_browser_graph.py",
    "test_parallel_build.py",
    "test_rename.py",
    "test_documented_commands.py",
    "test_speed_incremental.py",
    "test_speed_incremental_exact.py",
    "test_browser_timeline_search.py",
]


def pytest_collection_modifyitems(config, items):
    """Put the files of :data:`LONGEST_FIRST` first, in its order; the others keep theirs."""
    folder = Path(__file__).parent
    missing = [name for name in LONGEST_FIRST if not (folder / name).is_file()]
    if missing:
        raise pytest.UsageError(f"conftest.LONGEST_FIRST names files that are not there: {missing}")
    rank = {name: position for position, name in enumerate(LONGEST_FIRST)}
    items.sort(key=lambda item: rank.get(item.path.name, len(rank)))


@pytest.fixture
def mini_content(tmp_path: Path) -> Path:
    """A writable copy of the mini fixture dossier."""
    target = tmp_path / "content"
    shutil.copytree(MINI, target)
    return target


def write_record(content_dir: Path, kind_folder: str, record_id: str, text: str) -> Path:
    path = content_dir / kind_folder / f"{record_id}.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


class _MkDocsConfigLoader(yaml.SafeLoader):
    """Reads mkdocs.yml as MkDocs does as far as the tests need: ``!ENV`` takes the variable's value now."""


_MkDocsConfigLoader.add_constructor("!ENV", yaml_env_tag.construct_env_tag)


def load_mkdocs_config(path: Path = ROOT / "mkdocs.yml") -> dict:
    """The project's mkdocs.yml as a dict, ``!ENV`` values taken from the environment of the tests."""
    return yaml.load(path.read_text(encoding="utf-8").replace("!!python", "#"), Loader=_MkDocsConfigLoader)


#: The entity types of the merger review (tests/fixtures/merger/) as its graph legend and graph.json list them.
MERGER_TYPE_PLURALS = ["Companies", "Regulators", "Courts", "Deals", "Games", "Places", "Organizations"]


def make_project(project_dir: Path, content_dir: Path) -> Path:
    """A mkdocs.yml like the real one, reading ``content_dir``; returns its path."""
    config = load_mkdocs_config()
    config["docs_dir"] = str(content_dir / "pages")
    config["theme"]["custom_dir"] = str(ROOT / "theme")
    for plugin in config["plugins"]:
        if isinstance(plugin, dict) and "dossier" in plugin:
            plugin["dossier"]["content_dir"] = str(content_dir)
    (content_dir / "pages").mkdir(parents=True, exist_ok=True)
    config_path = project_dir / "mkdocs.yml"
    config_path.write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return config_path


def mkdocs_build(config_path: Path, site_dir: Path, env: dict | None = None) -> subprocess.CompletedProcess:
    """Run a strict ``mkdocs build`` into ``site_dir`` (never the real site/); the result, whatever it is.

    For a build that must succeed use :func:`strict_build`, which also asserts its warnings.
    """
    env = dict(os.environ if env is None else env, NO_MKDOCS_2_WARNING="1")
    return subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-f", str(config_path), "-d", str(site_dir)],
        cwd=config_path.parent,
        env=env,
        capture_output=True,
        text=True,
    )


BUILD_SITE = ROOT / "scripts" / "build_site.py"
_MKDOCS_PROBLEM = re.compile(r"^(WARNING|ERROR|CRITICAL)\b|^Traceback ")
_DIAGNOSTIC = re.compile(r"^(?:INFO\s+-\s+)?(\S+:\d+:\d+: (?:warning|error)\[[\w-]+\]: .*)$")


def warning_transcript(log: str) -> list[str]:
    """Every warning and error in a build's log, in order, one entry a line.

    MkDocs' own lines at WARNING and above (and a traceback's first line), and the dossier's
    diagnostics (``file:line:col: warning[code]: ...`` with their indented ``hint:`` lines), which
    the plugin logs at INFO.  Progress lines (INFO, the search segmenter's) are left out.
    """
    transcript: list[str] = []
    in_diagnostic = False
    for line in log.splitlines():
        diagnostic = _DIAGNOSTIC.match(line)
        if diagnostic:
            transcript.append(diagnostic.group(1))
            in_diagnostic = True
        elif in_diagnostic and line.startswith("    "):
            transcript.append(line)
        else:
            in_diagnostic = False
            if _MKDOCS_PROBLEM.match(line):
                transcript.append(line)
    return transcript


def dossier_warnings(content_dir: Path) -> list[str]:
    """The transcript a clean build of ``content_dir`` gives: the checker's warnings, line by line.

    Paths as the build shows them: relative to the project folder (the content folder's parent).
    """
    from generator.pipeline import load_dossier

    with contextlib.chdir(content_dir.parent):
        warnings = load_dossier(content_dir).warnings  # errors raise
    return [line for warning in warnings for line in warning.format().splitlines()]


@dataclass(frozen=True)
class Built:
    """A finished strict build: its project folder, its site and its log (stderr)."""

    project: Path
    site: Path
    log: str


def strict_build(
    site_dir: Path,
    config_path: Path = ROOT / "mkdocs.yml",
    *,
    expected: list[str] | tuple[str, ...] = (),
    env: dict | None = None,
    script: bool = False,
    own_process: bool = False,
) -> Built:
    """The one way the tests build a site that must build: strict, and with exactly ``expected`` warnings.

    ``mkdocs build --strict -f config_path -d site_dir`` in the config's folder, or with ``script``
    ``scripts/build_site.py`` as ``make site`` runs it (check first, SOURCE_DATE_EPOCH from the last
    commit, the new site swapped in whole).  Fails the calling test (or fixture) unless the build
    exits 0 and :func:`warning_transcript` of its log is exactly ``expected`` (no warning: ``()``).
    The MkDocs build runs in the test's process (:func:`_mkdocs_build_here`); with ``own_process``,
    in a new one, whose whole standard error is the log (what libraries print there too).
    """
    project = config_path.parent
    if script:
        command = [sys.executable, str(BUILD_SITE), "--root", str(project), "--site-dir", str(site_dir)]
        result = subprocess.run(
            command, cwd=project, env=dict(os.environ if env is None else env), capture_output=True, text=True
        )
        code, log = result.returncode, result.stderr
    elif own_process:
        result = mkdocs_build(config_path, site_dir, env)
        code, log = result.returncode, result.stderr
    else:
        code, log = _mkdocs_build_here(config_path, site_dir, env)
    transcript = warning_transcript(log)
    if (code, transcript) != (0, list(expected)) or not (site_dir / "index.html").is_file():
        raise AssertionError(  # the message as written (no assertion rewriting): what was printed, what was expected
            f"exit {code}; warnings and errors:\n"
            + "".join(line + "\n" for line in transcript)
            + "expected:\n"
            + "".join(line + "\n" for line in expected)
            + "\n"
            + log[-4000:]
        )
    return Built(project, site_dir, log)


def _mkdocs_build_here(config_path: Path, site_dir: Path, env: dict | None) -> tuple[int, str]:
    """``mkdocs build --strict -f config_path -d site_dir`` in this process, as MkDocs' command runs it:
    the exit status and the log as it prints it (``LEVEL   -  message``).

    A build in a new process spends about a second importing MkDocs, the theme, the engine and
    FollowTheMoney before it starts; a test process has them already.  Commands as users type them
    (``make site``, ``mkdocs serve``) are still run as processes by the tests that run those commands.
    """
    from mkdocs import config as mkdocs_config
    from mkdocs import exceptions
    from mkdocs.commands import build
    from mkdocs.utils import DuplicateFilter

    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(levelname)-8s-  %(message)s"))
    logger = logging.getLogger("mkdocs")
    saved_logger = (logger.level, logger.propagate)
    logger.setLevel(logging.INFO)
    logger.propagate = False
    logger.addHandler(handler)
    repeats = DuplicateFilter()  # as the command: a message logged twice in a row is shown once
    build.log.addFilter(repeats)
    saved_environment = dict(os.environ)
    os.environ.clear()
    os.environ.update(saved_environment if env is None else env, NO_MKDOCS_2_WARNING="1")
    code = 0
    try:
        with contextlib.chdir(config_path.parent):
            try:
                config = mkdocs_config.load_config(config_file=str(config_path), strict=True, site_dir=str(site_dir))
                config.plugins.on_startup(command="build", dirty=False)
                try:
                    build.build(config)
                finally:
                    config.plugins.on_shutdown()
            except exceptions.MkDocsException as error:  # as the command: printed, exit 1
                logger.error(str(error))
                code = 1
    finally:
        os.environ.clear()
        os.environ.update(saved_environment)
        logger.removeHandler(handler)
        build.log.removeFilter(repeats)
        logger.setLevel(saved_logger[0])
        logger.propagate = saved_logger[1]
    return code, stream.getvalue()


def load_synth():
    """bench/synth.py, the synthetic dossier generator, as a module."""
    spec = importlib.util.spec_from_file_location("bench_synth", ROOT / "bench" / "synth.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def once_per_run(tmp_path_factory, name: str, make):
    """``make(folder)`` done once per test run, its result (a ``Built`` or a ``Path``) shared by every worker.

    ``make test`` spreads the tests over the machine's cores (pytest-xdist, one process a core). A
    session fixture is made once per process, so each shared build would be made once per core; the
    first worker to need one makes it under a file lock in the run's shared temporary folder, and the
    others wait, then read what it wrote. Without xdist this is a plain ``make(tmp_path_factory.mktemp(name))``.
    """
    if not os.environ.get("PYTEST_XDIST_WORKER"):
        return make(tmp_path_factory.mktemp(name))
    shared = tmp_path_factory.getbasetemp().parent  # pytest-N/, beside each worker's popen-gwK/
    folder, answer = shared / f"shared-{name}", shared / f"shared-{name}.json"
    with FileLock(str(shared / f"shared-{name}.lock")):
        if answer.exists():
            stored = json.loads(answer.read_text(encoding="utf-8"))
            if "path" in stored:
                return Path(stored["path"])
            return Built(Path(stored["project"]), Path(stored["site"]), stored["log"])
        if folder.exists():  # a worker that failed half way: start again
            shutil.rmtree(folder)
        folder.mkdir()
        result = make(folder)
        if isinstance(result, Built):
            stored = {"project": str(result.project), "site": str(result.site), "log": result.log}
        else:
            stored = {"path": str(result)}
        answer.write_text(json.dumps(stored), encoding="utf-8")
        return result


def _thousand_records(folder: Path) -> Path:
    load_synth().write_dossier(1000, folder / "content")
    return folder / "content"


@pytest.fixture(scope="session")
def thousand_record_content(tmp_path_factory) -> Path:
    """A synthetic dossier of 1,000 records, written once per test run; treat it as read-only."""
    return once_per_run(tmp_path_factory, "thousand-records", _thousand_records)


# ---- builds shared by the whole run: each is made once, strict, with its exact warnings asserted ----
# Tests only read them; a test that changes a dossier builds its own, through strict_build too.


def _content_build(folder: Path, source: Path) -> Built:
    """``source`` (a fixture dossier) copied to ``folder``/content and built by a mkdocs.yml like the real one."""
    content = folder / "content"
    shutil.copytree(source, content)
    return strict_build(folder / "site", make_project(folder, content))


def _real_build(folder: Path) -> Built:
    return strict_build(folder / "site", expected=dossier_warnings(ROOT / "content"), script=True)


@pytest.fixture(scope="session")
def real_build(tmp_path_factory) -> Built:
    """The project's own dossier built as ``make site`` builds it (scripts/build_site.py), into a temporary folder.

    Its log holds exactly the warnings of the records' check, and no warning of MkDocs.
    """
    return once_per_run(tmp_path_factory, "real", _real_build)


@pytest.fixture(scope="session")
def real_site(real_build) -> Path:
    """The site of ``real_build``: every test that only reads the real site reads this one."""
    return real_build.site


@pytest.fixture(scope="session")
def mini_build(tmp_path_factory) -> Built:
    """The mini fixture dossier built in a project folder of its own (its .build/ included)."""
    return once_per_run(tmp_path_factory, "mini", lambda folder: _content_build(folder, MINI))


@pytest.fixture(scope="session")
def mini_site(mini_build) -> Path:
    return mini_build.site


@pytest.fixture(scope="session")
def merger_site(tmp_path_factory) -> Path:
    """The made-up merger review (tests/fixtures/merger/): a dossier whose words are all its own."""
    merger = ROOT / "tests" / "fixtures" / "merger"
    return once_per_run(tmp_path_factory, "merger", lambda folder: _content_build(folder, merger)).site


@pytest.fixture(scope="session")
def real_server(real_site):
    """``real_site`` served on 127.0.0.1."""
    from reader_site import LoopbackServer

    with LoopbackServer(real_site) as server:
        yield server


#: What keeps the browser tests' Chromium on the machine: every address but the loopback ones (127.0.0.1,
#: localhost, [::1]) goes through a proxy that is not there (a closed port), and no other host name
#: resolves.  reader_site.Watched lists what a page asked for from the requests it sees pass; stopping each
#: request in Python instead (Playwright's routing) cost half as much CPU again as the page load itself
#: (0.47 against 0.31 s of CPU a page, 2 December 2026).
OFFLINE_PROXY = {"server": "http://127.0.0.1:1", "bypass": "127.0.0.1,localhost,[::1]"}
OFFLINE_ARGS = ["--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1, EXCLUDE localhost, EXCLUDE [::1]"]


@pytest.fixture(scope="session")
def browser():
    """The browser scripts/find_browser.py finds, headless through Playwright, for the browser tests;
    it reaches this machine's loopback addresses and nothing else (:data:`OFFLINE_PROXY`)."""
    from playwright.sync_api import sync_playwright
    from reader_site import browser_or_skip

    options = browser_or_skip().launch_options()
    options["args"] = [*options.get("args", []), *OFFLINE_ARGS]
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(**options, proxy=OFFLINE_PROXY)
        yield chromium
        chromium.close()


@pytest.fixture(scope="session")
def asof_site(tmp_path_factory) -> Path:
    """The mini dossier with dated relationships and a rule in force for a while, built and served.

    Acme develops Widget X since 2024 and is located in Exampleland since June 2025; the Export
    Rule is adopted in January 2025, effective from March and rescinded in May.
    """
    return once_per_run(tmp_path_factory, "asof", _asof_build).site


def _asof_build(work: Path) -> Built:
    content = work / "content"
    shutil.copytree(MINI, content)
    acme = content / "entities" / "acme.yaml"
    acme.write_text(
        acme.read_text(encoding="utf-8").replace(
            "    target: exampleland\n", "    target: exampleland\n    since: '2025-06'\n"
        ),
        encoding="utf-8",
    )
    rule = content / "entities" / "export-rule.yaml"
    rule.write_text(
        rule.read_text(encoding="utf-8").replace(
            "  - state: rescinded\n",
            "  - state: effective\n    date: '2025-03'\n    sources: [paper-2025]\n  - state: rescinded\n",
        ),
        encoding="utf-8",
    )
    lifecycle_line = rule.read_text(encoding="utf-8").splitlines().index("  - state: effective") + 1
    expected = [  # the new state rests on the whole paper: the one warning, and nothing else
        f"content/entities/export-rule.yaml:{lifecycle_line}:5: warning[no-excerpt]: lifecycle[1] rests on a whole "
        "source (paper-2025), not on an excerpt",
        "    hint: add the passage to the source's 'excerpts:' and cite it as source-id#excerpt-id",
    ]
    return strict_build(work / "site", make_project(work, content), expected=expected)


@pytest.fixture(scope="session")
def asof_server(asof_site):
    from reader_site import LoopbackServer

    with LoopbackServer(asof_site) as server:
        yield server


def tree_digest(folder: Path) -> dict[str, str]:
    """SHA-256 of every file under ``folder`` by its relative path: two builds compared byte for byte."""
    return {
        path.relative_to(folder).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def pagefind_pages(site: Path) -> dict[str, dict]:
    """What Pagefind indexed, by page URL: {"url", "content", "meta", "filters", "anchors", …}.

    Only the pages the current index lists (a rebuild leaves older fragments behind); each fragment
    file is a gzip'd "pagefind_dcd" + JSON (Pagefind 1.5's format).
    """
    import gzip
    import json

    from generator.search import read_pagefind_file

    bundle = site / "pagefind"
    pages = {}
    entry = json.loads((bundle / "pagefind-entry.json").read_text(encoding="utf-8"))
    hashes = [
        page_hash
        for language in entry["languages"].values()
        for page_hash, _words in read_pagefind_file(bundle / f"pagefind.{language['hash']}.pf_meta")[1]
    ]
    for path in (bundle / "fragment" / f"{page_hash}.pf_fragment" for page_hash in hashes):
        raw = gzip.decompress(path.read_bytes())
        assert raw.startswith(b"pagefind_dcd"), path
        fragment = json.loads(raw[len(b"pagefind_dcd") :])
        pages[fragment["url"]] = fragment
    return pages


# ---- documented commands: run exactly as README.md and CONTRIBUTING.md give them ----

_NOT_COPIED_AT_ROOT = {".venv", "site", ".build", ".git", "screenshots"}
_NOT_COPIED = {"__pycache__", ".pytest_cache"}


def documented_commands() -> list[tuple[str, str]]:
    """(file, command) for every line of the ``sh`` code blocks of README.md and CONTRIBUTING.md.

    The command is the line as written, without its trailing ``# comment``.
    """
    import re

    found = []
    for name in ("README.md", "CONTRIBUTING.md"):
        text = (ROOT / name).read_text(encoding="utf-8")
        for block in re.findall(r"```sh\n(.*?)```", text, re.DOTALL):
            for line in block.splitlines():
                command = re.sub(r"\s+#\s.*$", "", line).strip()
                if command:
                    found.append((name, command))
    return found


def copy_project(target: Path) -> Path:
    """A copy of the project as a fresh clone has it, with the test run's .venv linked in (not copied).

    Files keep their modification times, so ``make`` finds the venv up to date.
    """

    def ignore(folder, names):
        at_root, in_results = Path(folder) == ROOT, Path(folder) == ROOT / "bench" / "results"
        return [
            n
            for n in names
            if n in _NOT_COPIED
            or n.endswith(".egg-info")
            or (at_root and n in _NOT_COPIED_AT_ROOT)
            or (in_results and n == "tmp")
        ]

    shutil.copytree(ROOT, target, ignore=ignore, symlinks=True)
    (target / ".venv").symlink_to(ROOT / ".venv", target_is_directory=True)
    up_to_date = subprocess.run(["make", "-q", ".venv/.installed-stamp"], cwd=target, capture_output=True)
    assert up_to_date.returncode == 0, ".venv is missing or older than requirements.txt: `make test` makes it"
    return target


def run_documented(command: str, cwd: Path, timeout: float = 600, **kwargs) -> subprocess.CompletedProcess:
    """Run a command of README.md or CONTRIBUTING.md exactly as written there, with bash, in ``cwd``."""
    assert command in {c for _file, c in documented_commands()}, f"not a documented command: {command!r}"
    env = dict(os.environ, **kwargs.pop("env", {}))
    return subprocess.run(
        ["bash", "-c", command], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, **kwargs
    )


def _as_at_a_terminal() -> None:
    """Ctrl-C's signal with its default action, as in a terminal's foreground job: the tests may run as a
    background job (``make test &``), whose children inherit SIGINT ignored, and Python then never
    raises KeyboardInterrupt."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def start_documented(command: str, cwd: Path, output, env: dict | None = None) -> subprocess.Popen:
    """Start a documented command exactly as written, in the background, in its own process group."""
    assert command in {c for _file, c in documented_commands()}, f"not a documented command: {command!r}"
    return subprocess.Popen(
        ["bash", "-c", command],
        cwd=cwd,
        stdout=output,
        stderr=subprocess.STDOUT,
        start_new_session=True,
        preexec_fn=_as_at_a_terminal,
        env=dict(os.environ, **(env or {})),
    )


@pytest.fixture
def threads_of_earlier_tests_ignored(monkeypatch):
    """Let :func:`generator.background.may_fork` ignore threads that earlier tests left running.

    Session fixtures (the loopback servers of the browser tests) keep idle threads alive for the
    rest of the run, so in the whole suite the engine rightly refuses to fork.  The tests of the
    forked child want the child; a thread a test starts itself still counts.
    """
    import threading

    from generator import background

    before = set(threading.enumerate())
    monkeypatch.setattr(
        background,
        "may_fork",
        lambda: hasattr(os, "fork") and all(thread in before for thread in threading.enumerate()),
    )
