"""Shared fixtures: the mini fixture dossier, scratch projects and whole MkDocs builds."""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
MINI = Path(__file__).resolve().parent / "fixtures" / "mini"


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


def make_project(project_dir: Path, content_dir: Path) -> Path:
    """A mkdocs.yml like the real one, reading ``content_dir``; returns its path."""
    config = yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8").replace("!!python", "#"))
    config["docs_dir"] = str(content_dir / "pages")
    config["theme"]["custom_dir"] = str(ROOT / "theme")
    for plugin in config["plugins"]:
        if isinstance(plugin, dict) and "dossier" in plugin:
            plugin["dossier"]["content_dir"] = str(content_dir)
    (content_dir / "pages").mkdir(parents=True, exist_ok=True)
    config_path = project_dir / "mkdocs.yml"
    config_path.write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return config_path


def mkdocs_build(config_path: Path, site_dir: Path) -> subprocess.CompletedProcess:
    """Run a strict ``mkdocs build`` into ``site_dir`` (never the real site/)."""
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1")
    return subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-f", str(config_path),
                           "-d", str(site_dir)], cwd=config_path.parent, env=env, capture_output=True, text=True)


def load_synth():
    """bench/synth.py, the synthetic dossier generator, as a module."""
    spec = importlib.util.spec_from_file_location("bench_synth", ROOT / "bench" / "synth.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def thousand_record_content(tmp_path_factory) -> Path:
    """A synthetic dossier of 1,000 records, written once per test session; treat it as read-only."""
    content = tmp_path_factory.mktemp("thousand-records") / "content"
    load_synth().write_dossier(1000, content)
    return content


@pytest.fixture(scope="session")
def real_site(tmp_path_factory) -> Path:
    """The project's own dossier built with ``mkdocs build --strict`` into a temporary folder."""
    from reader_site import build_site
    return build_site(tmp_path_factory.mktemp("real") / "site")


@pytest.fixture(scope="session")
def real_server(real_site):
    """``real_site`` served on 127.0.0.1."""
    from reader_site import LoopbackServer
    with LoopbackServer(real_site) as server:
        yield server


@pytest.fixture(scope="session")
def browser():
    """Headless Chromium (/usr/bin/chromium) through Playwright, for the browser tests."""
    from playwright.sync_api import sync_playwright
    from reader_site import CHROMIUM
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        yield chromium
        chromium.close()


@pytest.fixture(scope="session")
def asof_site(tmp_path_factory) -> Path:
    """The mini dossier with dated relationships and a rule in force for a while, built and served.

    Acme develops Widget X since 2024 and is located in Exampleland since June 2025; the Export
    Rule is adopted in January 2025, effective from March and rescinded in May.
    """
    from reader_site import build_site
    work = tmp_path_factory.mktemp("asof")
    content = work / "content"
    shutil.copytree(MINI, content)
    acme = content / "entities" / "acme.yaml"
    acme.write_text(acme.read_text(encoding="utf-8").replace(
        "    target: exampleland\n", "    target: exampleland\n    since: '2025-06'\n"), encoding="utf-8")
    rule = content / "entities" / "export-rule.yaml"
    rule.write_text(rule.read_text(encoding="utf-8").replace(
        "  - state: rescinded\n",
        "  - state: effective\n    date: '2025-03'\n    sources: [paper-2025]\n  - state: rescinded\n"), encoding="utf-8")
    return build_site(work / "site", content, work)


@pytest.fixture(scope="session")
def asof_server(asof_site):
    from reader_site import LoopbackServer
    with LoopbackServer(asof_site) as server:
        yield server
