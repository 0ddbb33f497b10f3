"""Which browser the browser tests drive (scripts/find_browser.py) and what install-browser.sh does without one."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from reader_site import ROOT, load_find_browser

find_browser = load_find_browser()


def fake_program(folder: Path, name: str, prints: str) -> Path:
    path = folder / name
    path.write_text(f"#!/bin/sh\necho '{prints}'\n", encoding="utf-8")
    path.chmod(0o755)
    return path


@pytest.fixture
def nothing_installed(tmp_path, monkeypatch):
    """No Debian chromium, no Playwright browser, and a PATH holding only what a test puts in ``bin``."""
    folder = tmp_path / "bin"
    folder.mkdir()
    monkeypatch.setattr(find_browser, "DEBIAN_CHROMIUM", str(tmp_path / "no-such-chromium"))
    monkeypatch.setattr(find_browser, "playwright_chromium", lambda: "")
    monkeypatch.setenv("PATH", str(folder))
    return folder


def test_browser_named_in_the_environment_is_used_first(tmp_path):
    chrome = fake_program(tmp_path, "my-chrome", "Google Chrome 140.0.1")
    browser = find_browser.find_browser({"DOSSIER_BROWSER": str(chrome)})
    assert browser.executable == str(chrome)
    assert browser.launch_options() == {"args": ["--no-sandbox"], "executable_path": str(chrome)}
    assert "Google Chrome 140.0.1" in browser.origin


def test_environment_naming_something_that_is_no_browser_is_an_error_not_a_fallback(tmp_path):
    with pytest.raises(find_browser.BrowserNotFound) as caught:
        find_browser.find_browser({"DOSSIER_BROWSER": "/bin/true"})
    assert str(caught.value).startswith("DOSSIER_BROWSER=/bin/true: not a Chromium or Chrome that runs here")


def test_ubuntu_snap_stub_is_passed_over_for_an_installed_chrome(nothing_installed):
    fake_program(
        nothing_installed,
        "chromium-browser",
        "Command '/usr/bin/chromium-browser' requires the chromium snap to be installed.",
    )
    chrome = fake_program(nothing_installed, "google-chrome", "Google Chrome 141.0.7390.54")
    browser = find_browser.find_browser({})
    assert browser.executable == str(chrome)


def test_debian_chromium_comes_before_chrome_on_path(nothing_installed, tmp_path, monkeypatch):
    debian = fake_program(tmp_path, "chromium", "Chromium 156.0.8078.114 built on Debian GNU/Linux 12 (bookworm)")
    monkeypatch.setattr(find_browser, "DEBIAN_CHROMIUM", str(debian))
    fake_program(nothing_installed, "google-chrome", "Google Chrome 141.0.7390.54")
    assert find_browser.find_browser({}).executable == str(debian)


def test_playwrights_own_chromium_is_launched_without_a_path(nothing_installed, monkeypatch):
    monkeypatch.setattr(find_browser, "playwright_chromium", lambda: "/home/u/.cache/ms-playwright/chromium/chrome")
    browser = find_browser.find_browser({})
    assert browser.executable is None
    assert browser.launch_options() == {"args": ["--no-sandbox"]}


def test_no_browser_says_exactly_what_to_run(nothing_installed):
    with pytest.raises(find_browser.BrowserNotFound) as caught:
        find_browser.find_browser({})
    message = str(caught.value)
    assert ".venv/bin/python -m playwright install chromium" in message
    assert "sudo bash scripts/install-browser.sh --system" in message
    assert "export DOSSIER_BROWSER=/path/to/chrome" in message


def test_install_script_finds_the_browser_named_in_the_environment_and_installs_nothing(tmp_path):
    chrome = fake_program(tmp_path, "my-chrome", "Chromium 150.0.1")
    result = subprocess.run(
        ["bash", "scripts/install-browser.sh"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=dict(os.environ, DOSSIER_BROWSER=str(chrome)),
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"browser tests use {chrome}: DOSSIER_BROWSER (Chromium 150.0.1)"
    assert "apt-get" not in result.stderr and "fetching" not in result.stderr


def test_install_script_refuses_unknown_options():
    result = subprocess.run(
        ["bash", "scripts/install-browser.sh", "--sytem"], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 2
    assert "unknown option '--sytem' (use --system or nothing)" in result.stderr
