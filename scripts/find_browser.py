"""Find the Chromium the browser tests and the benchmark drive through Playwright.

In this order:

1. ``DOSSIER_BROWSER``, when set: the path (or command name) of a Chromium or Chrome to use;
   anything else there is an error, never silently replaced by another browser;
2. Debian's ``/usr/bin/chromium``;
3. an installed Chrome or Chromium on ``PATH`` (google-chrome, chromium, chromium-browser …);
   Ubuntu's ``chromium`` package is only a stub that asks for snap, so a candidate counts only
   when ``--version`` names Chromium or Chrome;
4. Playwright's own Chromium, when ``playwright install chromium`` has fetched it (GitHub-hosted
   runners can; it goes to ``~/.cache/ms-playwright`` and needs no root).

Run as a script it prints the browser found, or what to run to get one, and exits 1.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

ENV_VAR = "DOSSIER_BROWSER"
DEBIAN_CHROMIUM = "/usr/bin/chromium"
COMMANDS = ("google-chrome", "google-chrome-stable", "chromium", "chromium-browser", "chrome")
VERSION_PREFIXES = ("Chromium", "Google Chrome", "Chrome for Testing")

HOW_TO_GET_ONE = f"""\
no browser for the browser tests (looked at ${ENV_VAR}, {DEBIAN_CHROMIUM}, {", ".join(COMMANDS)} on PATH,
and Playwright's own Chromium). Run one of these, then `make test` again:
  .venv/bin/python -m playwright install chromium  # Playwright's Chromium in ~/.cache/ms-playwright, no root
  sudo bash scripts/install-browser.sh --system    # Debian's chromium package, with apt-get
  export {ENV_VAR}=/path/to/chrome           # a Chrome or Chromium you already have"""


class BrowserNotFound(Exception):
    """No usable browser; the message says what to run."""


@dataclass(frozen=True)
class Browser:
    executable: str | None  # None: Playwright's own Chromium (launch without executable_path)
    origin: str

    def launch_options(self) -> dict:
        """Keyword arguments for ``playwright.chromium.launch``."""
        options: dict = {"args": ["--no-sandbox"]}
        if self.executable:
            options["executable_path"] = self.executable
        return options


def browser_version(executable: str) -> str:
    """What ``executable --version`` prints, or '' when it does not run or is not Chromium/Chrome."""
    try:
        result = subprocess.run(
            [executable, "--version"], capture_output=True, text=True, timeout=30, stdin=subprocess.DEVNULL
        )
    except (OSError, subprocess.SubprocessError):
        return ""
    for line in result.stdout.splitlines():
        if line.strip().startswith(VERSION_PREFIXES):
            return line.strip()
    return ""


def playwright_chromium() -> str:
    """The path of Playwright's own Chromium when it has been installed, else ''."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        return ""
    try:
        with sync_playwright() as playwright:
            path = playwright.chromium.executable_path
    except Exception:  # noqa: BLE001 - a Playwright without its driver counts as no browser
        return ""
    return path if path and Path(path).is_file() else ""


def find_browser(environ=os.environ) -> Browser:
    """The first usable browser in the order of the module docstring; raises BrowserNotFound."""
    named = environ.get(ENV_VAR, "").strip()
    if named:
        executable = shutil.which(named) or named
        version = browser_version(executable)
        if not version:
            raise BrowserNotFound(
                f"{ENV_VAR}={named}: not a Chromium or Chrome that runs here "
                f"(`{named} --version` must print its version); unset it or give the path "
                f"of one, e.g. {ENV_VAR}={DEBIAN_CHROMIUM}"
            )
        return Browser(executable, f"{ENV_VAR} ({version})")
    candidates = [DEBIAN_CHROMIUM] + [found for name in COMMANDS if (found := shutil.which(name))]
    seen: set[str] = set()
    for candidate in candidates:
        real = os.path.realpath(candidate)
        if real in seen or not os.access(candidate, os.X_OK):
            continue
        seen.add(real)
        version = browser_version(candidate)
        if version:
            return Browser(candidate, version)
    own = playwright_chromium()
    if own:
        return Browser(None, f"Playwright's Chromium ({own})")
    raise BrowserNotFound(HOW_TO_GET_ONE)


def main() -> int:
    try:
        browser = find_browser()
    except BrowserNotFound as problem:
        print(problem, file=sys.stderr)
        return 1
    print(f"browser tests use {browser.executable or 'Playwright’s Chromium'}: {browser.origin}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
